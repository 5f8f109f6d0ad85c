"""The pages a member meets: the bell, the list (newest first, unread said in words), opening
a notification, marking all read, the settings page and the follow button."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import Delivery, Follow, Notification
from notifications.selectors import PAGE_SIZE
from tests.accounts.factories import logged_in_client, member_of
from tests.conftest import in_portal
from tests.notifications.factories import notification_for, notifications_for
from tests.spaces.factories import space_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(portal_a):
    return member_of(portal_a, language="en")


@pytest.fixture
def client(portal_a, member):
    return logged_in_client(portal_a, member, HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def space(portal_a):
    return space_of(portal_a, name="Garden")


def test_bell_says_how_many_are_unread_in_words(portal_a, member, client, space):
    with in_portal(portal_a):
        notifications_for(member, space, 3)
        notification_for(member, space, read_at=timezone.now())
    page = client.get("/").content.decode()
    assert "Notifications (3 unread)" in page
    assert 'href="/notifications/"' in page


def test_bell_counts_with_one_query(portal_a, member, client, space):
    with in_portal(portal_a):
        notifications_for(member, space, 2)
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    counting = [q for q in queries if '"notifications_notification"' in q["sql"]]
    assert len(counting) == 1


def test_visitor_sees_no_bell(client_a):
    assert "unread" not in client_a.get("/").content.decode()


def test_list_shows_own_notifications_newest_first_unread_in_text(portal_a, member, client, space):
    other = member_of(portal_a)
    with in_portal(portal_a):
        old = notification_for(member, space, title="Older one", read_at=timezone.now())
        new = notification_for(member, space, title="Newer one")
        notification_for(other, space, title="Not yours")
    page = client.get("/notifications/").content.decode()
    assert page.index("Newer one") < page.index("Older one")
    assert re.search(r"Unread:</strong>\s*Newer one", page)
    assert not re.search(r"Unread:</strong>\s*Older one", page)
    assert "Not yours" not in page
    assert f"/notifications/{new.pk}/open/" in page and f"/notifications/{old.pk}/open/" in page


def test_list_is_paged_by_cursor(portal_a, member, client, space):
    with in_portal(portal_a):
        made = notifications_for(member, space, PAGE_SIZE + 5)
    first = client.get("/notifications/").content.decode()
    link = re.search(r'href="(/notifications/\?after=[^"]+)"', first).group(1)
    second = client.get(link.replace("&amp;", "&")).content.decode()
    titles_first = set(re.findall(r"Item \d+", first))
    titles_second = set(re.findall(r"Item \d+", second))
    assert len(titles_first) == PAGE_SIZE and len(titles_second) == 5
    assert titles_first.isdisjoint(titles_second)
    assert titles_first | titles_second == {n.title for n in made}
    assert "Older notifications" not in second


def test_broken_cursor_is_a_clear_400(client):
    response = client.get("/notifications/?after=nonsense")
    assert response.status_code == 400
    assert b"Start again" in response.content


def test_list_query_count_is_the_same_for_3_and_30(portal_a, member, client, space):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/notifications/").status_code == 200
        return len(queries)

    with in_portal(portal_a):
        notifications_for(member, space, 3)
    count()  # the first request of a session fills caches (theme, features, routing)
    few = count()
    with in_portal(portal_a):
        notifications_for(member, space, 27)
    assert count() == few


def test_opening_marks_read_and_goes_to_the_target(portal_a, member, client, space):
    with in_portal(portal_a):
        notification = notification_for(member, space)
    response = client.get(f"/notifications/{notification.pk}/open/")
    assert response.status_code == 302 and response.url == space.get_absolute_url()
    with in_portal(portal_a):
        notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_never_redirects_off_site(portal_a, member, client, space):
    with in_portal(portal_a):
        evil = notification_for(member, space, url="//evil.example/x")
    response = client.get(f"/notifications/{evil.pk}/open/")
    assert response.url == "/notifications/"


def test_another_members_notification_is_404(portal_a, member, client, space):
    other = member_of(portal_a)
    with in_portal(portal_a):
        theirs = notification_for(other, space)
        mine = notification_for(member, space)
    assert client.get(f"/notifications/{mine.pk}/open/").status_code == 302  # positive control
    assert client.get(f"/notifications/{theirs.pk}/open/").status_code == 404
    with in_portal(portal_a):
        theirs.refresh_from_db()
    assert theirs.read_at is None


def test_visitor_is_sent_to_log_in(client_a):
    response = client_a.get("/notifications/")
    assert response.status_code == 302 and "login" in response.url


def test_mark_all_read_touches_only_own(portal_a, member, client, space):
    other = member_of(portal_a)
    with in_portal(portal_a):
        notifications_for(member, space, 4)
        notifications_for(other, space, 2)
    assert client.get("/notifications/read-all/").status_code == 405
    response = client.post("/notifications/read-all/", follow=True)
    assert "Notifications (none unread)" in response.content.decode()
    with in_portal(portal_a):
        assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()
        assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 2


def test_settings_page_shows_defaults_and_saves(portal_a, member, client):
    page = client.get("/notifications/settings/").content.decode()
    assert "Member mentioned" in page
    assert re.search(r'<option value="daily" selected>', page)
    response = client.post(
        "/notifications/settings/",
        {"default": "weekly", "type_member_mentioned": "none"},
        follow=True,
    )
    assert "Your notification settings are saved." in response.content.decode()
    from notifications.selectors import delivery_of

    with in_portal(portal_a):
        assert delivery_of(user=member, event_type="member.mentioned") == Delivery.NONE
        assert delivery_of(user=member, event_type="thread.created") == Delivery.WEEKLY


def test_settings_bad_choice_is_400_and_keeps_the_other_values(client):
    response = client.post(
        "/notifications/settings/", {"default": "hourly", "type_member_mentioned": "none"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Select a valid choice" in page
    assert re.search(
        r'name="type_member_mentioned"[^>]*>.*?<option value="none" selected>', page, re.S
    )


def test_follow_button_follows_and_unfollows_idempotently(portal_a, member, client, space):
    from django.template import Context, Template
    from django.test import RequestFactory

    def button() -> str:
        request = RequestFactory().get("/spaces/garden/")
        request.user = member
        with in_portal(portal_a):
            return Template(
                '{% include "notifications/follow_button.html" with target=space %}'
            ).render(Context({"space": space, "user": member, "request": request}))

    assert ">Follow<" in button()
    form = {"type": "spaces.space", "id": space.pk, "next": "/spaces/garden/"}
    for _ in range(2):
        response = client.post("/notifications/follow/", form)
        assert response.status_code == 302 and response.url == "/spaces/garden/"
    with in_portal(portal_a):
        assert Follow.objects.filter(user=member).count() == 1
    assert ">Unfollow<" in button()
    for _ in range(2):
        client.post("/notifications/unfollow/", form)
    with in_portal(portal_a):
        assert not Follow.objects.filter(user=member).exists()
    assert ">Follow<" in button()


def test_cannot_follow_what_one_cannot_see(portal_a, member, client):
    from spaces.models import SpaceVisibility

    hidden = space_of(portal_a, visibility=SpaceVisibility.PRIVATE)
    visible = space_of(portal_a)
    assert (
        client.post(
            "/notifications/follow/", {"type": "spaces.space", "id": visible.pk}
        ).status_code
        == 302
    )
    for form in (
        {"type": "spaces.space", "id": hidden.pk},
        {"type": "accounts.user", "id": member.pk},
        {"type": "spaces.space", "id": "x"},
    ):
        assert client.post("/notifications/follow/", form).status_code == 404
    with in_portal(portal_a):
        assert Follow.objects.filter(user=member).count() == 1


def test_follow_redirect_stays_on_site(portal_a, client, space):
    response = client.post(
        "/notifications/follow/",
        {"type": "spaces.space", "id": space.pk, "next": "https://evil.example/"},
    )
    assert response.url == space.get_absolute_url()
