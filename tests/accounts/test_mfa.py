"""Two-factor login: always for platform staff in the operator console, for a portal's admins
where the portal requires it; with it set up, logging in asks for the authenticator's code."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import MembershipPolicy
from tests.accounts.factories import (
    PASSWORD,
    admin_of,
    logged_in_client,
    mfa_activate,
    staff_user,
    totp_code,
)
from tests.conftest import in_portal

pytestmark = pytest.mark.django_db
SETUP = "/accounts/2fa/"


def test_staff_without_two_factor_are_sent_to_set_it_up_before_the_console():
    console = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    console.force_login(staff_user(two_factor=False))
    response = console.get("/operator/")
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    # allauth asks for the password again before an authenticator is added.
    assert console.get(SETUP, follow=True).status_code == 200

    ready = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    ready.force_login(staff_user(email="ops2@allmende.example"))  # with an authenticator
    assert ready.get("/operator/").status_code == 200


def test_staff_log_in_with_password_and_the_authenticators_code():
    operator = staff_user(two_factor=False, email="zwei@allmende.example")
    secret = mfa_activate(operator)
    browser = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    first = browser.post("/accounts/login/", {"login": operator.email, "password": PASSWORD})
    assert first.status_code == 302 and "/accounts/2fa/authenticate/" in first["Location"]
    assert "_auth_user_id" not in browser.session  # the password alone is not enough
    wrong = browser.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in browser.session
    second = browser.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert second.status_code == 302
    assert browser.get("/operator/").status_code == 200


@pytest.mark.parametrize("required", [True, False])
def test_portal_admins_need_two_factor_where_the_portal_says_so(portal_b, required):
    with in_portal(portal_b):
        MembershipPolicy.objects.update_or_create(pk=1, defaults={"admin_mfa_required": required})
    admin = admin_of(portal_b)
    page = logged_in_client(portal_b, admin).get("/manage/features/")
    if required:
        assert page.status_code == 302 and page["Location"].startswith(SETUP)
        with in_portal(portal_b):
            mfa_activate(admin)
        assert logged_in_client(portal_b, admin).get("/manage/features/").status_code == 200
    else:
        assert page.status_code == 200
