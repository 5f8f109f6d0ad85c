"""The site the accessibility walk visits: a committed portal of its own with an admin, a member,
an invitation, a pending e-mail address and the rest that pages with an id need; an order and an
operator on the platform host; and, for every route of both URLconfs, the address to open and who
opens it.

Routes come from `core.routing.walk`, classes from `core.access.classify`, so a route added
tomorrow is visited tomorrow: `page_for` returns the URL with real ids filled in, or a reason why
the route is no page (`NO_PAGE`) — a route with a parameter it cannot fill fails the walk.
Everything made here is deleted by `teardown`, also after an aborted earlier run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tenants.utils import schema_exists, tenant_context

from accounts.models import Role, User
from core.access import Access, classify
from core.models import AuditEvent
from core.routing import Route, walk
from tenants.models import Portal
from tenants.schemas import drop_schema
from tests.accounts.factories import (
    host_of,
    log_in,
    logged_in_client,
    member_of,
    mfa_activate,
    staff_user,
)

SUBDOMAIN = "a11y-walk"
OPERATOR = "a11y-operator@allmende.example"
ORDER_SUBDOMAIN = "a11y-order"
CREATED_PAGES: set[str] = set()  # platform pages the walk wrote (others' stay)

# Routes that are no page a person looks at, by name (or route for unnamed ones), and why.
NO_PAGE = {
    "themes:stylesheet": "a stylesheet",
    "themes:draft_stylesheet": "a stylesheet",
    "members:export": "a CSV download",
    "mfa_download_recovery_codes": "a text download",
    "media": "uploaded files",
    # A security key's pages need a key registered by a real (virtual) authenticator; that is
    # tests/accounts/test_webauthn_browser.py's journey, which has no axe run yet.
    "mfa_remove_webauthn": "needs a registered security key",
    "mfa_edit_webauthn": "needs a registered security key",
    "favicon": "an icon",
    "platform_favicon": "an icon",
    "healthz": "a machine endpoint",
    "tls_allowed": "a machine endpoint",
    "billing:stripe_webhook": "a machine endpoint",
    "billing:subdomain_check": "JSON for the order form's live check",
    "billing:order_status": "JSON the order page polls",
    "billing:order_pay": "POST only (the order page's payment step)",
    "billing:order_setup": "POST only (the order page's payment step)",
    "billing:order_resend": "POST only",
    "set_language": "POST only (the language switcher)",
    "news:post_create": "POST only (the form is on the start page)",
    "accounts:delete": "POST only (the form is on the account page)",
    "accounts:data": "a JSON download of the member's data",
    "members:role": "POST only (forms on the member page)",
    "members:block": "POST only (forms on the member page)",
    "members:unblock": "POST only (forms on the member page)",
    "members:approve": "POST only (forms on the member page)",
    "members:decline": "POST only (forms on the member page)",
    "members:invitation_resend": "POST only (forms on the invitations page)",
    "members:invitation_revoke": "POST only (forms on the invitations page)",
    "members:invitation_confirm": "POST only (the upload page's second step)",
    "invitations:renew": "POST only (the button on an expired invitation's page)",
    "themes:apply_preset": "POST only (the theme editor's preset form)",
    "themes:revert": "POST only (the theme editor's version list)",
    "billing_portal:action": "POST only (the billing page's forms)",
    "billing_portal:pay": "POST only",
    "billing_portal:setup": "POST only",
    "domains:action": "POST only (the domains page's forms)",
    "admin:jsi18n": "the console's JavaScript catalogue",
    "admin:autocomplete": "JSON for the console's autocomplete",
    "admin:view_on_site": "a redirect to the object's page",
    "admin:logout": "POST only",
    "admin:tenants_portalexport_download": "a file download",
    "operator/login/": "a redirect to the login page",
    "operator/(?P<url>.*)$": "the console's catch-all (404 or a redirect)",
    # The REST API's browsable pages are DRF's own templates for developers; members reach the
    # API with a token, and its HTML rendering is not offered in the portal's navigation.
    "api-root": "the REST API",
    "posts-list": "the REST API",
    "features-list": "the REST API",
    "features-detail": "the REST API",
    "members-list": "the REST API",
    "members-me": "the REST API",
    # Spaces and what lives in them.
    **{
        f"spaces:{name}": "POST only (forms on the space page)"
        for name in (
            "join",
            "leave",
            "invitation_accept",
            "invitation_decline",
            "archive",
            "unarchive",
        )
    },
    **{
        f"spaces:{name}": "POST only (forms on the space's members page)"
        for name in ("invite", "admin_transfer", "request_decide", "member_remove")
    },
    "discussions:pin": "POST only (the button on the thread page)",
    "discussions:feed": "an Atom feed",
    "comments:create": "POST only (the form under each item)",
    "comments:reply": "POST only (the reply form under each comment)",
    "documents:folder_create": "POST only (the form on the documents page)",
    "documents:folder_delete": "POST only (the button on the folder page)",
    "documents:version_add": "POST only (the form on the document page)",
    "documents:delete": "POST only (the button on the document page)",
    "documents:download": "a file download",
    "documents:download_version": "a file download",
    "moderation:decide": "POST only (the queue's forms)",
    "notifications:open": "a redirect to what the notification is about",
    **{
        f"ideas:{name}": "POST only (buttons on the idea page)"
        for name in ("support", "withdraw", "start_project")
    },
    "ideas:status": "POST only (the moderators' form on the idea page)",
    "ideas:feed_rss": "an RSS feed",
    "ideas:feed_atom": "an Atom feed",
    "ideas:export": "a CSV download",
    **{
        f"proposals:{name}": "POST only (buttons on the proposal page)"
        for name in ("cosign", "unsign")
    },
    "proposals:step": "POST only (the moderators' form on the proposal page)",
    "proposals:letter": "a PDF download",
    "proposals:answer": "a PDF download",
    **{
        f"events:{name}": "POST only (buttons on the event page)"
        for name in ("cancel", "rsvp", "rsvp_withdraw")
    },
    "events:mine_rotate": "POST only (the button on the member's calendar page)",
    "events:clash_hints": "an HTML fragment the event form's script inserts",
    "events:feed_rss": "an RSS feed",
    "events:feed_atom": "an Atom feed",
    **{
        f"events:{name}": "an iCal calendar"
        for name in ("ical", "ical_category", "ical_member", "ical_event")
    },
    "space_events:ical": "an iCal calendar",
    **{
        f"space_events:{name}": "POST only (forms on the space's events page)"
        for name in ("subscription_add", "subscription_import", "subscription_delete")
    },
    **{
        f"events_manage:{name}": "POST only (forms on the calendar's admin page)"
        for name in ("category_create", "category_edit")
    },
    "places:geojson": "GeoJSON for the map's script",
    "council:feed_rss": "an RSS feed",
    "council:feed_atom": "an Atom feed",
    "council:export": "a CSV download",
    "proposals_manage:threshold": "POST only (a form on the proposals admin page)",
    "proposals_manage:oparl": "POST only (a form on the proposals admin page)",
    "notifications:mark_all_read": "POST only (the button on the notifications page)",
    "notifications:follow": "POST only (the follow buttons)",
    "notifications:unfollow": "POST only (the follow buttons)",
    **{
        name: "the REST API"
        for name in (
            "spaces-list",
            "spaces-detail",
            "space-memberships-list",
            "space-memberships-join",
            "space-memberships-leave",
            "space-memberships-detail",
            "threads-list",
            "threads-detail",
            "comments-list",
            "comments-detail",
            "documents-list",
            "documents-detail",
            "reports-list",
            "notifications-list",
            "notifications-read-all",
            "notifications-unread-count",
            "notifications-detail",
            "notifications-read",
            "ideas-list",
            "ideas-detail",
            "ideas-support",
            "ideas-withdraw",
            "events-list",
            "places-list",
            "events-detail",
            "events-cancel",
            "events-rsvp",
            "proposals-list",
            "proposals-detail",
            "proposals-cosign",
            "proposals-unsign",
        )
    },
}

ROLE_FOR = {
    Access.PUBLIC: "visitor",
    Access.MEMBER: "member",
    Access.ADMIN: "admin",
    Access.MODERATOR: "admin",  # the portal's admins moderate too
    Access.PLATFORM: "platform_visitor",
}
PLATFORM_ROLES = ("platform_visitor", "operator")
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


@dataclass
class Site:
    portal: Portal
    port: int
    cookies: dict[str, list[dict]] = field(default_factory=dict)  # role -> browser cookies
    ids: dict[str, str] = field(default_factory=dict)  # route name -> filled parameters
    queries: dict[str, str] = field(default_factory=dict)  # route name -> query string

    def base(self, role: str) -> str:
        host = settings.PLATFORM_DOMAIN if role in PLATFORM_ROLES else host_of(self.portal)
        return f"http://{host}:{self.port}"


def _cookies_of(client: Client, host: str, port: int) -> list[dict]:
    return [
        {"name": name, "value": morsel.value, "url": f"http://{host}:{port}/"}
        for name, morsel in client.cookies.items()
    ]


def teardown() -> None:
    """Delete the walk's portal, order and operator, whatever run made them."""
    from billing.models import BillingAccount, Order

    for portal in Portal.objects.filter(slug=SUBDOMAIN):
        AuditEvent.objects.filter(portal=portal).delete()
        BillingAccount.objects.filter(portal=portal).delete()
        schema = portal.schema_name
        Portal.objects.filter(pk=portal.pk).delete()
        if schema_exists(schema):
            drop_schema(schema)
    from tenants.models import PlatformPage

    PlatformPage.objects.filter(kind__in=CREATED_PAGES).delete()
    CREATED_PAGES.clear()
    orders = Order.objects.filter(subdomain=ORDER_SUBDOMAIN)
    AuditEvent.objects.filter(
        object_type="billing.order", object_id__in=[str(pk) for pk in orders.values_list("pk")]
    ).delete()
    orders.delete()
    # The operator lives in public, where the portal apps' tables (which a cascading delete
    # would look into) do not exist: delete what refers to them, then the row itself.
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from django.contrib.admin.models import LogEntry

    operators = User.objects.filter(email=OPERATOR)
    for model in (EmailAddress, Authenticator, LogEntry):
        model.objects.filter(user__in=operators).delete()
    operators._raw_delete(operators.db)


