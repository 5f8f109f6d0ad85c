"""Becoming a member: sign-up with a verified address, the portal's registration policy, the
members-only portal, password reset links on the canonical address — as a visitor tries it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.models import MembershipPolicy, MemberStatus, RegistrationPolicy, User
from core.models import AuditEvent
from tenants.models import Domain
from tests.accounts.factories import PASSWORD, admin_of, member_of, session_user_id
from tests.conftest import host_of, in_portal
from tests.news.factories import PostFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Sonnenblume-am-Deich-7"


def _visitor(portal, language: str = "en") -> Client:
    return Client(HTTP_HOST=host_of(portal), HTTP_ACCEPT_LANGUAGE=language)


def _sign_up(client: Client, email: str, name: str = "Kim Yilmaz", capture=None):
    data = {
        "display_name": name,
        "email": email,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    if capture is None:
        return client.post("/accounts/signup/", data)
    with capture(execute=True):
        return client.post("/accounts/signup/", data)


def _link(mail, pattern: str) -> str:
    return re.search(rf"(https?://[^\s]+{pattern}[^\s]*)", mail.body).group(1)


def _policy(portal, **fields) -> None:
    with in_portal(portal):
        MembershipPolicy.objects.update_or_create(pk=1, defaults=fields)


@pytest.mark.parametrize(
    ("language", "subject_word", "confirm_word"),
    [("en", "confirm", "Confirm"), ("de", "bestätig", "Bestätig")],
)
def test_sign_up_verify_the_address_then_log_in(
    portal_a, mailoutbox, django_capture_on_commit_callbacks, language, subject_word, confirm_word
):
    visitor = _visitor(portal_a, language)
    assert visitor.get("/accounts/signup/").status_code == 200
    response = _sign_up(visitor, "Kim@Example.org", capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302

    with in_portal(portal_a):
        user = User.objects.get(email="kim@example.org")
        assert user.display_name == "Kim Yilmaz"
        assert AuditEvent.objects.filter(event_type="member.registered", actor=user).exists()
    mail = mailoutbox[-1]
    assert mail.to == ["kim@example.org"] and subject_word in mail.subject.lower()
    assert "Portal Alpha" in mail.from_email  # the portal's branding
    link = _link(mail, "/accounts/confirm-email/")
    assert link.startswith(f"http://{host_of(portal_a)}:8000/")

    # Not verified yet: logging in leads to "verify your address", not into the portal.
    login = visitor.post("/accounts/login/", {"login": "kim@example.org", "password": NEW_PASSWORD})
    assert session_user_id(visitor, portal_a) is None
    page = visitor.get(link.split(":8000", 1)[1])
    assert confirm_word in page.content.decode()
    visitor.post(link.split(":8000", 1)[1])
    login = visitor.post("/accounts/login/", {"login": "kim@example.org", "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert "Kim Yilmaz" in visitor.get("/").content.decode()


def test_the_same_address_may_register_in_two_portals_independently(
    portal_a, portal_b, mailoutbox, django_capture_on_commit_callbacks
):
    for portal in (portal_a, portal_b):
        assert (
            _sign_up(
                _visitor(portal), "zwei@example.org", capture=django_capture_on_commit_callbacks
            ).status_code
            == 302
        )
    for portal in (portal_a, portal_b):
        with in_portal(portal):
            assert User.objects.filter(email="zwei@example.org").count() == 1


@pytest.mark.parametrize("variant", ["Doppelt@Example.org", "ＤＯＰＰＥＬＴ@example.org"])
def test_an_address_that_exists_in_any_case_or_unicode_form_gets_one_clear_message(
    portal_a, variant
):
    member_of(portal_a, email="doppelt@example.org")
    response = _sign_up(_visitor(portal_a), variant)
    assert response.status_code == 200
    assert "exists already" in response.content.decode()
    with in_portal(portal_a):
        assert User.objects.filter(email__iexact="doppelt@example.org").count() == 1


def test_a_name_with_a_line_break_is_refused(portal_a):
    response = _sign_up(_visitor(portal_a), "zeile@example.org", name="Kim\nBcc: x@example.org")
    assert response.status_code == 200 and "single line" in response.content.decode()
    with in_portal(portal_a):
        assert not User.objects.filter(email="zeile@example.org").exists()


def test_there_is_no_sign_up_on_the_platform_host(platform_client, client_a):
    assert platform_client.get("/accounts/signup/").status_code == 404
    assert platform_client.get("/accounts/login/").status_code == 200  # staff log in here
    assert client_a.get("/accounts/signup/").status_code == 200  # positive control


def test_invitation_only_portal_offers_no_sign_up(portal_a):
    _policy(portal_a, registration=RegistrationPolicy.INVITATION)
    visitor = _visitor(portal_a)
    assert "/accounts/signup/" not in visitor.get("/").content.decode()
    response = _sign_up(visitor, "zu@example.org")
    assert response.status_code == 200
    assert "Sign Up Closed" in response.content.decode()  # allauth's closed sign-up page
    with in_portal(portal_a):
        assert not User.objects.filter(email="zu@example.org").exists()


def test_a_domain_restricted_portal_takes_only_its_domains(
    portal_a, django_capture_on_commit_callbacks
):
    _policy(
        portal_a, registration=RegistrationPolicy.DOMAINS, allowed_domains=["partei-leipzig.de"]
    )
    refused = _sign_up(_visitor(portal_a), "kim@gmail.example")
    assert "@partei-leipzig.de" in refused.content.decode()
    accepted = _sign_up(
        _visitor(portal_a), "kim@Partei-Leipzig.de", capture=django_capture_on_commit_callbacks
    )
    assert accepted.status_code == 302
    with in_portal(portal_a):
        assert User.objects.filter(email="kim@partei-leipzig.de").exists()
        assert not User.objects.filter(email="kim@gmail.example").exists()


def test_under_the_approval_policy_a_new_member_waits_and_cannot_log_in(
    portal_a, mailoutbox, django_capture_on_commit_callbacks
):
    _policy(portal_a, registration=RegistrationPolicy.APPROVAL)
    visitor = _visitor(portal_a)
    _sign_up(visitor, "wartend@example.org", capture=django_capture_on_commit_callbacks)
    visitor.post(_link(mailoutbox[-1], "/accounts/confirm-email/").split(":8000", 1)[1])
    with in_portal(portal_a):
        user = User.objects.get(email="wartend@example.org")
        assert user.status == MemberStatus.PENDING and not user.is_active
    visitor.post("/accounts/login/", {"login": "wartend@example.org", "password": NEW_PASSWORD})
    assert session_user_id(visitor, portal_a) is None


def test_the_member_limit_gives_the_registrant_a_message_and_the_admins_a_notice(
    portal_a, mailoutbox, django_capture_on_commit_callbacks
):
    from features.models import Plan

    admin_of(portal_a, email="chefin@alpha.example")
    with in_portal(portal_a):
        members = User.objects.filter(is_active=True).count()
    Plan.objects.filter(key="community").update(max_members=members)
    from features.selectors import forget_portal_features

    forget_portal_features([portal_a.pk])
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _sign_up(_visitor(portal_a), "einer-zu-viel@example.org")
    assert "cannot take new members" in response.content.decode()
    assert "chefin@alpha.example" in [m.to[0] for m in mailoutbox]
    with in_portal(portal_a):
        assert not User.objects.filter(email="einer-zu-viel@example.org").exists()


def test_a_members_only_portal_shows_visitors_only_its_start_page_and_legal_pages(portal_a):
    with in_portal(portal_a):
        PostFactory(body="Internes Protokoll der Vorstandssitzung")
    _policy(portal_a, members_only=True)
    visitor = _visitor(portal_a)
    start = visitor.get("/")
    assert start.status_code == 200
    assert "Internes Protokoll" not in start.content.decode()
    assert visitor.get("/posts/new/").status_code == 302
    assert visitor.get("/api/v1/").status_code == 302  # to the login page, before any module check
    assert visitor.get("/accounts/login/").status_code == 200
    someone = member_of(portal_a)
    assert visitor.get(f"/accounts/people/{someone.pk}/").status_code == 302
    member = Client(HTTP_HOST=host_of(portal_a))
    with in_portal(portal_a):
        member.force_login(member_of(portal_a))
    assert "Internes Protokoll" in member.get("/").content.decode()  # positive control


def test_reset_links_use_the_canonical_address_whatever_host_the_request_carried(
    portal_b, mailoutbox, django_capture_on_commit_callbacks
):
    Domain.objects.filter(tenant=portal_b, is_primary=True).update(is_primary=False)
    Domain.objects.create(domain="www.beta-verein.example", tenant=portal_b, is_primary=True)
    member_of(portal_b, email="vergesslich@example.org")
    forged = Client(
        HTTP_HOST=host_of(portal_b), HTTP_X_FORWARDED_HOST="evil.example", HTTP_ACCEPT_LANGUAGE="en"
    )
    with django_capture_on_commit_callbacks(execute=True):
        forged.post("/accounts/password/reset/", {"email": "vergesslich@example.org"})
    link = _link(mailoutbox[-1], "/accounts/password/reset/key/")
    assert link.startswith("http://www.beta-verein.example:8000/accounts/password/reset/key/")
    assert "evil.example" not in mailoutbox[-1].body
    with in_portal(portal_b):  # the old password stays until they follow the link
        assert User.objects.get(email="vergesslich@example.org").check_password(PASSWORD)


def test_a_reset_or_invitation_link_of_one_portal_is_a_404_on_another(
    portal_a, portal_b, mailoutbox, django_capture_on_commit_callbacks
):
    for _n in range(30):
        member = member_of(portal_a)
    with in_portal(portal_b):
        assert not User.objects.filter(pk=member.pk).exists()  # an id portal B does not have
    with django_capture_on_commit_callbacks(execute=True):
        _visitor(portal_a).post("/accounts/password/reset/", {"email": member.email})
    path = _link(mailoutbox[-1], "/accounts/password/reset/key/").split(":8000", 1)[1]
    assert _visitor(portal_b).get(path).status_code == 404
    assert _visitor(portal_a).get(path).status_code == 302  # positive control: allauth goes on

    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    with in_portal(portal_a):
        token = default_token_generator.make_token(member)
    invitation = f"/accounts/set-password/{urlsafe_base64_encode(force_bytes(member.pk))}/{token}/"
    assert _visitor(portal_b).get(invitation).status_code == 404
    assert _visitor(portal_a).get(invitation).status_code == 302  # to the set-password form


def test_the_membership_rules_are_read_once_and_a_change_reaches_the_next_request(portal_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with in_portal(portal_a):
        PostFactory(body="Nur für Mitglieder gedacht")
    visitor = _visitor(portal_a)
    assert "Nur für Mitglieder" in visitor.get("/").content.decode()
    with CaptureQueriesContext(connection) as warm:
        visitor.get("/")
    assert not [q for q in warm.captured_queries if "accounts_membershippolicy" in q["sql"]]

    _policy(portal_a, members_only=True)
    assert "Nur für Mitglieder" not in visitor.get("/").content.decode()
