"""Starting, editing, pinning and deleting threads: the rules, the history, what members see,
bad input, script in every field, and the query counts of the thread page and the list."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from comments.models import Revision
from core.event_types import EventType
from discussions import services
from discussions.models import Thread
from notifications.models import Notification
from notifications.services import follow, is_following
from spaces.models import SpaceVisibility
from tests.accounts.factories import logged_in_client, member_of
from tests.conftest import in_portal
from tests.discussions.factories import comment_on, thread_in
from tests.spaces.factories import space_of

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def group(portal_a):
    admin = member_of(portal_a, display_name="Ada Admin")
    member = member_of(portal_a, display_name="Mia Mitglied")
    with in_portal(portal_a):
        space = space_of(visibility=SpaceVisibility.PUBLIC, admin=admin, members=[member])
    return space, admin, member


def test_a_member_starts_a_thread_and_the_space_followers_hear_of_it(portal_a, group):
    space, admin, member = group
    with in_portal(portal_a):
        follow(user=admin, target=space)
    client = logged_in_client(portal_a, member, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        f"/spaces/{space.slug}/discussions/new/", {"title": "Sommerfest", "body": "Wer hilft?"}
    )
    assert response.status_code == 302
    with in_portal(portal_a):
        thread = Thread.objects.get(title="Sommerfest")
        assert response["Location"] == thread.get_absolute_url()
        assert is_following(user=member, target=thread)
        told = Notification.objects.get(recipient=admin)
        assert told.event_type == EventType.THREAD_CREATED and "Sommerfest" in told.title
    assert "Wer hilft?" in client.get(thread.get_absolute_url()).content.decode()


def test_only_space_members_start_threads_and_not_in_archived_spaces(portal_a, group):
    space, _admin, member = group
    outsider = member_of(portal_a)
    url = f"/spaces/{space.slug}/discussions/new/"
    assert (
        logged_in_client(portal_a, outsider, HTTP_ACCEPT_LANGUAGE="en")
        .post(url, {"title": "x", "body": "y"})
        .status_code
        == 403
    )
    with in_portal(portal_a):
        with pytest.raises(PermissionDenied):
            services.thread_create(author=outsider, space=space, title="x", body="y")
        space.archived_at = timezone.now()
        space.save()
        with pytest.raises(PermissionDenied):
            services.thread_create(author=member, space=space, title="x", body="y")
        assert not Thread.objects.exists()


def test_bad_input_is_shown_again_with_the_text_kept(portal_a, group):
    space, _admin, member = group
    response = logged_in_client(portal_a, member, HTTP_ACCEPT_LANGUAGE="en").post(
        f"/spaces/{space.slug}/discussions/new/", {"title": "  ", "body": "Mein langer Text"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Mein langer Text" in page and 'class="errorlist' in page


def test_editing_keeps_the_old_text_in_the_history(portal_a, group):
    space, admin, member = group
    with in_portal(portal_a):
        thread = thread_in(space, member, title="Alt", body="Erste Fassung")
    client = logged_in_client(portal_a, member, HTTP_ACCEPT_LANGUAGE="en")
    edit = f"/spaces/{space.slug}/discussions/{thread.pk}/edit/"
    assert client.post(edit, {"title": "Neu", "body": "Zweite Fassung"}).status_code == 302
    with in_portal(portal_a):
        thread.refresh_from_db()
        assert thread.edited_at is not None and thread.body == "Zweite Fassung"
        assert Revision.objects.get().body == "Erste Fassung"
        url = thread.get_absolute_url()
    page = client.get(url).content.decode()
    assert "Zweite Fassung" in page and "edited" in page
    history = client.get(f"/spaces/{space.slug}/discussions/{thread.pk}/history/").content.decode()
    assert "Erste Fassung" in history and "Alt" in history
    # Another member may not edit; the space admin may.
    other = logged_in_client(portal_a, member_of(portal_a), HTTP_ACCEPT_LANGUAGE="en")
    assert other.post(edit, {"title": "Fremd", "body": "Fremd"}).status_code == 403
    assert (
        logged_in_client(portal_a, admin, HTTP_ACCEPT_LANGUAGE="en")
        .post(edit, {"title": "A", "body": "B"})
        .status_code
        == 302
    )


def test_pinning_is_for_space_admins_and_pinned_threads_come_first(portal_a, group):
    space, admin, member = group
    with in_portal(portal_a):
        older = thread_in(space, member, title="Ältere Diskussion")
        thread_in(space, member, title="Neuere Diskussion")
    pin = f"/spaces/{space.slug}/discussions/{older.pk}/pin/"
    assert (
        logged_in_client(portal_a, member, HTTP_ACCEPT_LANGUAGE="en").post(pin).status_code == 403
    )
    assert logged_in_client(portal_a, admin, HTTP_ACCEPT_LANGUAGE="en").post(pin).status_code == 302
    page = logged_in_client(portal_a, member, HTTP_ACCEPT_LANGUAGE="en").get(
        f"/spaces/{space.slug}/discussions/"
    )
    text = page.content.decode()
    assert text.index("Ältere Diskussion") < text.index("Neuere Diskussion")
    assert "Pinned" in text
    moderator = logged_in_client(
        portal_a, member_of(portal_a, role=Role.MODERATOR), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert moderator.post(pin, {"pinned": "0"}).status_code == 302
    with in_portal(portal_a):
        older.refresh_from_db()
        assert older.pinned_at is None


def test_deleting_is_soft_and_for_the_author_or_moderators(portal_a, group):
    space, admin, member = group
    with in_portal(portal_a):
        thread = thread_in(space, member, title="Bald weg")
    delete = f"/spaces/{space.slug}/discussions/{thread.pk}/delete/"
    assert (
        logged_in_client(portal_a, member_of(portal_a), HTTP_ACCEPT_LANGUAGE="en")
        .post(delete)
        .status_code
        == 403
    )
    assert (
        logged_in_client(portal_a, member, HTTP_ACCEPT_LANGUAGE="en").post(delete).status_code
        == 302
    )
    with in_portal(portal_a):
        assert Thread.objects.get(pk=thread.pk).deleted_at is not None
    assert (
        logged_in_client(portal_a, admin, HTTP_ACCEPT_LANGUAGE="en")
        .get(thread.get_absolute_url())
        .status_code
        == 404
    )
    listing = logged_in_client(portal_a, admin, HTTP_ACCEPT_LANGUAGE="en").get(
        f"/spaces/{space.slug}/discussions/"
    )
    assert "Bald weg" not in listing.content.decode()


def test_a_comment_moves_the_thread_up(portal_a, group):
    from comments.services import comment_create

    space, _admin, member = group
    with in_portal(portal_a):
        old = thread_in(space, member, title="Alte Frage")
        thread_in(space, member, title="Neue Frage")
        comment_create(author=member, target=old, body="Noch aktuell!")
    text = logged_in_client(portal_a, member, HTTP_ACCEPT_LANGUAGE="en").get(
        f"/spaces/{space.slug}/discussions/"
    )
    text = text.content.decode()
    assert text.index("Alte Frage") < text.index("Neue Frage")


def test_script_in_title_and_body_is_escaped_on_page_feed_and_api(portal_b):
    author = member_of(portal_b)
    with in_portal(portal_b):
        space = space_of(visibility=SpaceVisibility.PUBLIC, members=[author])
        thread = thread_in(space, author, title=SCRIPT, body=SCRIPT + " [x](javascript:alert(1))")
    client = logged_in_client(portal_b, author, HTTP_ACCEPT_LANGUAGE="en")
    for url in (
        thread.get_absolute_url(),
        f"/spaces/{space.slug}/discussions/",
        f"/spaces/{space.slug}/discussions/feed/",
    ):
        body = client.get(url).content.decode()
        assert "<script>" not in body and "<img src=x" not in body, url
        assert "javascript:" not in body, url
    row = client.get(f"/api/v1/threads/{thread.pk}/").json()
    assert "<script" not in row["body_html"] and "<img" not in row["body_html"]


def _count(client, url: str) -> int:
    client.get(url)  # warm the per-portal caches (features, theme) first
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_thread_page_query_count_is_constant_in_the_number_of_comments(portal_a, group):
    space, _admin, member = group
    with in_portal(portal_a):
        thread = thread_in(space, member)
        people = [member_of(portal_a) for _ in range(5)]

    def add(n: int) -> None:
        with in_portal(portal_a):
            for i in range(n):
                top = comment_on(thread, people[i % 5], body=f"Kommentar {i} von @{i}")
                comment_on(thread, people[(i + 1) % 5], body="Antwort", parent=top)

    client = logged_in_client(portal_a, member, HTTP_ACCEPT_LANGUAGE="en")
    add(3)
    few = _count(client, thread.get_absolute_url())
    add(27)
    many = _count(client, thread.get_absolute_url())
    assert "Kommentar 26" in client.get(thread.get_absolute_url()).content.decode()
    assert few == many


def test_discussion_list_query_count_is_constant_in_the_number_of_threads(portal_a, group):
    space, _admin, member = group
    url = f"/spaces/{space.slug}/discussions/"
    client = logged_in_client(portal_a, member, HTTP_ACCEPT_LANGUAGE="en")

    def add(n: int) -> None:
        with in_portal(portal_a):
            for _ in range(n):
                thread = thread_in(space, member_of(portal_a))
                comment_on(thread, member)

    add(3)
    few = _count(client, url)
    add(27)
    assert _count(client, url) == few


def test_a_mention_in_a_new_thread_notifies_only_who_can_see_it(portal_b):
    author = member_of(portal_b, display_name="Autorin")
    inside = member_of(portal_b, display_name="Ines Innen")
    outside = member_of(portal_b, display_name="Otto Außen")
    with in_portal(portal_b):
        space = space_of(visibility=SpaceVisibility.PRIVATE, members=[author, inside])
        services.thread_create(
            author=author, space=space, title="Treffen", body="@InesInnen und @OttoAußen?"
        )
        assert Notification.objects.filter(
            recipient=inside, event_type=EventType.MEMBER_MENTIONED
        ).exists()
        assert not Notification.objects.filter(recipient=outside).exists()