def build(port: int) -> Site:
    """Make everything the walk's pages need (committed: the server is another process)."""
    from allauth.account.forms import default_token_generator as reset_tokens
    from allauth.account.models import EmailAddress, EmailConfirmation
    from allauth.account.utils import user_pk_to_url_str
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from django.contrib.sessions.backends.db import SessionStore

    from billing import services as billing
    from billing.models import BillingAccount
    from features.models import FeatureGrant, FeatureSwitch
    from members.services import invitation_create, invitation_token_issue
    from tenants.models import PlatformPage
    from tenants.services import portal_provision
    from themes.services import theme_update_draft

    portal = portal_provision(
        name="Barrierefrei testen",
        subdomain=SUBDOMAIN,
        admin_email=f"first-admin@{SUBDOMAIN}.example",
        plan="professional",
        actor_label="tests",
    ).portal
    for feature in ("own_domain", "member_directory"):
        FeatureGrant.objects.create(
            portal=portal, feature=feature, expires_at=timezone.now() + timedelta(days=1)
        )
        FeatureSwitch.objects.update_or_create(
            portal=portal, feature=feature, defaults={"enabled": True}
        )
    # A paying portal's billing pages read the account; nothing here asks Stripe.
    BillingAccount.objects.create(
        portal=portal,
        stripe_customer_id=f"cus_{SUBDOMAIN}",
        billing_email=f"billing@{SUBDOMAIN}.example",
        paid_plan_id="professional",
        status=BillingAccount.Status.ACTIVE,
        current_period_end=timezone.now() + timedelta(days=20),
    )
    for kind in PlatformPage.Kind.values:
        _, created = PlatformPage.objects.get_or_create(
            kind=kind, defaults={"body": f"<p>{kind}: Allmende-Betrieb, Kiel</p>"}
        )
        if created:
            CREATED_PAGES.add(kind)
    site = Site(portal=portal, port=port)
    host = host_of(portal)
    admin = member_of(portal, Role.ADMIN, email="ada@a11y.example", display_name="Ada Admin")
    member = member_of(portal, email="mo@a11y.example", display_name="Mo Mitglied")
    with tenant_context(portal):
        mfa_activate(member)
        RecoveryCodes.activate(member)
        pending = EmailAddress.objects.create(
            user=member, email="mo.second@a11y.example", verified=False, primary=False
        )
        confirmation = EmailConfirmation.create(pending)
        confirmation.sent = timezone.now()
        confirmation.save()
        theme_update_draft(
            impressum="<p>Verein für Barrierefreiheit, Rathausplatz 1, 24103 Kiel</p>",
            privacy="<p>Wir speichern nur, was das Portal braucht.</p>",
        )
        invitation = invitation_create(
            email="neu@a11y.example", display_name="Nia Neu", actor=admin
        )
        _, invitation_token = invitation_token_issue(invitation_id=invitation.pk)
        newcomer = User.objects.create_user(email="set@a11y.example", display_name="Sam Setzt")
        site.ids = {
            "accounts:person": {"pk": member.pk},
            "members:detail": {"pk": member.pk},
            "invitations:accept": {"token": invitation_token},
            "invitations:renew": {"token": invitation_token},
            "accounts:set_password": {
                "uidb64": urlsafe_base64_encode(force_bytes(newcomer.pk)),
                "token": default_token_generator.make_token(newcomer),
            },
            "accounts:confirm_email": {"key": confirmation.key},
            "account_confirm_email": {"key": confirmation.key},
            "accounts:password_reset_from_key": {
                "uidb36": user_pk_to_url_str(member),
                "key": reset_tokens.make_token(member),
            },
            "account_reset_password_from_key": {
                "uidb36": user_pk_to_url_str(member),
                "key": reset_tokens.make_token(member),
            },
            "billing_portal:confirm": {"action": "cancel"},
        }
        site.ids.update(_space_pages(admin=admin, member=member))
        site.queries["moderation:report"] = site.ids.pop("_report_query")["q"]
    site.cookies["visitor"] = []
    # The member has two-factor login (its pages are walked too): a session as after both steps.
    site.cookies["member"] = _cookies_of(logged_in_client(portal, member), host, port)
    site.cookies["admin"] = _cookies_of(log_in(Client(HTTP_HOST=host), admin), host, port)

    # The platform host: a visitor whose session placed an order, and an operator.
    session = SessionStore()
    session["orders"] = True
    session.create()
    from django.utils.crypto import salted_hmac

    browser = salted_hmac(
        "allmende.order.browser", session.session_key, algorithm="sha256"
    ).hexdigest()
    order = billing.order_place(
        browser=browser,
        organisation="Verein für Barrierefreiheit",
        contact_name="Jana Petersen",
        contact_email="jana@a11y-order.example",
        subdomain=ORDER_SUBDOMAIN,
        plan="community",
        interval="month",
        street="Rathausplatz 1",
        postal_code="24103",
        city="Kiel",
        country="DE",
        vat_id="",
        accept_terms=True,
    )
    platform = settings.PLATFORM_DOMAIN
    site.cookies["platform_visitor"] = [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": session.session_key,
            "url": f"http://{platform}:{port}/",
        }
    ]
    operator_client = Client(HTTP_HOST=platform)
    operator = staff_user(email=OPERATOR, display_name="Olga Operator")
    RecoveryCodes.activate(operator)
    operator_client.force_login(operator)
    site.cookies["operator"] = _cookies_of(operator_client, platform, port)
    site.ids.update(
        {
            "billing:order": {"token": order.token},
            "billing:order_confirm": {
                "token": order.token,
                "signature": billing.confirmation_signature(order),
            },
            "admin:auth_user_password_change": {"id": operator.pk},
        }
    )
    console_objects = {
        "features_plan": "professional",
        "tenants_portal": portal.pk,
        "tenants_portalexport": None,
        "tenants_platformpage": None,
        "core_auditevent": AuditEvent.objects.filter(portal=portal).values_list("pk", flat=True)[0],
        "auth_group": None,
        "accounts_user": operator.pk,
        "billing_order": order.pk,
        "billing_billingaccount": None,
        "billing_stripeevent": None,
        "account_emailconfirmation": None,
        "account_emailaddress": EmailAddress.objects.get(user=operator).pk,
        "mfa_authenticator": Authenticator.objects.filter(user=operator)[0].pk,
    }
    site.console_objects = console_objects
    return site


