"""Who sees a space's discussions: the thread page, the list, the feed and the API, for
visitors, portal members, space members, moderators and members of another portal. Invisible
is the same 404 as missing; every refusal has a positive control."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import Role
from spaces.models import SpaceVisibility
from tests.accounts.factories import logged_in_client, member_of
from tests.conftest import in_portal
from tests.discussions.factories import thread_in
from tests.spaces.factories import space_of

pytestmark = pytest.mark.django_db


def _private_thread(portal, **fields):
    admin = member_of(portal, display_name="Space Admin")
    insider = member_of(portal, display_name="Insider")
    with in_portal(portal):
        space = space_of(visibility=SpaceVisibility.PRIVATE, admin=admin, members=[insider])
        thread = thread_in(space, insider, title="Geheimer Plan", **fields)
    return space, thread, admin, insider


def _thread_url(space, thread) -> str:
    return f"/spaces/{space.slug}/discussions/{thread.pk}/"


def test_private_thread_page_is_404_for_outsiders_and_visitors_and_open_to_members(
    portal_b, client_b
):
    space, thread, _admin, insider = _private_thread(portal_b)
    outsider = logged_in_client(portal_b, member_of(portal_b), HTTP_ACCEPT_LANGUAGE="en")
    moderator = logged_in_client(
        portal_b, member_of(portal_b, role=Role.MODERATOR), HTTP_ACCEPT_LANGUAGE="en"
    )
    url = _thread_url(space, thread)

    assert client_b.get(url).status_code == 404
    assert outsider.get(url).status_code == 404
    inside = logged_in_client(portal_b, insider, HTTP_ACCEPT_LANGUAGE="en").get(url)
    assert inside.status_code == 200 and "Geheimer Plan" in inside.content.decode()
    assert moderator.get(url).status_code == 200
    # The same answer as for a thread that does not exist.
    missing = outsider.get(f"/spaces/{space.slug}/discussions/{thread.pk + 1000}/")
    assert missing.status_code == 404


def test_members_only_space_is_for_portal_members_not_visitors(portal_a, client_a):
    author = member_of(portal_a)
    with in_portal(portal_a):
        space = space_of(visibility=SpaceVisibility.MEMBERS, members=[author])
        thread = thread_in(space, author, title="Für Mitglieder")
    url = _thread_url(space, thread)
    assert client_a.get(url).status_code == 404
    assert client_a.get(f"/spaces/{space.slug}/discussions/").status_code == 404
    member = logged_in_client(portal_a, member_of(portal_a), HTTP_ACCEPT_LANGUAGE="en")
    assert "Für Mitglieder" in member.get(url).content.decode()
    assert "Für Mitglieder" in member.get(f"/spaces/{space.slug}/discussions/").content.decode()


def test_public_thread_is_visible_to_visitors_but_not_from_another_portal(
    portal_a, portal_b, client_a, client_b
):
    author = member_of(portal_a)
    with in_portal(portal_a):
        space = space_of(visibility=SpaceVisibility.PUBLIC, members=[author])
        thread = thread_in(space, author, title="Offen für alle")
    url = _thread_url(space, thread)
    assert "Offen für alle" in client_a.get(url).content.decode()
    # A member of portal B asks portal B for the same path: nothing there.
    other = logged_in_client(portal_b, member_of(portal_b), HTTP_ACCEPT_LANGUAGE="en")
    assert other.get(url).status_code == 404
    assert client_b.get(url).status_code == 404


def test_a_thread_of_another_space_under_this_space_is_404(portal_a):
    author = member_of(portal_a)
    with in_portal(portal_a):
        first = space_of(members=[author])
        second = space_of(members=[author])
        thread = thread_in(first, author)
    client = logged_in_client(portal_a, author, HTTP_ACCEPT_LANGUAGE="en")
    assert client.get(_thread_url(first, thread)).status_code == 200
    assert client.get(_thread_url(second, thread)).status_code == 404


def test_thread_list_shows_private_threads_only_to_the_space(portal_b):
    space, _thread, _admin, insider = _private_thread(portal_b)
    url = f"/spaces/{space.slug}/discussions/"
    assert (
        "Geheimer Plan"
        in logged_in_client(portal_b, insider, HTTP_ACCEPT_LANGUAGE="en").get(url).content.decode()
    )
    assert (
        logged_in_client(portal_b, member_of(portal_b), HTTP_ACCEPT_LANGUAGE="en")
        .get(url)
        .status_code
        == 404
    )


def test_hidden_thread_only_for_moderators_and_space_admins(portal_b):
    space, thread, admin, insider = _private_thread(portal_b, hidden_at=timezone.now())
    url = _thread_url(space, thread)
    listing = f"/spaces/{space.slug}/discussions/"
    assert (
        logged_in_client(portal_b, insider, HTTP_ACCEPT_LANGUAGE="en").get(url).status_code == 404
    )
    assert (
        "Geheimer Plan"
        not in logged_in_client(portal_b, insider, HTTP_ACCEPT_LANGUAGE="en")
        .get(listing)
        .content.decode()
    )
    seen = logged_in_client(portal_b, admin, HTTP_ACCEPT_LANGUAGE="en").get(url)
    assert seen.status_code == 200 and "Hidden by moderation" in seen.content.decode()
    moderator = logged_in_client(
        portal_b, member_of(portal_b, role=Role.MODERATOR), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert moderator.get(url).status_code == 200


def test_deleted_thread_is_gone_for_everyone(portal_b):
    space, thread, admin, insider = _private_thread(portal_b, deleted_at=timezone.now())
    for user in (admin, insider, member_of(portal_b, role=Role.ADMIN)):
        assert (
            logged_in_client(portal_b, user, HTTP_ACCEPT_LANGUAGE="en")
            .get(_thread_url(space, thread))
            .status_code
            == 404
        )


def test_feed_of_a_private_space_is_404_for_outsiders(portal_b, client_b):
    space, _thread, _admin, insider = _private_thread(portal_b)
    url = f"/spaces/{space.slug}/discussions/feed/"
    assert client_b.get(url).status_code == 404
    assert (
        logged_in_client(portal_b, member_of(portal_b), HTTP_ACCEPT_LANGUAGE="en")
        .get(url)
        .status_code
        == 404
    )
    feed = logged_in_client(portal_b, insider, HTTP_ACCEPT_LANGUAGE="en").get(url)
    assert feed.status_code == 200 and "Geheimer Plan" in feed.content.decode()


def test_feed_of_a_public_space_lists_its_threads_for_visitors(portal_a, client_a):
    author = member_of(portal_a)
    with in_portal(portal_a):
        space = space_of(visibility=SpaceVisibility.PUBLIC, members=[author])
        thread_in(space, author, title="Radweg an der Hauptstraße")
        thread_in(space, author, title="Gelöscht", deleted_at=timezone.now())
    feed = client_a.get(f"/spaces/{space.slug}/discussions/feed/")
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("application/atom+xml")
    body = feed.content.decode()
    assert "Radweg an der Hauptstraße" in body and "Gelöscht" not in body


def test_api_lists_and_reads_only_visible_threads(portal_b):
    space, thread, _admin, insider = _private_thread(portal_b)
    outsider = logged_in_client(portal_b, member_of(portal_b), HTTP_ACCEPT_LANGUAGE="en")
    listed = outsider.get("/api/v1/threads/").json()["results"]
    assert thread.pk not in [row["id"] for row in listed]
    assert outsider.get(f"/api/v1/threads/{thread.pk}/").status_code == 404

    api = logged_in_client(portal_b, insider, HTTP_ACCEPT_LANGUAGE="en")
    rows = api.get(f"/api/v1/threads/?space={space.slug}").json()["results"]
    assert [row["title"] for row in rows] == ["Geheimer Plan"]
    assert api.get(f"/api/v1/threads/{thread.pk}/").json()["space"] == space.slug


def test_api_starts_threads_only_for_space_members(portal_b):
    space, _thread, _admin, insider = _private_thread(portal_b)
    with in_portal(portal_b):
        open_space = space_of(visibility=SpaceVisibility.MEMBERS, members=[insider])
    payload = {"space": open_space.slug, "title": "Neu", "body": "Text"}
    outsider = logged_in_client(portal_b, member_of(portal_b), HTTP_ACCEPT_LANGUAGE="en")
    assert outsider.post("/api/v1/threads/", payload).status_code == 403
    assert outsider.post("/api/v1/threads/", {**payload, "space": space.slug}).status_code == 404
    made = logged_in_client(portal_b, insider, HTTP_ACCEPT_LANGUAGE="en").post(
        "/api/v1/threads/", payload
    )
    assert made.status_code == 201 and made.json()["title"] == "Neu"
    bad = logged_in_client(portal_b, insider, HTTP_ACCEPT_LANGUAGE="en").post(
        "/api/v1/threads/", {**payload, "title": " "}
    )
    assert bad.status_code == 400


def test_switching_spaces_off_hides_discussions(portal_a):
    from tests.features.conftest import set_feature

    author = member_of(portal_a)
    with in_portal(portal_a):
        space = space_of(members=[author])
        thread = thread_in(space, author)
    client = logged_in_client(portal_a, author, HTTP_ACCEPT_LANGUAGE="en")
    assert client.get(_thread_url(space, thread)).status_code == 200
    set_feature(portal_a, "spaces", False)
    assert client.get(_thread_url(space, thread)).status_code == 404
    assert client.get(f"/spaces/{space.slug}/discussions/feed/").status_code == 404
