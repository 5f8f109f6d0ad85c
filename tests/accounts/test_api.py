"""The members API: every member reads and changes their own profile; only admins list members."""

from __future__ import annotations

import pytest

from accounts.models import Profile
from tests.accounts.factories import admin_of, logged_in_client, member_of
from tests.conftest import in_portal

pytestmark = pytest.mark.django_db


def test_a_member_reads_and_changes_their_profile(portal_b):
    kim = member_of(portal_b, display_name="Kim")
    api = logged_in_client(portal_b, kim)
    assert api.get("/api/v1/members/me/").json()["display_name"] == "Kim"
    changed = api.patch(
        "/api/v1/members/me/",
        {"bio": "Radfahrerin", "visibility": {"bio": "public"}},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["bio"] == "Radfahrerin"
    with in_portal(portal_b):
        assert Profile.objects.get(user=kim).visibility_of("bio") == "public"
    refused = api.patch(
        "/api/v1/members/me/", {"display_name": "Kim\nBcc: x"}, content_type="application/json"
    )
    assert refused.status_code == 400 and "display_name" in refused.json()


def test_only_admins_list_the_members(portal_b):
    member = logged_in_client(portal_b, member_of(portal_b, email="m@beta.example"))
    assert member.get("/api/v1/members/").status_code == 403
    admin = logged_in_client(portal_b, admin_of(portal_b))
    listed = admin.get("/api/v1/members/").json()
    assert "m@beta.example" in [row["email"] for row in listed["results"]]
    assert "members" in admin.get("/api/v1/").json()
