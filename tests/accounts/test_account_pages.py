"""A member's own account page: download their data, delete the account after confirming."""

from __future__ import annotations

import io
import zipfile

import pytest

from accounts.models import User
from tests.accounts.factories import (
    PASSWORD,
    admin_of,
    logged_in_client,
    member_of,
    session_user_id,
)
from tests.conftest import in_portal
from tests.news.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_a_member_downloads_a_zip_with_what_they_wrote(portal_a, client_a):
    member = member_of(portal_a, display_name="Kim Yilmaz")
    with in_portal(portal_a):
        PostFactory(author=member, body="Mein Beitrag über das Repair-Café")
    browser = logged_in_client(portal_a, member)
    assert (
        "Download my data"
        in browser.get("/accounts/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    response = browser.post("/accounts/me/data/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    data = zipfile.ZipFile(io.BytesIO(response.content)).read("data.json").decode()
    assert "Mein Beitrag über das Repair-Café" in data
    assert client_a.post("/accounts/me/data/").status_code == 302  # visitors: log in first


def test_deleting_the_account_needs_the_password_and_then_erases_it(portal_a):
    member = member_of(portal_a, email="weg@example.org", display_name="Kim Weg")
    with in_portal(portal_a):
        PostFactory(author=member, body="Bleibt als Beitrag eines ehemaligen Mitglieds")
    browser = logged_in_client(portal_a, member, HTTP_ACCEPT_LANGUAGE="en")

    wrong = browser.post("/accounts/me/delete/", {"password": "falsch", "content": "keep"})
    assert wrong.status_code == 400 and "not right" in wrong.content.decode()
    with in_portal(portal_a):
        assert User.objects.filter(email="weg@example.org").exists()

    done = browser.post("/accounts/me/delete/", {"password": PASSWORD, "content": "keep"})
    assert done.status_code == 302
    with in_portal(portal_a):
        assert not User.objects.filter(email="weg@example.org").exists()
    start = browser.get("/").content.decode()
    assert "Bleibt als Beitrag" in start and "Kim Weg" not in start
    assert session_user_id(browser, portal_a) is None


def test_the_last_admin_is_told_to_hand_over_first(portal_b):
    with in_portal(portal_b):
        User.objects.filter(role="admin").update(role="member")
    admin = admin_of(portal_b)
    browser = logged_in_client(portal_b, admin, HTTP_ACCEPT_LANGUAGE="en")
    refused = browser.post("/accounts/me/delete/", {"password": PASSWORD, "content": "keep"})
    assert refused.status_code == 400 and "last administrator" in refused.content.decode()
    with in_portal(portal_b):
        assert User.objects.filter(pk=admin.pk, is_active=True).exists()
