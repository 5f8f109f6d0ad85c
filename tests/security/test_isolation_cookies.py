"""Cookies a sibling portal plants for the parent domain buy nothing.

Any portal `b.<platform>` can set a cookie with `Domain=<platform>`, and the browser then sends it
to `a.<platform>` as well. The CSRF secret therefore lives in the session rather than in a cookie
of its own, a planted session key is one of another schema (or an anonymous one, replaced at
login), and in production the session cookie has the `__Host-` prefix, which a browser refuses
to store with a Domain attribute at all.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

from tests.accounts.factories import PASSWORD, host_of, member_of, session_user_id
from tests.allmende.test_settings import ROOT, _production_env

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _strict_client(portal) -> Client:
    return Client(HTTP_HOST=host_of(portal), enforce_csrf_checks=True)


def test_a_planted_csrf_cookie_does_not_let_a_forged_form_through(portal_a):
    member = member_of(portal_a)
    victim = _strict_client(portal_a)
    # What a sibling could plant, and the value its forged form would then carry.
    victim.cookies["csrftoken"] = "A" * 32
    forged = victim.post(
        "/accounts/login/",
        {"login": member.email, "password": PASSWORD, "csrfmiddlewaretoken": "A" * 32},
    )
    assert forged.status_code == 403
    assert session_user_id(victim, portal_a) is None


def test_the_token_of_the_portals_own_form_is_accepted(portal_a):
    member = member_of(portal_a)
    browser = _strict_client(portal_a)
    token = TOKEN.search(browser.get("/accounts/login/").content.decode()).group(1)
    response = browser.post(
        "/accounts/login/",
        {"login": member.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert session_user_id(browser, portal_a) == str(member.pk)


def test_a_form_token_of_portal_b_is_refused_on_portal_a(portal_a, portal_b):
    member = member_of(portal_a)
    sibling = _strict_client(portal_b)
    token_b = TOKEN.search(sibling.get("/accounts/login/").content.decode()).group(1)
    victim = _strict_client(portal_a)
    # Even with B's session cookie and B's matching token, A's schema knows neither.
    victim.cookies[settings.SESSION_COOKIE_NAME] = sibling.cookies[
        settings.SESSION_COOKIE_NAME
    ].value
    response = victim.post(
        "/accounts/login/",
        {"login": member.email, "password": PASSWORD, "csrfmiddlewaretoken": token_b},
    )
    assert response.status_code == 403
    assert session_user_id(victim, portal_a) is None


def test_a_planted_session_key_is_replaced_when_the_victim_logs_in(portal_a):
    member = member_of(portal_a)
    attacker = Client(HTTP_HOST=host_of(portal_a))
    attacker.get("/accounts/login/")  # an anonymous session of A, known to the attacker
    planted = attacker.cookies[settings.SESSION_COOKIE_NAME].value
    victim = Client(HTTP_HOST=host_of(portal_a))
    victim.cookies[settings.SESSION_COOKIE_NAME] = planted
    victim.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert session_user_id(victim, portal_a) == str(member.pk)
    assert victim.cookies[settings.SESSION_COOKIE_NAME].value != planted
    # The attacker's copy of the key stays anonymous.
    assert attacker.get("/accounts/me/").status_code == 302
    assert session_user_id(attacker, portal_a) is None


def test_cookies_are_host_only_and_no_csrf_cookie_is_set(client_a, portal_a):
    response = client_a.get("/accounts/login/")
    assert "csrftoken" not in response.cookies
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["domain"] == "" and session["httponly"]


@pytest.mark.slow
def test_production_cookies_cannot_be_planted_by_a_sibling():
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_SECURE, "
        "s.SESSION_COOKIE_DOMAIN, s.SESSION_COOKIE_PATH, s.CSRF_USE_SESSIONS]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT / "platform",
        env=_production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '["__Host-sessionid", true, null, "/", true]'
