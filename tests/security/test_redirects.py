"""A `next` parameter never sends anyone off the portal: every redirect after login, logout,
sign-up or a language switch goes to a path of the same host (or the start page), whatever the
parameter says. Positive control: a plain path of the portal is followed."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests.accounts.factories import PASSWORD, host_of, log_in, member_of

pytestmark = pytest.mark.django_db
ELSEWHERE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    " //evil.example",
    "http://alpha.localhost@evil.example/",
]


def _stays_home(location: str) -> bool:
    parts = urlsplit(location)
    return (
        not parts.scheme
        and not parts.netloc
        and location.startswith("/")
        and not location.startswith(("//", "/\\"))
        and "@" not in location.split("?")[0]
    )


def _login(client: Client, user, target: str):
    return client.post(
        f"/accounts/login/?next={target}", {"login": user.email, "password": PASSWORD}
    )


@pytest.mark.parametrize("target", ELSEWHERE)
def test_login_does_not_follow_next_off_the_portal(portal_a, target):
    response = _login(Client(HTTP_HOST=host_of(portal_a)), member_of(portal_a), target)
    assert response.status_code == 302
    assert _stays_home(response["Location"]), response["Location"]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_logout_and_language_switch_do_not_follow_next_off_the_portal(portal_a, target):
    client = log_in(Client(HTTP_HOST=host_of(portal_a)), member_of(portal_a))
    switched = client.post("/i18n/setlang/", {"language": "en", "next": target})
    assert switched.status_code == 302 and _stays_home(switched["Location"])
    logged_out = client.post("/accounts/logout/", {"next": target})
    assert logged_out.status_code == 302 and _stays_home(logged_out["Location"])


def test_next_within_the_portal_is_followed(portal_a):
    response = _login(
        Client(HTTP_HOST=host_of(portal_a)), member_of(portal_a), "/accounts/me/profile/"
    )
    assert response["Location"] == "/accounts/me/profile/"
    client = log_in(Client(HTTP_HOST=host_of(portal_a)), member_of(portal_a))
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/directory/"})
    assert switched["Location"] == "/directory/"


@pytest.mark.parametrize("location", ELSEWHERE)
def test_the_check_refuses_what_leads_elsewhere(location):
    assert not _stays_home(location)
