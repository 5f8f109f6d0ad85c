"""The comment component on discussion threads: who may write, mentions and replies that
notify, the edit history, soft delete, hidden comments, script in comments, and the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import Role
from comments import selectors, services
from comments.models import Comment, Revision
from core.event_types import EventType
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
def private(portal_b):
    """A private space in portal B with a thread: admin, two members, and an outsider."""
    admin = member_of(portal_b, display_name="Sara Admin")
    anna = member_of(portal_b, display_name="Anna Schmidt")
    ben = member_of(portal_b, display_name="Ben Braun")
    outsider = member_of(portal_b, display_name="Otto Außen")
    with in_portal(portal_b):
        space = space_of(visibility=SpaceVisibility.PRIVATE, admin=admin, members=[anna, ben])
        thread = thread_in(space, anna, title="Planung")
        url = thread.get_absolute_url()
    return {
        "space": space,
        "thread": thread,
        "url": url,
        "admin": admin,
        "anna": anna,
        "ben": ben,
        "outsider": outsider,
    }


def _post(client, thread, body: str):
    return client.post(
        "/comments/new/", {"target_type": "thread", "target_id": thread.pk, "body": body}
    )


def test_space_members_comment_and_then_follow_the_thread(portal_b, private):
    client = logged_in_client(portal_b, private["ben"], HTTP_ACCEPT_LANGUAGE="en")
    response = _post(client, private["thread"], "Ich bin dabei.")
    with in_portal(portal_b):
        comment = Comment.objects.get()
        assert response["Location"] == f"{private['url']}#comment-{comment.pk}"
        assert is_following(user=private["ben"], target=private["thread"])
    page = client.get(private["url"]).content.decode()
    assert "Ich bin dabei." in page
    assert "Unfollow" in page  # the thread's follow button knows ben follows now
    # Others' comments can be reported, one's own not.
    anna_page = (
        logged_in_client(portal_b, private["anna"], HTTP_ACCEPT_LANGUAGE="en")
        .get(private["url"])
        .content.decode()
    )
    assert f"type=comments.comment&amp;id={comment.pk}" in anna_page
    assert f"type=comments.comment&amp;id={comment.pk}" not in page


def test_who_may_not_comment(portal_b, private, client_b):
    thread = private["thread"]
    # Cannot see the private space: the same 404 as a missing thread.
    outsider = logged_in_client(portal_b, private["outsider"], HTTP_ACCEPT_LANGUAGE="en")
    assert _post(outsider, thread, "Hallo").status_code == 404
    assert (
        outsider.post(
            "/comments/new/", {"target_type": "thread", "target_id": 99999, "body": "x"}
        ).status_code
        == 404
    )
    unknown = {"target_type": "accounts.user", "target_id": private["anna"].pk, "body": "x"}
    assert outsider.post("/comments/new/", unknown).status_code == 404
    # Visitors are sent to log in.
    assert _post(client_b, thread, "Hallo").status_code == 302
    # A portal moderator sees the space but is no member of it: refused.
    moderator = member_of(portal_b, role=Role.MODERATOR)
    assert (
        _post(
            logged_in_client(portal_b, moderator, HTTP_ACCEPT_LANGUAGE="en"), thread, "Hallo"
        ).status_code
        == 403
    )
    with in_portal(portal_b):
        assert not Comment.objects.exists()
    assert (
        _post(
            logged_in_client(portal_b, private["ben"], HTTP_ACCEPT_LANGUAGE="en"), thread, "Hallo"
        ).status_code
        == 302
    )


def test_an_empty_comment_is_refused_with_status_400(portal_b, private):
    client = logged_in_client(portal_b, private["ben"], HTTP_ACCEPT_LANGUAGE="en")
    response = _post(client, private["thread"], "   ")
    assert response.status_code == 400
    assert 'name="target_id"' in response.content.decode()


def test_a_mention_notifies_the_member_named(portal_b, private):
    with in_portal(portal_b):
        comment = services.comment_create(
            author=private["ben"], target=private["thread"], body="Was meinst du, @annaschmidt?"
        )
        told = Notification.objects.get(recipient=private["anna"])
        assert told.event_type == EventType.MEMBER_MENTIONED
        assert told.url == f"{private['url']}#comment-{comment.pk}"


def test_the_picker_form_of_a_mention_notifies_and_is_shown_as_a_name(portal_b, private):
    anna = private["anna"]
    with in_portal(portal_b):
        services.comment_create(
            author=private["ben"],
            target=private["thread"],
            body=f"Danke @[Anna Schmidt](member:{anna.pk})!",
        )
        assert Notification.objects.filter(
            recipient=anna, event_type=EventType.MEMBER_MENTIONED
        ).exists()
    page = (
        logged_in_client(portal_b, anna, HTTP_ACCEPT_LANGUAGE="en")
        .get(private["url"])
        .content.decode()
    )
    assert "@Anna Schmidt" in page and "member:" not in page


def test_mentioning_someone_who_cannot_see_the_space_sends_nothing(portal_b, private):
    with in_portal(portal_b):
        services.comment_create(
            author=private["ben"], target=private["thread"], body="Hallo @OttoAußen"
        )
        assert not Notification.objects.filter(recipient=private["outsider"]).exists()
        # Positive control: the same mention of a member of the space does notify.
        services.comment_create(
            author=private["ben"], target=private["thread"], body="Hallo @SaraAdmin"
        )
        assert Notification.objects.filter(
            recipient=private["admin"], event_type=EventType.MEMBER_MENTIONED
        ).exists()


def test_a_reply_notifies_the_parent_author_and_followers_hear_of_comments(portal_b, private):
    with in_portal(portal_b):
        follow(user=private["admin"], target=private["thread"])
        parent = services.comment_create(
            author=private["anna"], target=private["thread"], body="Erste Frage"
        )
        assert Notification.objects.get(recipient=private["admin"]).event_type == (
            EventType.COMMENT_CREATED
        )
        reply = services.comment_create(
            author=private["ben"], target=private["thread"], body="Antwort", parent=parent
        )
        assert reply.parent_id == parent.pk
        told = Notification.objects.filter(recipient=private["anna"])
        assert [n.event_type for n in told] == [EventType.COMMENT_REPLIED]
        # The author is never told of their own comment.
        assert not Notification.objects.filter(recipient=private["ben"]).exists()


def test_replies_are_one_level_deep(portal_b, private):
    with in_portal(portal_b):
        top = comment_on(private["thread"], private["anna"])
        reply = comment_on(private["thread"], private["ben"], parent=top)
        again = services.comment_create(
            author=private["anna"], target=private["thread"], body="Und?", parent=reply
        )
        assert again.parent_id == top.pk


def test_editing_keeps_a_history_and_only_the_author_edits(portal_b, private):
    with in_portal(portal_b):
        comment = comment_on(private["thread"], private["ben"], body="Erste Fassung")
    edit = f"/comments/{comment.pk}/edit/"
    assert (
        logged_in_client(portal_b, private["anna"], HTTP_ACCEPT_LANGUAGE="en")
        .post(edit, {"body": "x"})
        .status_code
        == 403
    )
    ben = logged_in_client(portal_b, private["ben"], HTTP_ACCEPT_LANGUAGE="en")
    assert ben.get(edit).status_code == 200
    assert ben.post(edit, {"body": "Zweite Fassung"}).status_code == 302
    with in_portal(portal_b):
        comment.refresh_from_db()
        assert comment.edited_at is not None and comment.body == "Zweite Fassung"
        assert Revision.objects.get().body == "Erste Fassung"
    page = ben.get(private["url"]).content.decode()
    assert "Zweite Fassung" in page and f"/comments/{comment.pk}/history/" in page
    history = ben.get(f"/comments/{comment.pk}/history/").content.decode()
    assert "Erste Fassung" in history
    outsider = logged_in_client(portal_b, private["outsider"], HTTP_ACCEPT_LANGUAGE="en")
    assert outsider.get(f"/comments/{comment.pk}/history/").status_code == 404
    assert ben.post(edit, {"body": ""}).status_code == 400


def test_a_deleted_comment_leaves_a_placeholder_without_its_text(portal_b, private):
    with in_portal(portal_b):
        top = comment_on(private["thread"], private["ben"], body="Peinlicher Text")
        comment_on(private["thread"], private["anna"], body="Die Antwort bleibt", parent=top)
        lonely = comment_on(private["thread"], private["ben"], body="Ganz allein")
    ben = logged_in_client(portal_b, private["ben"], HTTP_ACCEPT_LANGUAGE="en")
    assert (
        logged_in_client(portal_b, private["anna"], HTTP_ACCEPT_LANGUAGE="en")
        .post(f"/comments/{top.pk}/delete/")
        .status_code
        == 403
    )
    assert ben.post(f"/comments/{top.pk}/delete/").status_code == 302
    assert ben.post(f"/comments/{lonely.pk}/delete/").status_code == 302
    page = ben.get(private["url"]).content.decode()
    assert "Peinlicher Text" not in page and "Ganz allein" not in page
    assert "This comment was deleted." in page and "Die Antwort bleibt" in page
    with in_portal(portal_b):
        assert Comment.objects.get(pk=top.pk).deleted_at is not None


def test_a_space_admin_deletes_comments_of_others(portal_b, private):
    with in_portal(portal_b):
        comment = comment_on(private["thread"], private["ben"], body="Spam")
        services.comment_delete(user=private["admin"], comment=comment)
        other = comment_on(private["thread"], private["ben"], body="Noch einer")
        with pytest.raises(PermissionDenied):
            services.comment_delete(user=private["anna"], comment=other)


def test_hidden_comments_are_shown_only_to_moderators(portal_b, private):
    with in_portal(portal_b):
        comment_on(private["thread"], private["ben"], body="Versteckt", hidden_at=timezone.now())
    assert (
        "Versteckt"
        not in logged_in_client(portal_b, private["anna"], HTTP_ACCEPT_LANGUAGE="en")
        .get(private["url"])
        .content.decode()
    )
    for who in (private["admin"], member_of(portal_b, role=Role.MODERATOR)):
        page = (
            logged_in_client(portal_b, who, HTTP_ACCEPT_LANGUAGE="en")
            .get(private["url"])
            .content.decode()
        )
        assert "Versteckt" in page and "Hidden by moderation" in page


def test_comments_visible_to_follows_the_target(portal_b, private):
    with in_portal(portal_b):
        hidden = comment_on(private["thread"], private["ben"], hidden_at=timezone.now())
        shown = comment_on(private["thread"], private["ben"])
        deleted = comment_on(private["thread"], private["ben"], deleted_at=timezone.now())

        def ids(user):
            return set(selectors.comments_visible_to(user=user).values_list("pk", flat=True))

        assert ids(private["outsider"]) == set()
        assert ids(private["anna"]) == {shown.pk}
        assert ids(private["admin"]) == {shown.pk, hidden.pk}
        assert deleted.pk not in ids(member_of(portal_b, role=Role.ADMIN))


def test_script_in_a_comment_is_sanitised_on_the_page_and_in_the_api(portal_b, private):
    with in_portal(portal_b):
        comment_on(private["thread"], private["ben"], body=SCRIPT + " [x](javascript:alert(1))")
    client = logged_in_client(portal_b, private["anna"], HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(private["url"]).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page and "javascript:" not in page
    row = client.get(f"/api/v1/comments/?target_type=thread&target_id={private['thread'].pk}")
    html = row.json()["results"][0]["body_html"]
    assert "<script" not in html and "<img" not in html and "javascript:" not in html


def test_comments_api_lists_writes_and_edits_own_comments(portal_b, private):
    thread = private["thread"]
    query = f"/api/v1/comments/?target_type=thread&target_id={thread.pk}"
    ben = logged_in_client(portal_b, private["ben"], HTTP_ACCEPT_LANGUAGE="en")
    made = ben.post(
        "/api/v1/comments/", {"target_type": "thread", "target_id": thread.pk, "body": "Per API"}
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    assert [r["body"] for r in ben.get(query).json()["results"]] == ["Per API"]

    outsider = logged_in_client(portal_b, private["outsider"], HTTP_ACCEPT_LANGUAGE="en")
    assert outsider.get(query).json()["results"] == []
    assert outsider.get(f"/api/v1/comments/{pk}/").status_code == 404
    assert (
        outsider.post(
            "/api/v1/comments/", {"target_type": "thread", "target_id": thread.pk, "body": "x"}
        ).status_code
        == 404
    )

    anna = logged_in_client(portal_b, private["anna"], HTTP_ACCEPT_LANGUAGE="en")
    patch = {"body": "Geändert"}
    assert (
        anna.patch(f"/api/v1/comments/{pk}/", patch, content_type="application/json").status_code
        == 403
    )
    changed = ben.patch(f"/api/v1/comments/{pk}/", patch, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["body"] == "Geändert"
    assert anna.delete(f"/api/v1/comments/{pk}/").status_code == 403
    assert ben.delete(f"/api/v1/comments/{pk}/").status_code == 204
    assert ben.get(query).json()["results"] == []


def test_comments_in_an_archived_space_can_be_neither_written_nor_edited(portal_b, private):
    with in_portal(portal_b):
        comment = comment_on(private["thread"], private["ben"], body="Vorher")
        space = private["space"]
        space.archived_at = timezone.now()
        space.save()
        with pytest.raises(PermissionDenied):
            services.comment_create(author=private["ben"], target=private["thread"], body="x")
        with pytest.raises(PermissionDenied):
            services.comment_edit(user=private["ben"], comment=comment, body="Nachher")
        comment.refresh_from_db()
        assert comment.body == "Vorher"