def _space_pages(*, admin, member) -> dict:
    """A public space the member runs, with a thread, an edited comment and a reply, a folder
    and a document; the reply's notification for the member, a report in the admin's queue and
    the member's unsubscribe link: what the spaces-era pages with an id need."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from comments.services import comment_create, comment_edit
    from discussions.services import thread_create, thread_edit
    from documents.services import document_upload, folder_create
    from moderation.models import Reason
    from moderation.services import report_file
    from notifications.tokens import unsubscribe_token
    from spaces.models import SpaceVisibility
    from spaces.services import space_create, space_join

    space = space_create(
        actor=member,
        name="Radwege im Quartier",
        visibility=SpaceVisibility.PUBLIC,
        description="Wir planen **sichere Radwege** für alle.",
        place="Kiel-Gaarden",
    )
    space_join(user=admin, space=space)
    thread = thread_create(
        author=member, space=space, title="Nächstes Treffen", body="Wann passt es euch?"
    )
    thread_edit(user=member, thread=thread, title="Nächstes Treffen im Mai", body="Wann passt es?")
    comment = comment_create(author=member, target=thread, body="Dienstag wäre gut.")
    comment_edit(user=member, comment=comment, body="Dienstag oder Mittwoch wäre gut.")
    reply = comment_create(author=admin, target=thread, body="Mittwoch passt.", parent=comment)
    from news.services import post_create

    post = post_create(author=member, body="Das Sommerfest ist am Samstag.")
    for n, text in enumerate(("Ich komme!", "Wir bringen Kuchen.", "Gibt es Musik?", "Ja.")):
        said = comment_create(author=member if n % 2 else admin, target=post, body=text)
    comment_create(author=member, target=post, body="Super.", parent=said)
    folder = folder_create(user=member, space=space, name="Protokolle")
    document = document_upload(
        user=member,
        space=space,
        folder=folder,
        file=SimpleUploadedFile("protokoll.txt", b"Protokoll vom Treffen", "text/plain"),
        title="Protokoll März",
    )
    report_file(reporter=member, target=reply, reason=Reason.values[0], text="Bitte prüfen")
    from ideas.services import idea_post, idea_support

    idea = idea_post(
        author=member,
        title="Bank am Markt",
        description="Mehr **Sitzplätze** für alle.",
        place="Kiel-Gaarden",
    )
    idea_support(user=admin, idea=idea)
    proposals = _proposal_pages(admin=admin, member=member, space=space, idea=idea)
    events = _event_pages(admin=admin, member=member, space=space)
    slug = {"slug": space.slug}
    return {
        **{f"spaces:{name}": slug for name in ("detail", "edit", "members")},
        **{f"discussions:{name}": slug for name in ("list", "create")},
        **{
            f"discussions:{name}": {**slug, "pk": thread.pk}
            for name in ("thread", "edit", "delete", "history")
        },
        **{f"comments:{name}": {"pk": comment.pk} for name in ("edit", "delete", "history")},
        **{f"documents:{name}": slug for name in ("list", "upload")},
        "documents:folder": {**slug, "folder": folder.pk},
        "documents:detail": {**slug, "pk": document.pk},
        "notifications:unsubscribe": {"token": unsubscribe_token(member)},
        "news:post": {"pk": post.pk},
        "ideas:detail": {"pk": idea.pk},
        "ideas:edit": {"pk": idea.pk},
        "_report_query": {"q": f"?type=comments.comment&id={reply.pk}"},
        **proposals,
        **events,
    }


def _event_pages(*, admin, member, space) -> dict:
    """An event of the space, with a category, an answer and a clash nearby, a subscribed
    outside calendar: what the calendar's pages with an id need."""
    import datetime

    from django.utils import timezone

    from events import services
    from events.models import CalendarSubscription

    category = services.category_save(actor=admin, name="Werkstatt")
    start = (timezone.localtime() + datetime.timedelta(days=3)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    event = services.event_create(
        actor=member,
        space=space,
        fields=services.EventFields(
            title="Fahrrad-Reparaturtag",
            description="Wir reparieren **gemeinsam**.",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=3),
            place="Vinetaplatz, Kiel",
            district="Gaarden",
            latitude="54.314",
            longitude="10.149",
            category_id=category.pk,
            capacity=20,
            rrule="FREQ=WEEKLY;COUNT=4",
        ),
    )
    services.event_create(
        actor=admin,
        fields=services.EventFields(
            title="Stadtteilfest",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=5),
            district="Gaarden",
        ),
    )
    services.rsvp_set(user=admin, event=event, status="going")
    CalendarSubscription.objects.create(
        space=space, url="https://verein.example/termine.ics", created_by=member
    )
    return {
        "events:detail": {"pk": event.pk},
        "events:edit": {"pk": event.pk},
        "space_events:list": {"slug": space.slug},
    }


