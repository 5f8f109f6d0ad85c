"""The cross-tenant matrix: every classified route of the portal URLconf that takes an object id
is asked on portal A's host for objects that exist only in portal B, by every role of
tests/security/roles.py (visitor, member, moderator and admin of A, platform staff, a member of
B with B's cookie), with GET and POST; and for objects of A the caller may not see.

Expected answers (the issue: 404 for foreign objects, 403 for admin-only routes to members):
- ADMIN routes: the admin gate runs first, so a visitor is sent to the login page and a member
  gets 403 whatever the id; the admin of A gets 404.
- MEMBER routes: a visitor is sent to the login page (or gets 404); members and admins get 404.
- PUBLIC routes: 404 for every role.
- Staff and B's member are anonymous on A: answered as a visitor. Moderators as members.
- A 405 is accepted everywhere: the method check runs before any lookup and answers the same for
  every id (e.g. GET on a POST-only action), so it tells nothing about B's objects.
- No content difference: the answer for B's object is the answer for an id that exists nowhere
  (same status, same redirect, same body once the requested URL and the CSRF token are masked).
And no response body may contain B's distinctive data (addresses, names, texts, domain).

The routes and their arguments are generated from the URLconf walk; a new route with an object id
that `FOREIGN_ARGS` does not know fails the suite, so every future endpoint joins the matrix.
Cases the code gets wrong today are in `KNOWN_FINDINGS` (left out, each with its reason) instead
of being marked xfail.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db.models import Max
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import int_to_base36, urlsafe_base64_encode

from accounts.models import Role, User
from core.access import Access, classify
from core.routing import walk
from features.models import FeatureGrant
from tests.accounts.factories import admin_of, member_of, mfa_activate
from tests.conftest import in_portal
from tests.features.conftest import set_feature
from tests.security.conftest import CASES
from tests.security.roles import ANONYMOUS_ON_A, ROLES, clients_on

pytestmark = pytest.mark.django_db
METHODS = ("get", "post")
NOWHERE = 2_000_000_000  # an id no schema reaches in a test run

# A path converter (<int:pk>, <str:token>, …) or a named regex group ((?P<key>…)).
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")

# Route name -> {parameter: which of B's objects (a key of `foreign_objects`) or literal values}.
FOREIGN_ARGS: dict[str, dict[str, str | tuple[str, ...]]] = {
    "accounts:person": {"pk": "member_pk"},
    "news:post": {"pk": "post_pk"},
    "accounts:set_password": {"uidb64": "member_uidb64", "token": "member_reset_token"},
    "mfa_remove_webauthn": {"pk": "authenticator_pk"},
    "mfa_edit_webauthn": {"pk": "authenticator_pk"},
    "invitations:accept": {"token": "invitation_token"},
    "invitations:renew": {"token": "invitation_token"},
    "members:detail": {"pk": "member_pk"},
    "members:role": {"pk": "member_pk"},
    "members:block": {"pk": "member_pk"},
    "members:unblock": {"pk": "member_pk"},
    "members:approve": {"pk": "member_pk"},
    "members:decline": {"pk": "member_pk"},
    "members:invitation_resend": {"pk": "invitation_pk"},
    "members:invitation_revoke": {"pk": "invitation_pk"},
    "themes:stylesheet": {"css_hash": "css_hash"},
    "themes:revert": {"number": "theme_number"},
    "domains:action": {"pk": "domain_pk", "action": ("verify", "primary", "remove")},
    "accounts:password_reset_from_key": {"uidb36": "member_uidb36", "key": "member_reset_token"},
    "account_reset_password_from_key": {"uidb36": "member_uidb36", "key": "member_reset_token"},
    "account_confirm_email": {"key": "email_confirmation_key"},
    "accounts:confirm_email": {"key": "email_confirmation_key"},
    # Spaces and what lives in them: B's space, its membership, thread, comment and documents.
    **{
        f"spaces:{name}": {"slug": "space_slug"}
        for name in (
            "detail",
            "edit",
            "join",
            "leave",
            "invitation_accept",
            "invitation_decline",
            "archive",
            "unarchive",
            "members",
            "invite",
            "admin_transfer",
        )
    },
    "spaces:request_decide": {"slug": "space_slug", "pk": "space_membership_pk"},
    "spaces:member_remove": {"slug": "space_slug", "pk": "space_membership_pk"},
    "spaces-detail": {"slug": "space_slug"},
    "space-memberships-detail": {"pk": "space_membership_pk"},
    "discussions:list": {"slug": "space_slug"},
    "discussions:feed": {"slug": "space_slug"},
    "discussions:create": {"slug": "space_slug"},
    **{
        f"discussions:{name}": {"slug": "space_slug", "pk": "thread_pk"}
        for name in ("thread", "edit", "pin", "delete", "history")
    },
    "threads-detail": {"pk": "thread_pk"},
    **{f"comments:{name}": {"pk": "comment_pk"} for name in ("reply", "edit", "delete", "history")},
    "comments-detail": {"pk": "comment_pk"},
    "documents:list": {"slug": "space_slug"},
    "documents:upload": {"slug": "space_slug"},
    "documents:folder_create": {"slug": "space_slug"},
    "documents:folder": {"slug": "space_slug", "folder": "folder_pk"},
    "documents:folder_delete": {"slug": "space_slug", "folder": "folder_pk"},
    **{
        f"documents:{name}": {"slug": "space_slug", "pk": "document_pk"}
        for name in ("detail", "version_add", "delete", "download")
    },
    "documents:download_version": {
        "slug": "space_slug",
        "pk": "document_pk",
        "number": "version_number",
    },
    "documents-detail": {"pk": "document_pk"},
    **{
        f"ideas:{name}": {"pk": "idea_pk"}
        for name in ("detail", "edit", "support", "withdraw", "status", "start_project")
    },
    **{f"ideas-{name}": {"pk": "idea_pk"} for name in ("detail", "support", "withdraw")},
    "proposals:space_list": {"slug": "space_slug"},
    "proposals:create": {"slug": "space_slug"},
    **{
        f"proposals:{name}": {"slug": "space_slug", "pk": "proposal_pk"}
        for name in (
            "detail",
            "edit",
            "versions",
            "cosign",
            "unsign",
            "submit",
            "letter",
            "step",
        )
    },
    "proposals:answer": {"slug": "space_slug", "pk": "proposal_pk", "step": "proposal_step_pk"},
    "proposals_manage:body_edit": {"pk": "body_pk"},
    **{f"proposals-{name}": {"pk": "proposal_pk"} for name in ("detail", "cosign", "unsign")},
    **{
        f"events:{name}": {"pk": "event_pk"}
        for name in ("detail", "edit", "cancel", "rsvp", "rsvp_withdraw", "ical_event")
    },
    **{f"events-{name}": {"pk": "event_pk"} for name in ("detail", "cancel", "rsvp")},
    "events:ical_category": {"pk": "event_category_pk"},
    "events:ical_member": {"token": "feed_token"},
    "events_manage:category_edit": {"pk": "event_category_pk"},
    "space_events:list": {"slug": "space_slug"},
    "space_events:ical": {"slug": "space_slug"},
    "space_events:subscription_add": {"slug": "space_slug"},
    **{
        f"space_events:{name}": {"slug": "space_slug", "pk": "calendar_subscription_pk"}
        for name in ("subscription_import", "subscription_delete")
    },
    "notifications:open": {"pk": "notification_pk"},
    "notifications:unsubscribe": {"token": "unsubscribe_token"},
    "notifications-detail": {"pk": "notification_pk"},
    "notifications-read": {"pk": "notification_pk"},
}

# Routes whose only arguments are not object ids (an action verb, a file path of this portal's
# own media folder): not part of the matrix, listed so that the walk below can tell them apart
# from routes nobody has looked at.
NOT_OBJECT_ROUTES = {
    "billing_portal:confirm": "<slug:action> names an action, not an object",
    "billing_portal:action": "<slug:action> names an action, not an object",
    "media": "<path:path> is looked up in the current portal's media folder only",
    "features-detail": "(?P<key>) is a module key of the catalogue, the same on every portal",
}

# (route name, role, method) -> why the case is left out. Each one is a bug to fix in the code.
KNOWN_FINDINGS: dict[tuple[str, str, str], str] = {}  # none open

# Found while building the matrix, but outside what it generates (it uses ids that A lacks):
# kept here so that the next engineer sees them; each needs a fix in the code.
FINDINGS_BEYOND_THE_MATRIX: list[str] = []  # fixed: see test_confirmation_keys.py

# Routes where another gate runs before the object lookup and answers the same for every id:
# route name -> the start of the redirect it sends (allowed for members and admins).
GATED_BEFORE_LOOKUP = {
    # allauth asks to reauthenticate before any key page; its queryset is the user's own keys.
    "mfa_remove_webauthn": "/accounts/reauthenticate/",
    "mfa_edit_webauthn": "/accounts/reauthenticate/",
}


def params(route) -> list[str]:
    return [m.group(2) or m.group(3) for m in CONVERTER.finditer(route.route)]


def object_routes() -> list:
    return [r for r in walk(settings.ROOT_URLCONF) if CONVERTER.search(r.route)]


def test_every_route_with_an_object_id_is_in_the_matrix():
    unknown = [
        f"{r.name or '(unnamed)'} -> /{r.route}"
        for r in object_routes()
        if r.name not in FOREIGN_ARGS and r.name not in NOT_OBJECT_ROUTES
    ]
    assert unknown == [], (
        "Routes with an object id that the cross-tenant matrix does not know; add each to "
        "FOREIGN_ARGS (or NOT_OBJECT_ROUTES) in tests/security/test_cross_tenant_matrix.py:\n  "
        + "\n  ".join(unknown)
    )
    for name, args in FOREIGN_ARGS.items():
        [route] = [r for r in object_routes() if r.name == name]
        assert set(params(route)) == set(args), name


def _unused_in_a(portal_a, model, make):
    """Make objects in B (`make()`) until one's pk does not exist in A: ids are per schema."""
    for _ in range(20):
        obj = make()
        with in_portal(portal_a):
            if not model.objects.filter(pk=obj.pk).exists():
                return obj
    raise AssertionError(f"every {model.__name__} id made in B exists in A")


