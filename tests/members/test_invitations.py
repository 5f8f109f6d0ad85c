"""Invitations, as the people involved meet them: the administrator invites one address or a CSV
file of them (a preview first, nothing half-imported), resends and withdraws; the invitee opens
the mailed link, which works in its own portal only, once, and before it expires, and says so
clearly otherwise; accepting creates the account in that portal and logs them in.

The invitation link's page is mounted at /invitation/ by a test URLconf (it includes the
portal's URLconf, so the tests hold before and after allmende.urls_portal mounts it there).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import MembershipPolicy, Role, User
from core.event_types import EventType
from core.models import AuditEvent
from core.privacy import member_data_export, member_erase
from features.models import Plan
from features.selectors import forget_portal_features
from members import invitees, services
from members.models import Invitation, token_digest
from tenants.models import Domain
from tests.accounts.factories import admin_of, host_of, log_in, logged_in_client, member_of
from tests.conftest import in_portal

pytestmark = pytest.mark.django_db

URLCONF = "tests.members.urls_with_invitations"
LINK = re.compile(r"(https?://[^/\s]+)(/invitation/[\w-]+/)")
NEW_PASSWORD = "Deichkrone-am-Morgen-7"


@pytest.fixture(autouse=True)
def _invitation_page_mounted(settings, english):
    settings.ROOT_URLCONF = URLCONF


def _link(message) -> str:
    """The path of the invitation link in a mail (its plain text; the HTML has the same)."""
    match = LINK.search(message.body)
    assert match, message.body
    assert match.group(0) in message.alternatives[0][0]
    return match.group(2)


def _invite(portal, actor, capture, **fields) -> tuple[Invitation, str]:
    """An invitation made by `actor` and the link from its mail, as the invitee gets it."""
    fields.setdefault("email", "neu@example.org")
    with capture(execute=True), in_portal(portal):
        invitation = services.invitation_create(actor=actor, **fields)
    sent = [m for m in mail.outbox if m.to == [invitation.email]]
    return invitation, _link(sent[-1])


def _fresh(portal, invitation: Invitation) -> Invitation:
    with in_portal(portal):
        return Invitation.objects.get(pk=invitation.pk)


def _accounts(portal, email: str) -> list[User]:
    with in_portal(portal):
        return list(User.objects.filter(email__iexact=email))


def _invitations(portal) -> list[tuple[str, str]]:
    with in_portal(portal):
        return sorted(Invitation.objects.values_list("email", "role"))


def _browser(portal, **options) -> Client:
    return Client(HTTP_HOST=host_of(portal), HTTP_ACCEPT_LANGUAGE="en", **options)


def _expire(portal, invitation: Invitation) -> None:
    with in_portal(portal):
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )


def _accept(browser: Client, link: str, **fields):
    data = {"display_name": "Nele Neu", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    return browser.post(link, {**data, **fields})


# One invitation: the admin's side


def test_an_admin_invites_someone_who_gets_a_mail_with_a_link_into_this_portal(
    portal_a, admin, admin_browser, mailoutbox, django_capture_on_commit_callbacks
):
    form = admin_browser.get("/manage/members/invitations/new/")
    assert form.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        sent = admin_browser.post(
            "/manage/members/invitations/new/",
            {"email": " Nele.Neu@Example.ORG ", "display_name": "Nele Neu", "role": "moderator"},
        )
    assert sent.status_code == 302
    page = admin_browser.get(sent["Location"]).content.decode()
    assert "The invitation to nele.neu@example.org is on its way." in page

    [message] = mailoutbox
    assert message.to == ["nele.neu@example.org"]
    assert "Portal Alpha" in message.subject
    token = _link(message).split("/")[2]
    with in_portal(portal_a):
        invitation = Invitation.objects.get(email="nele.neu@example.org")
    assert (invitation.role, invitation.display_name, invitation.invited_by_id) == (
        Role.MODERATOR,
        "Nele Neu",
        admin.pk,
    )
    assert invitation.sent_at is not None
    assert invitation.expires_at - timezone.now() > timedelta(days=13, hours=23)
    # Only the digest is stored: the database never holds a usable link.
    assert invitation.token_hash == token_digest(token) != token
    with in_portal(portal_a):
        assert not Invitation.objects.filter(token_hash=token).exists()
        logged = AuditEvent.objects.get(
            event_type=EventType.MEMBER_INVITED, object_type="members.invitation"
        )
    assert (logged.actor_id, logged.object_type) == (admin.pk, "members.invitation")

    listed = admin_browser.get("/manage/members/invitations/?status=open").content.decode()
    assert "nele.neu@example.org" in listed and "Moderator" in listed and "Ada Admin" in listed


def test_the_members_pages_link_to_the_invitations(admin_browser):
    page = admin_browser.get("/manage/members/").content.decode()
    assert 'href="/manage/members/invitations/"' in page
    invitations = admin_browser.get("/manage/members/invitations/").content.decode()
    assert 'href="/manage/members/invitations/new/"' in invitations
    assert 'href="/manage/members/invitations/upload/"' in invitations


def test_the_mail_links_to_the_canonical_address_whatever_host_the_admin_used(
    portal_b, mailoutbox, django_capture_on_commit_callbacks
):
    Domain.objects.filter(tenant=portal_b, is_primary=True).update(is_primary=False)
    Domain.objects.create(domain="www.beta-verein.example", tenant=portal_b, is_primary=True)
    admin = admin_of(portal_b)
    forged = logged_in_client(
        portal_b, admin, HTTP_X_FORWARDED_HOST="evil.example", HTTP_ACCEPT_LANGUAGE="en"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = forged.post(
            "/manage/members/invitations/new/", {"email": "gast@example.org", "role": "member"}
        )
    assert response.status_code == 302
    [message] = mailoutbox
    match = LINK.search(message.body)
    assert match.group(1).startswith("http://www.beta-verein.example")
    assert "evil.example" not in message.body
    assert "evil.example" not in message.alternatives[0][0]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": "mia@alpha.example"}, "email", "has an account in this portal already"),
        ({"email": "MIA@alpha.example"}, "email", "has an account in this portal already"),
        ({"email": "offen@example.org"}, "email", "has been invited already"),
        ({"email": "kein-at-zeichen"}, "email", "Enter a valid e-mail address."),
        ({"display_name": "Ada\nLovelace"}, "display_name", "single line"),
        ({"display_name": "Ada\u202eecalevol"}, "display_name", "single line"),
        ({"role": "king"}, "role", "Choose one of the roles offered."),
    ],
)
def test_inviting_is_refused_with_the_reason(portal_a, admin, member, fields, field, message):
    with in_portal(portal_a):
        services.invitation_create(email="offen@example.org", actor=admin)
        before = sorted(Invitation.objects.values_list("pk", flat=True))
        with pytest.raises(ValidationError) as refused:
            services.invitation_create(actor=admin, **{"email": "ok@example.org", **fields})
        assert sorted(Invitation.objects.values_list("pk", flat=True)) == before
    assert message in " ".join(refused.value.message_dict[field])


def test_a_name_with_a_line_break_is_refused_on_the_form(portal_a, admin_browser):
    response = admin_browser.post(
        "/manage/members/invitations/new/",
        {
            "email": "zeile@example.org",
            "display_name": "Ada\r\nBcc: x@evil.example",
            "role": "member",
        },
    )
    assert response.status_code == 400
    assert "Use a single line without control characters." in response.content.decode()
    assert _invitations(portal_a) == []
    # Positive control: the same address with a one-line name is invited.
    ok = admin_browser.post(
        "/manage/members/invitations/new/",
        {"email": "zeile@example.org", "display_name": "Ada", "role": "member"},
    )
    assert ok.status_code == 302
    assert _invitations(portal_a) == [("zeile@example.org", "member")]


def test_only_an_administrator_may_invite(portal_a, member):
    with in_portal(portal_a), pytest.raises(ValidationError, match="Only administrators"):
        services.invitation_create(email="x@example.org", actor=member)
    assert _invitations(portal_a) == []


def test_a_new_invitation_replaces_an_expired_one_of_the_same_address(
    portal_a, admin, django_capture_on_commit_callbacks
):
    old, old_link = _invite(portal_a, admin, django_capture_on_commit_callbacks)
    _expire(portal_a, old)
    new, new_link = _invite(portal_a, admin, django_capture_on_commit_callbacks, role="moderator")
    assert _fresh(portal_a, old).revoked_at is not None
    assert _fresh(portal_a, new).status == "open"
    browser = _browser(portal_a)
    assert browser.get(old_link).status_code == 410
    assert browser.get(new_link).status_code == 200


def test_the_member_limit_warns_at_invitation_and_refuses_at_acceptance(
    portal_a, admin, admin_browser, mailoutbox, django_capture_on_commit_callbacks
):
    with in_portal(portal_a):
        members = User.objects.filter(is_active=True).count()
    Plan.objects.filter(key="community").update(max_members=members)
    forget_portal_features([portal_a.pk])

    with django_capture_on_commit_callbacks(execute=True):
        sent = admin_browser.post(
            "/manage/members/invitations/new/", {"email": "voll@example.org", "role": "member"}
        )
    assert sent.status_code == 302
    page = admin_browser.get(sent["Location"]).content.decode()
    assert "on its way" in page
    assert "reached its plan&#x27;s member limit" in page
    link = _link(mailoutbox[-1])

    browser = _browser(portal_a)
    with django_capture_on_commit_callbacks(execute=True):
        refused = _accept(browser, link)
    assert refused.status_code == 400
    assert "cannot take new members at the moment" in refused.content.decode()
    assert _accounts(portal_a, "voll@example.org") == []
    assert admin.email in {address for m in mailoutbox[1:] for address in m.to}

    # Positive control: with room again the same link works.
    Plan.objects.filter(key="community").update(max_members=members + 1)
    forget_portal_features([portal_a.pk])
    assert _accept(browser, link).status_code == 302
    assert len(_accounts(portal_a, "voll@example.org")) == 1


def _one_of_each_status(portal, admin) -> dict[str, str]:
    """An invitation in each status; {status: its address}."""
    now = timezone.now()
    with in_portal(portal):
        made = {
            status: services.invitation_create(email=f"{status}@example.org", actor=admin)
            for status in ("open", "expired", "accepted", "revoked")
        }
        Invitation.objects.filter(pk=made["expired"].pk).update(expires_at=now - timedelta(days=1))
        Invitation.objects.filter(pk=made["accepted"].pk).update(accepted_at=now)
        services.invitation_revoke(invitation=made["revoked"], actor=admin)
    return {status: invitation.email for status, invitation in made.items()}


def test_the_list_shows_each_status_on_its_own_tab(portal_a, admin, admin_browser):
    addresses = _one_of_each_status(portal_a, admin)
    everything = admin_browser.get("/manage/members/invitations/").text
    assert all(address in everything for address in addresses.values())
    assert "open (1)" in everything and "withdrawn (1)" in everything
    for status, address in addresses.items():
        page = admin_browser.get(f"/manage/members/invitations/?status={status}").text
        shown = {s for s, a in addresses.items() if a in page}
        assert shown == {status}, (status, shown)
        # Only invitations that can still be used have the buttons.
        can_act = f"/invitations/{_pk(portal_a, address)}/revoke/" in page
        assert can_act == (status in ("open", "expired")), status


def _pk(portal, email: str) -> int:
    with in_portal(portal):
        return Invitation.objects.get(email=email).pk


def test_the_list_costs_the_same_queries_for_5_or_60_invitations(
    portal_a, admin, admin_browser, django_assert_max_num_queries
):
    def invite(count: int, start: int) -> None:
        with in_portal(portal_a):
            for n in range(start, start + count):
                services.invitation_create(email=f"viele{n}@example.org", actor=admin)

    invite(5, 0)
    admin_browser.get("/manage/members/invitations/")  # warm the caches (features, theme)
    with CaptureQueriesContext(connection) as few:
        assert admin_browser.get("/manage/members/invitations/").status_code == 200
    invite(55, 5)
    with django_assert_max_num_queries(len(few)):
        page = admin_browser.get("/manage/members/invitations/").text
    assert page.count('<tr id="invitation-') == 50


# Accepting


def test_accepting_creates_the_account_in_this_portal_only_and_logs_in(
    portal_a, portal_b, admin, django_capture_on_commit_callbacks
):
    invitation, link = _invite(
        portal_a,
        admin,
        django_capture_on_commit_callbacks,
        email="nele@example.org",
        display_name="Nele",
        role="moderator",
    )
    browser = _browser(portal_a)
    page = browser.get(link)
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0") and "no-store" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "no-referrer"
    text = page.content.decode()
    assert "Your invitation to Portal Alpha" in text and "nele@example.org" in text
    assert 'value="Nele"' in text

    done = _accept(browser, link, display_name="Nele Neumann")
    assert done.status_code == 302 and done["Location"] == "/"
    welcome = browser.get("/").content.decode()
    assert "Welcome! Your account is ready." in welcome and "Nele Neumann" in welcome

    [user] = _accounts(portal_a, "nele@example.org")
    assert (user.role, user.display_name, user.language) == (Role.MODERATOR, "Nele Neumann", "en")
    with in_portal(portal_a):
        assert EmailAddress.objects.get(user=user).verified
        assert AuditEvent.objects.filter(
            event_type=EventType.INVITATION_ACCEPTED, actor=user
        ).exists()
        assert AuditEvent.objects.get(
            event_type=EventType.MEMBER_CREATED, object_id=str(user.pk)
        ).actor_label == ("invitation")
    accepted = _fresh(portal_a, invitation)
    assert accepted.accepted_user_id == user.pk and accepted.status == "accepted"
    assert _accounts(portal_b, "nele@example.org") == []
    # The new password works at the login form, too.
    log_in(_browser(portal_a), user, NEW_PASSWORD)


def test_accepting_twice_is_refused_with_a_page_that_says_so(
    portal_a, admin, django_capture_on_commit_callbacks
):
    _invitation, link = _invite(portal_a, admin, django_capture_on_commit_callbacks)
    assert _accept(_browser(portal_a), link).status_code == 302

    again = _browser(portal_a)
    for response in (again.get(link), _accept(again, link, password1="x", password2="x")):
        assert response.status_code == 410
        text = response.content.decode()
        assert "This invitation has been used already" in text
        assert 'href="/accounts/login/"' in text and "/accounts/password/reset/" in text
    assert len(_accounts(portal_a, "neu@example.org")) == 1


def test_an_expired_link_says_so_and_asks_the_admins_for_a_new_one(
    portal_a, admin, admin_browser, mailoutbox, django_capture_on_commit_callbacks
):
    invitation, link = _invite(portal_a, admin, django_capture_on_commit_callbacks)
    _expire(portal_a, invitation)
    browser = _browser(portal_a)

    page = browser.get(link)
    assert page.status_code == 410
    assert "This invitation has expired" in page.content.decode()
    assert _accept(browser, link).status_code == 410
    assert _accounts(portal_a, "neu@example.org") == []

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        asked = browser.post(link + "renew/")
    assert asked.status_code == 302 and asked["Location"] == link
    told = browser.get(link).content.decode()
    assert "The administrators have been told" in told and "You asked for a new invitation" in told
    assert admin.email in [m.to[0] for m in mailoutbox]
    notice = next(m for m in mailoutbox if m.to == [admin.email])
    assert "neu@example.org" in notice.subject
    assert "/manage/members/invitations/?status=expired" in notice.body

    # Asking again the same day tells nobody twice.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(link + "renew/")
    assert "told already today" in browser.get(link).content.decode()
    assert mailoutbox == []

    # The admin sends it again: a new link that works, and the old one is gone.
    listed = admin_browser.get("/manage/members/invitations/?status=expired").content.decode()
    assert "asked for a new invitation" in listed
    with django_capture_on_commit_callbacks(execute=True):
        admin_browser.post(f"/manage/members/invitations/{invitation.pk}/resend/")
    new_link = _link(mailoutbox[-1])
    assert new_link != link
    assert browser.get(link).status_code == 404
    assert browser.get(new_link).status_code == 200
    assert _accept(browser, new_link).status_code == 302


def test_a_withdrawn_link_says_so_and_creates_nothing(
    portal_a, admin, admin_browser, django_capture_on_commit_callbacks
):
    invitation, link = _invite(portal_a, admin, django_capture_on_commit_callbacks)
    browser = _browser(portal_a)
    assert browser.get(link).status_code == 200  # positive control

    revoked = admin_browser.post(f"/manage/members/invitations/{invitation.pk}/revoke/")
    assert revoked.status_code == 302
    assert "is withdrawn" in admin_browser.get(revoked["Location"]).content.decode()

    page = browser.get(link)
    assert page.status_code == 410
    assert "This invitation has been withdrawn" in page.content.decode()
    assert _accept(browser, link).status_code == 410
    assert _accounts(portal_a, "neu@example.org") == []
    with in_portal(portal_a):
        assert AuditEvent.objects.filter(
            event_type=EventType.INVITATION_REVOKED, actor=admin
        ).exists()


def test_an_invitation_whose_address_registered_meanwhile_says_to_log_in(
    portal_a, admin, django_capture_on_commit_callbacks
):
    _invitation, link = _invite(portal_a, admin, django_capture_on_commit_callbacks)
    member_of(portal_a, email="neu@example.org")
    response = _accept(_browser(portal_a), link)
    assert response.status_code == 410
    assert "You have an account here already" in response.content.decode()
    assert len(_accounts(portal_a, "neu@example.org")) == 1


def test_a_link_of_portal_a_is_404_on_portal_b(
    portal_a, portal_b, admin, django_capture_on_commit_callbacks
):
    _invitation, link = _invite(portal_a, admin, django_capture_on_commit_callbacks)
    assert _browser(portal_a).get(link).status_code == 200  # positive control
    on_b = _browser(portal_b)
    page = on_b.get(link)
    assert page.status_code == 404
    assert "Invitation not found" in page.content.decode()
    assert _accept(on_b, link).status_code == 404
    assert on_b.post(link + "renew/").status_code == 404
    assert _accounts(portal_b, "neu@example.org") == []
    assert _browser(portal_a).get("/invitation/not-a-real-token/").status_code == 404


def test_the_admins_of_portal_b_do_not_see_portal_as_invitations(
    portal_a, portal_b, admin, admin_browser, django_capture_on_commit_callbacks
):
    invitation, _link_a = _invite(portal_a, admin, django_capture_on_commit_callbacks)
    assert "neu@example.org" in admin_browser.get("/manage/members/invitations/").text
    admin_b = logged_in_client(portal_b, admin_of(portal_b), HTTP_ACCEPT_LANGUAGE="en")
    assert "neu@example.org" not in admin_b.get("/manage/members/invitations/").text
    for action in ("resend", "revoke"):
        url = f"/manage/members/invitations/{invitation.pk}/{action}/"
        assert admin_b.post(url).status_code == 404
    assert _fresh(portal_a, invitation).revoked_at is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"display_name": "Nele\nBcc: x@evil.example"}, "Use a single line"),
        ({"password1": "12345678", "password2": "12345678"}, "too common"),
        ({"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "!"}, "The two passwords differ."),
    ],
)
def test_the_accept_form_refuses_a_bad_name_or_password_and_creates_nothing(
    portal_a, admin, django_capture_on_commit_callbacks, fields, message
):
    _invitation, link = _invite(portal_a, admin, django_capture_on_commit_callbacks)
    response = _accept(_browser(portal_a), link, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _accounts(portal_a, "neu@example.org") == []


def test_sending_again_gives_a_new_link_and_the_old_one_stops_working(
    portal_a, admin, admin_browser, mailoutbox, django_capture_on_commit_callbacks
):
    invitation, old_link = _invite(portal_a, admin, django_capture_on_commit_callbacks)
    with in_portal(portal_a):
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() + timedelta(days=1)
        )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_browser.post(
            f"/manage/members/invitations/{invitation.pk}/resend/",
            {"next": "/manage/members/invitations/?status=open"},
        )
    assert response["Location"] == "/manage/members/invitations/?status=open"
    assert "sent again" in admin_browser.get(response["Location"]).content.decode()
    new_link = _link(mailoutbox[-1])
    assert new_link != old_link
    assert _fresh(portal_a, invitation).expires_at - timezone.now() > timedelta(days=13)
    browser = _browser(portal_a)
    assert browser.get(old_link).status_code == 404
    assert browser.get(new_link).status_code == 200


def test_an_accepted_invitation_cannot_be_sent_again_or_withdrawn(
    portal_a, admin, admin_browser, django_capture_on_commit_callbacks
):
    invitation, link = _invite(portal_a, admin, django_capture_on_commit_callbacks)
    assert _accept(_browser(portal_a), link).status_code == 302
    for action, message in (
        ("resend", "has been accepted already"),
        ("revoke", "block the member instead"),
    ):
        response = admin_browser.post(f"/manage/members/invitations/{invitation.pk}/{action}/")
        assert message in admin_browser.get(response["Location"]).content.decode()
    accepted = _fresh(portal_a, invitation)
    assert accepted.revoked_at is None and accepted.status == "accepted"


def test_the_link_works_on_a_members_only_portal(
    portal_a, admin, django_capture_on_commit_callbacks
):
    with in_portal(portal_a):
        MembershipPolicy.objects.update_or_create(
            pk=1, defaults={"registration": "invitation", "members_only": True}
        )
    _invitation, link = _invite(portal_a, admin, django_capture_on_commit_callbacks)
    assert _browser(portal_a).get(link).status_code == 200


# A CSV file of invitations

FILE = (
    "email,name,role\n"
    "ok@alpha.example,Olga Okay,member\n"  # row 2
    "kein-at-zeichen,Ivan Invalid,\n"  # 3
    "OK@alpha.example,Olga Again,\n"  # 4
    "mia@alpha.example,Mia Member,\n"  # 5
    "schon@alpha.example,Schon Eingeladen,\n"  # 6
    "rolle@alpha.example,Rolf Rolle,king\n"  # 7
    'zeile@alpha.example,"Zeilen\nUmbruch",\n'  # 8: one row, two lines
    "=cmd@alpha.example,Formel,\n"  # 9
    "plus@alpha.example,+49 30 123,\n"  # 10
    "minus@alpha.example,-Minus,\n"  # 11
    'at@alpha.example,"@SUM(A1)",\n'  # 12
    'tab@alpha.example,"\tTab",\n'  # 13
    'cr@alpha.example,"\rCR",\n'  # 14
    "MOD@Alpha.Example,Moritz Mod,Moderator\n"  # 15
    "\n"
)
EXPECTED = {
    2: "ok",
    3: "invalid address",
    4: "duplicate in file",
    5: "already a member",
    6: "already invited",
    7: "unknown role",
    8: "name with a line break",
    9: "formula cell",
    10: "formula cell",
    11: "formula cell",
    12: "formula cell",
    13: "formula cell",
    14: "formula cell",
    15: "ok",
}


def _upload(browser: Client, content: bytes | str, name: str = "list.csv"):
    if isinstance(content, str):
        content = content.encode()
    return browser.post(
        "/manage/members/invitations/upload/",
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def _row_status(page: str, number: int) -> str:
    row = re.search(rf'<tr id="row-{number}"[^>]*>(.*?)</tr>', page, re.S)
    assert row, f"row {number} missing"
    return re.findall(r"<td>(.*?)</td>", row.group(1), re.S)[-1]


def _payload(page: str) -> str:
    return re.search(r'name="payload" value="([^"]+)"', page).group(1)


def test_the_preview_lists_every_row_with_its_problem_and_sends_nothing(
    portal_a, admin, member, admin_browser, mailoutbox, django_capture_on_commit_callbacks
):
    with in_portal(portal_a):
        services.invitation_create(email="schon@alpha.example", actor=admin)
    before = _invitations(portal_a)
    with django_capture_on_commit_callbacks() as callbacks:
        preview = _upload(admin_browser, FILE)
    assert preview.status_code == 200
    page = preview.content.decode()
    for number, status in EXPECTED.items():
        assert status in _row_status(page, number), (number, _row_status(page, number))
    assert "as in row 2" in _row_status(page, 4)
    assert "2 rows can be invited" in page and "12 rows are skipped" in page
    assert "Send 2 invitations" in page
    assert "=cmd@alpha.example" in page  # shown as text, never run
    assert callbacks == [] and mailoutbox == []
    assert _invitations(portal_a) == before


def test_confirming_invites_exactly_the_valid_rows_and_reports_the_skipped(
    portal_a, admin, member, admin_browser, mailoutbox, django_capture_on_commit_callbacks
):
    with in_portal(portal_a):
        services.invitation_create(email="schon@alpha.example", actor=admin)
    page = _upload(admin_browser, FILE).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        result = admin_browser.post(
            "/manage/members/invitations/upload/confirm/", {"payload": _payload(page)}
        )
    assert result.status_code == 200
    text = result.content.decode()
    assert "2 invitations are on their way." in text
    assert "12 rows were skipped" in text
    assert "already a member" in _row_status(text, 5)
    assert "formula cell" in _row_status(text, 9)
    assert _invitations(portal_a) == [
        ("mod@alpha.example", "moderator"),
        ("ok@alpha.example", "member"),
        ("schon@alpha.example", "member"),
    ]
    assert sorted(m.to[0] for m in mailoutbox) == ["mod@alpha.example", "ok@alpha.example"]
    with in_portal(portal_a):
        assert (
            AuditEvent.objects.filter(
                event_type=EventType.MEMBER_INVITED, detail__bulk=True
            ).count()
            == 2
        )

    # Sending the same preview again invites nobody twice.
    again = admin_browser.post(
        "/manage/members/invitations/upload/confirm/", {"payload": _payload(page)}
    )
    assert "0 invitations are on their way." in again.content.decode()
    assert "already invited" in _row_status(again.content.decode(), 2)
    assert len(_invitations(portal_a)) == 3


def test_a_row_that_became_a_member_after_the_preview_is_skipped_and_reported(
    portal_a, admin_browser
):
    page = _upload(admin_browser, "email,name\nspaet@example.org,Spät\nfrueh@example.org,\n").text
    assert "2 rows can be invited" in page
    member_of(portal_a, email="spaet@example.org")
    result = admin_browser.post(
        "/manage/members/invitations/upload/confirm/", {"payload": _payload(page)}
    ).content.decode()
    assert "1 invitation is on its way." in result
    assert "already a member" in _row_status(result, 2)
    assert _invitations(portal_a) == [("frueh@example.org", "member")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("mail,vorname\nx@example.org,X\n", "must name the columns email, name and role"),
        ("email,name,role,extra\nx@example.org,X,member,1\n", "must name the columns email"),
        ("email,email\nx@example.org,y@example.org\n", "must name the columns email"),
        ("email,name\n", "no rows below its header"),
        ("", "The submitted file is empty."),
        ("\n \n", "The file is empty."),
        ("email,name\n" + "".join(f"p{i}@example.org,P {i}\n" for i in range(10_000)), "5,000"),
        (b"email,name\n" + b"x" * (1024 * 1024), "larger than 1 MB"),
        ('email,name\n"x@example.org,unterminated\n', "could not be read as CSV"),
        (b"email,name\nx@example.org,\x00\n", "Save it as CSV in UTF-8"),
    ],
    ids=[
        "wrong-columns",
        "extra-column",
        "twice",
        "no-rows",
        "empty",
        "blank",
        "10000-rows",
        "over-1-mb",
        "broken-quote",
        "nul",
    ],
)
def test_a_file_refused_as_a_whole_says_why_and_imports_nothing(
    portal_a, admin_browser, mailoutbox, content, message
):
    response = _upload(admin_browser, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "payload" not in response.content.decode()
    assert _invitations(portal_a) == []
    assert mailoutbox == []


def test_the_ten_thousand_row_file_names_the_limit(admin_browser):
    content = "email,name\n" + "".join(f"p{i}@example.org,P {i}\n" for i in range(10_000))
    text = _upload(admin_browser, content).content.decode()
    assert "more than 5,000 rows" in text and "nothing was imported" in text


def test_a_header_in_any_letter_case_without_role_and_with_semicolons_is_read(
    portal_a, admin_browser
):
    content = "\ufeffEMAIL;Name\nsemi@example.org;Semi Kolon\n".encode()
    page = _upload(admin_browser, content).content.decode()
    assert "ok" in _row_status(page, 2)
    result = admin_browser.post(
        "/manage/members/invitations/upload/confirm/", {"payload": _payload(page)}
    )
    assert "1 invitation is on its way." in result.content.decode()
    assert _invitations(portal_a) == [("semi@example.org", "member")]


def test_a_windows_1252_file_from_excel_is_read(portal_a, admin_browser):
    page = _upload(admin_browser, "email;name\nm@example.org;Jürgen Müller\n".encode("cp1252"))
    assert "Jürgen Müller" in page.content.decode()


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx", "  =HYPERLINK(1)"])
def test_every_kind_of_formula_cell_is_refused(cell):
    for column in ("email", "name", "role"):
        values = {"email": "f@example.org", "name": "F", "role": "member", column: cell}
        quoted = ",".join(f'"{values[c]}"' for c in ("email", "name", "role"))
        [row] = invitees.csv_read(f"email,name,role\n{quoted}\n".encode())
        assert invitees.Problem.FORMULA in row.problems, (column, cell)
    [fine] = invitees.csv_read(b"email,name,role\nf@example.org,Frau Formel-Frei,member\n")
    assert fine.ok


def test_a_changed_expired_or_someone_elses_preview_is_refused_and_sends_nothing(
    portal_a, portal_b, admin, admin_browser, mailoutbox
):
    page = _upload(admin_browser, "email,name\nx@example.org,X\n").content.decode()
    payload = _payload(page)
    other_admin = logged_in_client(portal_a, admin_of(portal_a), HTTP_ACCEPT_LANGUAGE="en")
    for browser, sent in (
        (admin_browser, payload[:-2] + ("AA" if not payload.endswith("AA") else "BB")),
        (admin_browser, ""),
        (other_admin, payload),
    ):
        response = browser.post("/manage/members/invitations/upload/confirm/", {"payload": sent})
        assert response.status_code == 400
        assert "Upload the file again; nothing was" in response.content.decode()
    admin_b = logged_in_client(portal_b, admin_of(portal_b), HTTP_ACCEPT_LANGUAGE="en")
    assert admin_b.post(
        "/manage/members/invitations/upload/confirm/", {"payload": payload}
    ).status_code in (400, 403)
    assert _invitations(portal_a) == [] and mailoutbox == []
    with in_portal(portal_b):
        assert not Invitation.objects.exists()


def test_if_anything_fails_while_inviting_nothing_is_created(
    portal_a, admin, django_capture_on_commit_callbacks
):
    """A failure after some invitations and audit rows are written (the database refuses the
    audit row of the third) rolls everything back: no invitation, no audit row, no mail."""
    rows = [invitees.Row(n, f"teil{n}@example.org", "", "member") for n in range(2, 6)]
    schema = portal_a.schema_name
    with in_portal(portal_a), connection.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE FUNCTION "{schema}".refuse_third() RETURNS trigger AS $$
            BEGIN
                IF NEW.object_label = 'teil4@example.org' THEN
                    RAISE EXCEPTION 'disk full';
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER refuse_third BEFORE INSERT ON "{schema}".core_auditevent
                FOR EACH ROW EXECUTE FUNCTION "{schema}".refuse_third();
            """
        )
    with in_portal(portal_a), django_capture_on_commit_callbacks() as mails:
        with pytest.raises(DatabaseError, match="disk full"):
            services.invitations_bulk_create(rows=rows, actor=admin)
        assert not Invitation.objects.exists()
        assert not AuditEvent.objects.filter(object_type="members.invitation").exists()
    assert mails == []
    # Positive control: without the refusal the same rows are all invited, and mailed.
    with in_portal(portal_a), connection.cursor() as cursor:
        cursor.execute(f'DROP TRIGGER refuse_third ON "{schema}".core_auditevent')
    with in_portal(portal_a), django_capture_on_commit_callbacks() as mails:
        services.invitations_bulk_create(rows=rows, actor=admin)
    assert len(_invitations(portal_a)) == 4 and len(mails) == 4


