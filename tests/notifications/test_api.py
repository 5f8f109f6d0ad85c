"""The notifications API (module api_access: portal B): own notifications only, newest first,
mark one or all read, unread count."""

from __future__ import annotations

import pytest

from tests.accounts.factories import logged_in_client, member_of
from tests.conftest import in_portal
from tests.notifications.factories import notification_for, notifications_for
from tests.spaces.factories import space_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(portal_b):
    return member_of(portal_b)


@pytest.fixture
def api(portal_b, member):
    return logged_in_client(portal_b, member)


def test_lists_own_notifications_newest_first(portal_b, member, api):
    other = member_of(portal_b)
    with in_portal(portal_b):
        space = space_of()
        older = notification_for(member, space, title="older")
        newer = notification_for(member, space, title="newer")
        notification_for(other, space, title="theirs")
    body = api.get("/api/v1/notifications/").json()
    assert [row["id"] for row in body["results"]] == [newer.pk, older.pk]
    assert body["results"][0]["read"] is False


def test_mark_one_read_and_another_members_is_404(portal_b, member, api):
    other = member_of(portal_b)
    with in_portal(portal_b):
        space = space_of()
        mine = notification_for(member, space)
        theirs = notification_for(other, space)
    response = api.post(f"/api/v1/notifications/{mine.pk}/read/")
    assert response.status_code == 200 and response.json()["read"] is True
    assert api.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert api.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    with in_portal(portal_b):
        theirs.refresh_from_db()
    assert theirs.read_at is None


def test_unread_count_and_read_all(portal_b, member, api):
    with in_portal(portal_b):
        notifications_for(member, space_of(), 4)
    assert api.get("/api/v1/notifications/unread-count/").json() == {"unread": 4}
    assert api.post("/api/v1/notifications/read-all/").json() == {"marked": 4}
    assert api.get("/api/v1/notifications/unread-count/").json() == {"unread": 0}


def test_visitor_gets_no_notifications(client_b):
    assert client_b.get("/api/v1/notifications/").status_code in (401, 403)