def foreign_objects(portal_a, portal_b) -> tuple[dict, list[str]]:
    """B's objects by key, and the distinctive texts that must never show up on A."""
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC
    from allauth.mfa.models import Authenticator

    from members.models import Invitation
    from members.services import invitation_create, invitation_token_issue
    from news.services import post_create
    from tenants.models import Domain
    from themes import selectors as theme_selectors
    from themes.models import ThemeVersion
    from themes.services import theme_publish, theme_update_draft

    b_admin = admin_of(portal_b, email="bertha.admin@beta-only.example")
    serial = iter(range(1000))
    member = _unused_in_a(
        portal_a,
        User,
        lambda: member_of(
            portal_b,
            email=f"bruno{next(serial)}@beta-only.example",
            display_name="Bruno Betaonly",
        ),
    )
    from news.models import Post

    def b_post():
        with in_portal(portal_b):
            return post_create(author=member, body="Quokka-Beta-Only news of portal B")

    post = _unused_in_a(portal_a, Post, b_post)
    with in_portal(portal_b):
        invitation = _unused_in_a(
            portal_a,
            Invitation,
            lambda: invitation_create(
                email=f"invitee{next(serial)}@beta-only.example",
                display_name="Ingrid Betaonly",
                actor=b_admin,
            ),
        )
        _, invitation_token = invitation_token_issue(invitation_id=invitation.pk)
        mfa_activate(member)
        authenticator = Authenticator.objects.filter(user=member).latest("pk")
        reset_token = default_token_generator.make_token(member)
        address = EmailAddress.objects.get(user=member)
        confirmation_key = EmailConfirmationHMAC(address).key
    with in_portal(portal_a):
        assert not Authenticator.objects.filter(pk=authenticator.pk).exists()
        a_hashes = set(ThemeVersion.objects.values_list("css_hash", flat=True))
        a_number = ThemeVersion.objects.aggregate(n=Max("number"))["n"] or 0
    with in_portal(portal_b):
        tokens = dict(theme_selectors.draft().tokens)
        for radius in (17, 19, 23, 3):
            theme_update_draft(tokens={**tokens, "radius": str(radius)}, site_name="Betaland Only")
            version = theme_publish(actor=b_admin)
            if version.css_hash not in a_hashes:
                break
        while version.number <= a_number:
            version = theme_publish(actor=b_admin)
        assert version.css_hash not in a_hashes
    domain = Domain.objects.create(
        domain="portal-b-only.example", tenant=portal_b, is_primary=False, is_verified=False
    )
    spaces_era = _spaces_era_objects(portal_a, portal_b, member=member, serial=serial)
    objects = {
        **spaces_era,
        "member_pk": str(member.pk),
        "post_pk": str(post.pk),
        "member_uidb64": urlsafe_base64_encode(force_bytes(member.pk)),
        "member_uidb36": int_to_base36(member.pk),
        "member_reset_token": reset_token,
        "email_confirmation_key": confirmation_key,
        "authenticator_pk": str(authenticator.pk),
        "invitation_pk": str(invitation.pk),
        "invitation_token": invitation_token,
        "css_hash": version.css_hash,
        "theme_number": str(version.number),
        "domain_pk": str(domain.pk),
    }
    secrets = [
        "beta-only.example",
        "Bruno Betaonly",
        "Ingrid Betaonly",
        "Quokka-Beta-Only",
        "Betaland Only",
        "portal-b-only.example",
        "Tapir-Beta-Only",
    ]
    return objects, secrets


