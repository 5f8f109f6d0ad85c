"""The member directory (Professional module) and the topic list its search uses."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Profile, Topic
from tests.accounts.factories import admin_client, logged_in_client, member_of
from tests.conftest import in_portal
from tests.features.conftest import set_feature

pytestmark = pytest.mark.django_db


def _listed(portal, name: str, *, topics=(), listed=True):
    member = member_of(portal, display_name=name)
    with in_portal(portal):
        profile = Profile.objects.create(user=member, listed=listed)
        profile.topics.set(topics)
    return member


def test_the_directory_lists_who_chose_it_and_finds_by_name_and_topic(portal_b):
    set_feature(portal_b, "member_directory", True)
    with in_portal(portal_b):
        bikes = Topic.objects.create(name="Fahrrad")
    _listed(portal_b, "Anna Fahrrad-Freundin", topics=[bikes])
    _listed(portal_b, "Bert Garten")
    _listed(portal_b, "Carla Privat", listed=False)
    browser = logged_in_client(portal_b, member_of(portal_b), HTTP_ACCEPT_LANGUAGE="en")

    page = browser.get("/directory/").content.decode()
    assert "Anna Fahrrad-Freundin" in page and "Bert Garten" in page
    assert "Carla Privat" not in page
    assert "Bert" not in browser.get("/directory/?q=anna").content.decode()
    by_topic = browser.get(f"/directory/?topic={bikes.pk}").content.decode()
    assert "Anna" in by_topic and "Bert" not in by_topic
    assert browser.get("/directory/?topic=nonsense").status_code == 200


def test_the_directory_is_a_module_and_for_members_only(portal_b, client_b):
    set_feature(portal_b, "member_directory", False)
    member = logged_in_client(portal_b, member_of(portal_b))
    assert member.get("/directory/").status_code == 404
    set_feature(portal_b, "member_directory", True)
    assert member.get("/directory/").status_code == 200
    assert client_b.get("/directory/").status_code == 302  # visitors log in first


def test_the_directory_makes_the_same_number_of_queries_for_5_and_40_members(portal_b):
    set_feature(portal_b, "member_directory", True)
    browser = logged_in_client(portal_b, member_of(portal_b))
    with in_portal(portal_b):
        topic = Topic.objects.create(name="Nachbarschaft")

    def count() -> int:
        browser.get("/directory/")  # caches (features, theme) warm, as in steady state
        with CaptureQueriesContext(connection) as queries:
            assert browser.get("/directory/").status_code == 200
        return len(queries)

    for n in range(5):
        _listed(portal_b, f"Mitglied {n}", topics=[topic])
    few = count()
    for n in range(5, 40):
        _listed(portal_b, f"Mitglied {n}", topics=[topic])
    assert count() == few


def test_admins_keep_the_topic_list(portal_b):
    admin = admin_client(portal_b)
    saved = admin.post("/manage/topics/", {"names": "Mobilität\nGrün im Stadtteil\nmobilität\n"})
    assert saved.status_code == 302
    with in_portal(portal_b):
        assert list(Topic.objects.values_list("name", flat=True)) == [
            "Mobilität",
            "Grün im Stadtteil",
        ]
    admin.post("/manage/topics/", {"names": "Grün im Stadtteil"})
    with in_portal(portal_b):
        assert list(Topic.objects.values_list("name", flat=True)) == ["Grün im Stadtteil"]