# Data rights


def _archive_text(archive: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        return "\n".join(zf.read(name).decode(errors="replace") for name in zf.namelist())


def test_the_export_has_the_own_invitation_and_only_counts_of_those_sent(
    portal_a, admin, django_capture_on_commit_callbacks
):
    _, link = _invite(portal_a, admin, django_capture_on_commit_callbacks, email="ich@example.org")
    _invite(portal_a, admin, django_capture_on_commit_callbacks, email="andere@example.org")
    assert _accept(_browser(portal_a), link).status_code == 302
    [invitee] = _accounts(portal_a, "ich@example.org")

    with in_portal(portal_a):
        mine = json.loads(
            zipfile.ZipFile(io.BytesIO(member_data_export(user=invitee))).read("data.json")
        )["members.Invitation"]
        admins = member_data_export(user=admin)
    assert [(r["as"], r["email"], r["status"]) for r in mine] == [
        ("invitee", "ich@example.org", "accepted")
    ]
    assert "token" not in json.dumps(mine)
    sent = json.loads(zipfile.ZipFile(io.BytesIO(admins)).read("data.json"))["members.Invitation"]
    assert sent == [
        {
            "as": "inviter",
            "invitations_sent": 2,
            "by_status": {"accepted": 1, "open": 1},
            "by_role": {"member": 2},
            "first_at": sent[0]["first_at"],
            "last_at": sent[0]["last_at"],
        }
    ]
    text = _archive_text(admins)
    assert "andere@example.org" not in text and "ich@example.org" not in text


def test_erasing_the_invited_member_removes_them_from_the_invitations(
    portal_a, admin, django_capture_on_commit_callbacks
):
    accepted, link = _invite(
        portal_a, admin, django_capture_on_commit_callbacks, display_name="Ich Selbst"
    )
    assert _accept(_browser(portal_a), link).status_code == 302
    [invitee] = _accounts(portal_a, "neu@example.org")
    with in_portal(portal_a):
        later = Invitation.objects.create(email="neu@example.org", invited_by=admin)
        member_erase(user=invitee, keep_content=True)
        assert not Invitation.objects.filter(pk=later.pk).exists()
        row = Invitation.objects.get(pk=accepted.pk)
        assert (row.email, row.display_name, row.accepted_user_id) == ("", "", invitee.pk)
        assert not Invitation.objects.filter(email__icontains="neu@example.org").exists()