def _spaces_era_objects(portal_a, portal_b, *, member, serial) -> dict:
    """B's public space (its slug unknown in A) with a membership request, a thread, a comment,
    a folder and a document; a notification of B's member and their unsubscribe token."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from comments.services import comment_create
    from discussions.services import thread_create
    from documents.services import document_upload, folder_create
    from notifications.models import Notification
    from notifications.tokens import unsubscribe_token
    from spaces.models import JoinPolicy, SpaceMembership, SpaceVisibility
    from spaces.services import space_create, space_join

    with in_portal(portal_b):
        space = space_create(
            actor=member,
            name="Tapir-Beta-Only space",
            visibility=SpaceVisibility.PUBLIC,
            join_policy=JoinPolicy.REQUEST,
            description="Tapir-Beta-Only description",
        )
        membership = _unused_in_a(
            portal_a,
            SpaceMembership,
            lambda: space_join(
                user=member_of(portal_b, email=f"asker{next(serial)}@beta-only.example"),
                space=space,
                message="Tapir-Beta-Only request",
            ),
        )
        thread = thread_create(
            author=member, space=space, title="Tapir-Beta-Only thread", body="Tapir-Beta-Only"
        )
        comment = comment_create(author=member, target=thread, body="Tapir-Beta-Only comment")
        folder = folder_create(user=member, space=space, name="Tapir-Beta-Only folder")
        document = document_upload(
            user=member,
            space=space,
            folder=folder,
            file=SimpleUploadedFile("tapir.txt", b"Tapir-Beta-Only file", "text/plain"),
            title="Tapir-Beta-Only document",
        )
        from ideas.models import Idea
        from ideas.services import idea_post

        idea = _unused_in_a(
            portal_a,
            Idea,
            lambda: idea_post(
                author=member, title="Tapir-Beta-Only idea", description="Tapir-Beta-Only"
            ),
        )
        proposal, step, body = _proposal_objects(
            portal_a, portal_b, member=member, space=space, serial=serial
        )
        events_era = _event_objects(portal_a, member=member, space=space)
        notification = Notification.objects.filter(recipient=member).latest("pk")
        token = unsubscribe_token(member)
    with in_portal(portal_a):
        from spaces.models import Space

        assert not Space.objects.filter(slug=space.slug).exists()
    return {
        "space_slug": space.slug,
        "space_membership_pk": str(membership.pk),
        "thread_pk": str(thread.pk),
        "comment_pk": str(comment.pk),
        "folder_pk": str(folder.pk),
        "document_pk": str(document.pk),
        "version_number": "1",
        "notification_pk": str(notification.pk),
        "unsubscribe_token": token,
        "idea_pk": str(idea.pk),
        "proposal_pk": str(proposal.pk),
        "proposal_step_pk": str(step.pk),
        "body_pk": str(body.pk),
        **events_era,
    }


def _event_objects(portal_a, *, member, space) -> dict:
    """A space event of B with a category, a calendar subscription of B's space and B's
    member's feed token; ids unknown in A (call inside B)."""
    import datetime

    from events import services
    from events.models import CalendarSubscription, Event, EventCategory

    admin = User.objects.filter(role=Role.ADMIN).first() or member
    category = _unused_in_a(
        portal_a,
        EventCategory,
        lambda: services.category_save(
            actor=admin, name=f"Tapir-Beta-Only category {EventCategory.objects.count()}"
        ),
    )
    start = timezone.now() + datetime.timedelta(days=30)
    event = _unused_in_a(
        portal_a,
        Event,
        lambda: services.event_create(
            actor=member,
            space=space,
            fields=services.EventFields(
                title="Tapir-Beta-Only event",
                description="Tapir-Beta-Only",
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=2),
                category_id=category.pk,
            ),
        ),
    )
    subscription = _unused_in_a(
        portal_a,
        CalendarSubscription,
        lambda: CalendarSubscription.objects.create(
            space=space,
            url=f"https://calendar.example/{CalendarSubscription.objects.count()}.ics",
            created_by=member,
        ),
    )
    token = services.feed_token_get_or_create(user=member).token
    return {
        "event_pk": str(event.pk),
        "event_category_pk": str(category.pk),
        "calendar_subscription_pk": str(subscription.pk),
        "feed_token": token,
    }


