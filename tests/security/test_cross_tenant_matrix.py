"""The cross-tenant matrix: every classified route of the portal URLconf that takes an object id
is asked on portal A's host for objects that exist only in portal B, by a visitor, a member of A
and an admin of A, with GET and POST.

Expected answers (the issue: 404 for foreign objects, 403 for admin-only routes to members):
- ADMIN routes: the admin gate runs first, so a visitor is sent to the login page and a member
  gets 403 whatever the id; the admin of A gets 404.
- MEMBER routes: a visitor is sent to the login page (or gets 404); members and admins get 404.
- PUBLIC routes: 404 for every role.
- A 405 is accepted everywhere: the method check runs before any lookup and answers the same for
  every id (e.g. GET on a POST-only action), so it tells nothing about B's objects.
And no response body may contain B's distinctive data (addresses, names, texts, domain).

The routes and their arguments are generated from the URLconf walk; a new route with an object id
that `FOREIGN_ARGS` does not know fails the suite, so every future endpoint joins the matrix.
Cases the code gets wrong today are in `KNOWN_FINDINGS` (left out, each with its reason) instead
of being marked xfail.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db.models import Max
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import int_to_base36, urlsafe_base64_encode

from accounts.models import User
from core.access import Access, classify
from core.routing import walk
from features.models import FeatureGrant
from tests.accounts.factories import admin_of, log_in, member_of, mfa_activate
from tests.conftest import host_of, in_portal
from tests.features.conftest import set_feature

pytestmark = pytest.mark.django_db
ROLES = ("visitor", "member", "admin")
METHODS = ("get", "post")

# A path converter (<int:pk>, <str:token>, …) or a named regex group ((?P<key>…)).
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")

# Route name -> {parameter: which of B's objects (a key of `foreign_objects`) or literal values}.
FOREIGN_ARGS: dict[str, dict[str, str | tuple[str, ...]]] = {
    "accounts:person": {"pk": "member_pk"},
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
KNOWN_FINDINGS: dict[tuple[str, str, str], str] = {
    **{
        ("account_confirm_email", role, "get"): (
            "allauth answers an unknown (here: portal B's) confirmation key with its 'link "
            "invalid or expired' page and status 200, not 404; nothing of B is shown"
        )
        for role in ROLES
    },
}

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
    with in_portal(portal_b):
        post_create(author=member, body="Quokka-Beta-Only news of portal B")
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
    objects = {
        "member_pk": str(member.pk),
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
    ]
    return objects, secrets


def urls_for(route, objects: dict) -> list[str]:
    urls = ["/" + route.route.replace("^", "").replace("$", "")]
    for param, source in FOREIGN_ARGS[route.name].items():
        values = source if isinstance(source, tuple) else (objects[source],)
        pattern = re.compile(r"<(?:\w+:)?" + param + r">|\(\?P<" + param + r">[^)]*\)")
        urls = [pattern.sub(value, url) for url in urls for value in values]
    return urls


def expected(access: Access, role: str) -> str:
    if access is Access.ADMIN:
        return {"visitor": "login", "member": "403", "admin": "404"}[role]
    if access is Access.MEMBER and role == "visitor":
        return "login-or-404"
    return "404"


def verdict(route, response, want: str) -> bool:
    status = response.status_code
    if status == 405:
        return True
    gate = GATED_BEFORE_LOOKUP.get(route.name)
    if gate and status == 302 and response["Location"].startswith(gate):
        return True
    to_login = status == 302 and response["Location"].startswith("/accounts/login/")
    return {
        "404": status == 404,
        "403": status == 403,
        "login": to_login,
        "login-or-404": to_login or status == 404,
    }[want]


def test_no_route_of_portal_a_answers_for_portal_bs_objects(portal_a, portal_b, capsys):
    for feature in ("own_domain", "api_access", "member_directory"):
        # Community has none of these: grant them, so that the requests reach the views.
        FeatureGrant.objects.create(
            portal=portal_a, feature=feature, expires_at=timezone.now() + timedelta(days=1)
        )
        set_feature(portal_a, feature, True)
    # A's accounts first: ids are per schema, B's objects are then made with ids A lacks.
    # Logged in through the form, so allauth's reauthentication check does not step in first.
    clients = {
        "visitor": Client(HTTP_HOST=host_of(portal_a)),
        "member": log_in(Client(HTTP_HOST=host_of(portal_a)), member_of(portal_a)),
        "admin": log_in(Client(HTTP_HOST=host_of(portal_a)), admin_of(portal_a)),
    }
    objects, secrets = foreign_objects(portal_a, portal_b)
    failures, n = [], 0
    for route in object_routes():
        if route.name not in FOREIGN_ARGS:
            continue
        access = classify(route)
        assert access is not None, route.name
        for url in urls_for(route, objects):
            for role in ROLES:
                for method in METHODS:
                    if (route.name, role, method) in KNOWN_FINDINGS:
                        continue
                    response = getattr(clients[role], method)(url)
                    n += 1
                    body = response.content.decode(errors="replace")
                    leaked = [s for s in secrets if s in body]
                    want = expected(access, role)
                    if leaked or not verdict(route, response, want):
                        where = response.get("Location", "")
                        failures.append(
                            f"{route.name} {method.upper()} {url} as {role}: wanted {want}, "
                            f"got {response.status_code} {where} leaked={leaked}"
                        )
    with capsys.disabled():
        print(f"\ncross-tenant matrix: {n} cases")
    assert n >= 100
    assert failures == [], "\n".join(failures)