def _proposal_pages(*, admin, member, space, idea) -> dict:
    """A proposal the council decided (two versions, the timeline, the moderators' form gone)
    and a draft for the drafting pages, both in the member's space; a body to edit."""
    from proposals import services

    services.settings_update(actor=admin, cosigner_threshold=1)
    body = services.body_save(
        actor=admin, name="Ortsbeirat Gaarden", kind="district_council", email="ob@kiel.example"
    )
    decided = services.proposal_start(
        actor=member,
        space=space,
        title="Sichere Radwege in Gaarden",
        text="Der Ortsbeirat möge beschließen:\n\n1. Radwege markieren.",
        recipient_id=body.pk,
        idea_id=idea.pk,
    )
    services.proposal_edit(
        actor=member,
        proposal=decided,
        title=decided.title,
        text=decided.text + "\n2. Ampeln anpassen.",
        recipient_id=body.pk,
        note="Ampeln ergänzt",
    )
    services.proposal_cosign(actor=admin, proposal=decided)
    services.proposal_submit(actor=member, proposal=decided)
    services.proposal_record_step(
        actor=admin, proposal=decided, status="decided", decision="accepted", note="Angenommen."
    )
    draft = services.proposal_start(
        actor=member, space=space, title="Mehr Bänke", text="Bitte Bänke.", recipient_id=body.pk
    )
    where = {"slug": space.slug}
    return {
        "proposals:space_list": where,
        "proposals:create": where,
        "proposals:detail": {**where, "pk": decided.pk},
        "proposals:versions": {**where, "pk": decided.pk},
        "proposals:edit": {**where, "pk": draft.pk},
        "proposals:submit": {**where, "pk": draft.pk},
        "proposals_manage:body_edit": {"pk": body.pk},
    }