def _proposal_objects(portal_a, portal_b, *, member, space, serial):
    """A submitted proposal of B's space with an answer PDF on its timeline, and its body; ids
    that A does not use (the caller is in B's schema)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from proposals import services
    from proposals.models import Proposal, ProposalStep, RecipientBody

    admin = member_of(portal_b, Role.ADMIN, email=f"padmin{next(serial)}@beta-only.example")
    services.settings_update(actor=admin, cosigner_threshold=0)
    body = _unused_in_a(
        portal_a,
        RecipientBody,
        lambda: services.body_save(
            actor=admin, name="Tapir-Beta-Only council", kind="council", email="c@beta-only.example"
        ),
    )
    proposal = _unused_in_a(
        portal_a,
        Proposal,
        lambda: services.proposal_start(
            actor=member,
            space=space,
            title="Tapir-Beta-Only proposal",
            text="Tapir-Beta-Only text",
            recipient_id=body.pk,
        ),
    )
    services.proposal_submit(actor=member, proposal=proposal)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    step = services.proposal_record_step(
        actor=admin,
        proposal=proposal,
        status="decided",
        decision="referred",
        attachment=SimpleUploadedFile("answer.pdf", pdf, "application/pdf"),
    )
    with in_portal(portal_a):
        assert not ProposalStep.objects.filter(pk=step.pk).exists()
    return proposal, step, body


def url_pairs(route, objects: dict) -> list[tuple[str, str]]:
    """(URL with B's objects, the same URL with objects that exist nowhere), per variant."""
    sizes = [len(v) for v in FOREIGN_ARGS[route.name].values() if isinstance(v, tuple)]
    return [url_for(route, objects, n) for n in range(sizes[0] if sizes else 1)]


def url_for(route, objects: dict, variant: int) -> tuple[str, str]:
    foreign = nowhere = "/" + route.route.replace("^", "").replace("$", "")
    for param, source in FOREIGN_ARGS[route.name].items():
        pattern = re.compile(r"<(?:\w+:)?" + param + r">|\(\?P<" + param + r">[^)]*\)")
        if isinstance(source, tuple):
            foreign = pattern.sub(source[variant], foreign)
            nowhere = pattern.sub(source[variant], nowhere)
        else:
            foreign = pattern.sub(objects[source], foreign)
            nowhere = pattern.sub(MISSING[source], nowhere)
    return foreign, nowhere


# What an id, key or token that exists in no schema looks like, per kind of object.
MISSING = {
    "member_pk": str(NOWHERE),
    "post_pk": str(NOWHERE),
    "member_uidb64": urlsafe_base64_encode(force_bytes(NOWHERE)),
    "member_uidb36": int_to_base36(NOWHERE),
    "member_reset_token": "cz0abc-0123456789abcdef0123456789abcdef",
    "email_confirmation_key": "nowhere" * 6,
    "authenticator_pk": str(NOWHERE),
    "invitation_pk": str(NOWHERE),
    "invitation_token": "Nowhere-Invitation-Token-0123456789abcdefXYZ",
    "css_hash": "0" * 16,
    "theme_number": str(NOWHERE),
    "domain_pk": str(NOWHERE),
    "space_slug": "nowhere-space",
    "space_membership_pk": str(NOWHERE),
    "thread_pk": str(NOWHERE),
    "comment_pk": str(NOWHERE),
    "folder_pk": str(NOWHERE),
    "document_pk": str(NOWHERE),
    "version_number": "1",
    "notification_pk": str(NOWHERE),
    "unsubscribe_token": "Nowhere-Unsubscribe-Token.0123456789abcdef:xyz",
    "idea_pk": str(NOWHERE),
    "proposal_pk": str(NOWHERE),
    "proposal_step_pk": str(NOWHERE),
    "body_pk": str(NOWHERE),
    "event_pk": str(NOWHERE),
    "event_category_pk": str(NOWHERE),
    "calendar_subscription_pk": str(NOWHERE),
    "feed_token": "Nowhere-Feed-Token-0123456789abcdefXYZ",
}
CSRF = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+"')


def expected(access: Access, role: str) -> str:
    role = "visitor" if role in ANONYMOUS_ON_A else role
    if access is Access.MODERATOR:
        return {"visitor": "login", "member": "403"}.get(role, "404")
    role = "member" if role == "moderator" else role
    if access is Access.ADMIN:
        return {"visitor": "login", "member": "403", "admin": "404"}[role]
    if access is Access.MEMBER and role == "visitor":
        return "login-or-404"
    return "404"


def fingerprint(response, url: str) -> tuple:
    """What a caller can tell apart: status, redirect and body, with the requested URL (plain
    and percent-encoded) and the CSRF token masked."""
    body = CSRF.sub(rb"\1*", response.content)
    where = response.get("Location", "")
    for form in (url, quote(url, safe=""), quote(url)):
        body = body.replace(form.encode(), b"<url>")
        where = where.replace(form, "<url>")
    return response.status_code, where, body


def verdict(route, response, want: str) -> bool:
    status = response.status_code
    if status == 405:
        return True
    gate = GATED_BEFORE_LOOKUP.get(route.name)
    if gate and status == 302 and response["Location"].startswith(gate):
        return True
    to_login = status == 302 and response["Location"].startswith("/accounts/login/")
    # The API has no login page: it answers someone not logged in with 403 before any lookup.
    api_refusal = hasattr(route.view, "cls") and status == 403
    return {
        "404": status == 404,
        "403": status == 403,
        "login": to_login or api_refusal,
        "login-or-404": to_login or status == 404 or api_refusal,
    }[want]


def test_no_route_of_portal_a_answers_for_portal_bs_objects(portal_a, portal_b):
    for feature in ("own_domain", "api_access", "member_directory", "documents", "proposals"):
        # Community has none of these: grant them, so that the requests reach the views.
        FeatureGrant.objects.create(
            portal=portal_a, feature=feature, expires_at=timezone.now() + timedelta(days=1)
        )
        set_feature(portal_a, feature, True)
    # A's accounts first: ids are per schema, B's objects are then made with ids A lacks.
    clients = clients_on(portal_a, portal_b)
    objects, secrets = foreign_objects(portal_a, portal_b)
    failures, n = [], 0
    for route in object_routes():
        if route.name not in FOREIGN_ARGS:
            continue
        access = classify(route)
        assert access is not None, route.name
        for url, nowhere in url_pairs(route, objects):
            for role in ROLES:
                for method in METHODS:
                    if (route.name, role, method) in KNOWN_FINDINGS:
                        continue
                    response = getattr(clients[role], method)(url)
                    n += 1
                    body = response.content.decode(errors="replace")
                    leaked = [s for s in secrets if s in body]
                    want = expected(access, role)
                    problem = ""
                    if leaked or not verdict(route, response, want):
                        problem = f"wanted {want}, got {response.status_code} leaked={leaked}"
                    elif url != nowhere:
                        control = getattr(clients[role], method)(nowhere)
                        if fingerprint(response, url) != fingerprint(control, nowhere):
                            problem = (
                                f"answers B's object ({response.status_code}) differently "
                                f"from a missing one ({control.status_code})"
                            )
                    if problem:
                        where = response.get("Location", "")
                        failures.append(
                            f"{route.name} {method.upper()} {url} as {role}: {problem} {where}"
                        )
    CASES["cross-tenant matrix"] += n
    assert n >= 250
    assert failures == [], "\n".join(failures)


def test_objects_of_portal_a_that_the_caller_may_not_see_are_the_same_404(portal_a, portal_b):
    """Members who are not (or no longer) active are nobody's business outside the admin area:
    their profile page is the 404 of an id that exists nowhere, for every role. (Members-only
    and private spaces join this list with the Spaces module.)"""
    from accounts.models import MemberStatus

    clients = clients_on(portal_a, portal_b)
    hidden = {
        status: member_of(
            portal_a, status=status, is_active=False, display_name=f"Hidden {status} person"
        )
        for status in (MemberStatus.PENDING, MemberStatus.BLOCKED)
    }
    failures, n = [], 0
    for status, person in hidden.items():
        url, nowhere = f"/accounts/people/{person.pk}/", f"/accounts/people/{NOWHERE}/"
        for role in ROLES:
            response, control = clients[role].get(url), clients[role].get(nowhere)
            n += 1
            if response.status_code != 404 or fingerprint(response, url) != fingerprint(
                control, nowhere
            ):
                failures.append(f"{status} member's page as {role}: {response.status_code}")
            assert f"Hidden {status} person".encode() not in response.content
    assert n == 2 * len(ROLES)
    assert failures == [], "\n".join(failures)


def test_a_private_space_and_everything_in_it_is_the_404_of_nothing_to_outsiders(
    portal_a, portal_b
):
    """A private space of A, its thread, comment, document, feed and API answers: for everyone
    outside the space the 404 of a slug or id that exists nowhere — same status, same body,
    and the same number of queries (no timing difference from extra work). The space's own
    member and the portal's moderators see it (the positive controls)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from comments.services import comment_create
    from discussions.services import thread_create
    from documents.services import document_upload
    from spaces.models import SpaceVisibility
    from spaces.services import space_create

    for feature in ("private_spaces", "documents", "api_access"):
        FeatureGrant.objects.create(
            portal=portal_a, feature=feature, expires_at=timezone.now() + timedelta(days=1)
        )
        set_feature(portal_a, feature, True)
    clients = clients_on(portal_a, portal_b)
    owner = member_of(portal_a, display_name="Pia Privat")
    with in_portal(portal_a):
        space = space_create(
            actor=owner, name="Okapi-Private circle", visibility=SpaceVisibility.PRIVATE
        )
        thread = thread_create(author=owner, space=space, title="Okapi-Private", body="secret")
        comment = comment_create(author=owner, target=thread, body="Okapi-Private comment")
        document = document_upload(
            user=owner,
            space=space,
            folder=None,
            file=SimpleUploadedFile("o.txt", b"Okapi-Private file", "text/plain"),
            title="Okapi-Private document",
        )
    slug, n = space.slug, NOWHERE
    pairs = [
        (f"/spaces/{slug}/", "/spaces/nowhere-space/"),
        (f"/spaces/{slug}/discussions/", "/spaces/nowhere-space/discussions/"),
        (f"/spaces/{slug}/discussions/feed/", "/spaces/nowhere-space/discussions/feed/"),
        (f"/spaces/{slug}/discussions/{thread.pk}/", f"/spaces/nowhere-space/discussions/{n}/"),
        (f"/comments/{comment.pk}/history/", f"/comments/{n}/history/"),
        (
            f"/spaces/{slug}/documents/{document.pk}/download/",
            f"/spaces/nowhere-space/documents/{n}/download/",
        ),
        (f"/api/v1/spaces/{slug}/", "/api/v1/spaces/nowhere-space/"),
        (f"/api/v1/threads/{thread.pk}/", f"/api/v1/threads/{n}/"),
        (f"/api/v1/comments/{comment.pk}/", f"/api/v1/comments/{n}/"),
        (f"/api/v1/documents/{document.pk}/", f"/api/v1/documents/{n}/"),
    ]
    failures, checked = [], 0
    for role in ("visitor", "member", "staff", "foreign_member"):
        for url, nowhere in pairs:
            client = clients[role]
            client.get(nowhere)  # warm the per-process caches (routing, features, types)
            with CaptureQueriesContext(connection) as seen:
                response = client.get(url)
            with CaptureQueriesContext(connection) as control_seen:
                control = client.get(nowhere)
            checked += 1
            if fingerprint(response, url) != fingerprint(control, nowhere):
                failures.append(f"{url} as {role}: {response.status_code} vs {control.status_code}")
            elif response.status_code not in (302, 403, 404):
                failures.append(f"{url} as {role}: answered {response.status_code}")
            if len(seen) != len(control_seen):
                failures.append(f"{url} as {role}: {len(seen)} queries vs {len(control_seen)}")
            assert b"Okapi-Private" not in response.content, (url, role)
    assert checked == 40
    assert failures == [], "\n".join(failures)
    # Positive controls: the space's member and the portal's moderator reach every page.
    from tests.accounts.factories import logged_in_client

    for client in (logged_in_client(portal_a, owner), clients["moderator"]):
        for url, _nowhere in pairs:
            assert client.get(url).status_code == 200, url
