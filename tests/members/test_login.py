"""What blocking, unblocking and approving mean for the person: whether the real login form
lets them in. Written against "the next page shows no logged-in session" rather than the login
view's own answer, which differs between login implementations (form again, or an "inactive"
page)."""

from __future__ import annotations

import pytest
from django.test import Client

from members import services
from tests.accounts.factories import PASSWORD, admin_of, host_of, logged_in_client, member_of
from tests.conftest import in_portal

pytestmark = pytest.mark.django_db


def _try_login(portal, user) -> Client:
    browser = Client(HTTP_HOST=host_of(portal))
    # Both field names, so the test holds for Django's form ("username") and allauth's ("login").
    browser.post(
        "/accounts/login/", {"login": user.email, "username": user.email, "password": PASSWORD}
    )
    return browser


def _logged_in(browser: Client) -> bool:
    """An admin page answers a visitor with the login page, anyone logged in otherwise."""
    response = browser.get("/manage/members/")
    return not (response.status_code == 302 and "/login/" in response["Location"])


def test_a_blocked_member_cannot_log_in_and_can_again_once_unblocked(portal_a, admin):
    moderator = member_of(portal_a, role="moderator")
    assert _logged_in(_try_login(portal_a, moderator))  # positive control: the password works

    with in_portal(portal_a):
        services.member_block(member=moderator, actor=admin)
    assert not _logged_in(_try_login(portal_a, moderator))

    with in_portal(portal_a):
        services.member_unblock(member=moderator, actor=admin)
    assert _logged_in(_try_login(portal_a, moderator))


def test_blocking_ends_the_session_a_member_already_has(portal_a, admin):
    other_admin = admin_of(portal_a)
    browser = logged_in_client(portal_a, other_admin)
    assert browser.get("/manage/members/").status_code == 200  # positive control

    with in_portal(portal_a):
        services.member_block(member=other_admin, actor=admin)
    response = browser.get("/manage/members/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_pending_member_can_log_in_only_after_approval(portal_a, admin, pending):
    assert not _logged_in(_try_login(portal_a, pending))
    with in_portal(portal_a):
        services.member_approve(member=pending, actor=admin)
    assert _logged_in(_try_login(portal_a, pending))