def _fill(route: Route, values: dict) -> str:
    def replace(match):
        name = match.group(2) or match.group(3)
        if name not in values:
            raise KeyError(name)
        return str(values[name])

    return "/" + PARAM.sub(replace, route.route).replace("^", "").replace("$", "")


@dataclass(frozen=True)
class Visit:
    url: str  # path, with ids filled in
    role: str
    label: str  # route name (or route), for messages


def visits(site: Site) -> tuple[list[Visit], dict[str, str]]:
    """Every page of both URLconfs to check, and every route left out with the reason."""
    out: list[Visit] = []
    left_out: dict[str, str] = {}
    for urlconf, platform_host in (
        (settings.ROOT_URLCONF, False),
        (settings.PUBLIC_SCHEMA_URLCONF, True),
    ):
        for route in walk(urlconf):
            label = route.name or route.route
            reason = NO_PAGE.get(route.name) or NO_PAGE.get(route.route)
            if reason:
                left_out[label] = reason
                continue
            access = classify(route)
            if access is None:
                raise AssertionError(f"{label} has no access class (core/access.py)")
            role = ROLE_FOR.get(access, "visitor")
            if platform_host:
                if route.route.startswith("operator/"):
                    role = "operator"
                elif access is Access.MEMBER:
                    role = "operator"  # the platform host's accounts are the operators'
                else:
                    role = "platform_visitor"
            values = dict(site.ids.get(route.name, {}))
            if not route.name and "object_id" in route.route:
                left_out[label] = "the console's redirect to the change page"
                continue
            if route.name.startswith("admin:") and "object_id" in route.route:
                model = route.name[len("admin:") :].rsplit("_", 1)[0]
                pk = site.console_objects.get(model)
                if pk is None:
                    left_out[label] = "no such object exists on a fresh platform"
                    continue
                values["object_id"] = pk
            if "app_label" in route.route:
                for app in re.search(r"\(\?P<app_label>([^)]*)\)", route.route).group(1).split("|"):
                    out.append(Visit(f"/operator/{app}/", role, f"{label} {app}"))
                continue
            try:
                url = _fill(route, values)
            except KeyError as missing:
                raise AssertionError(
                    f"{label}: no value for {missing} in tests/a11y/site.py"
                ) from None
            out.append(Visit(url + site.queries.get(route.name, ""), role, label))
    # The start page is everyone's: also with a member's and an admin's navigation.
    out += [Visit("/", "member", "news:home as member"), Visit("/", "admin", "news:home as admin")]
    return out, left_out
