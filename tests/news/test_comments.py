"""The news board on the comment component: members comment on posts on the start page,
visitors read them, hidden posts and comments stay with the moderators, and the start page's
query count does not grow with posts and comments."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from comments.models import Comment
from core.event_types import EventType
from notifications.models import Notification
from tests.accounts.factories import logged_in_client, member_of
from tests.conftest import in_portal
from tests.discussions.factories import comment_on
from tests.news.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_a_member_comments_on_a_post_and_its_author_hears_of_replies(portal_a, client_a):
    author = member_of(portal_a)
    reader = member_of(portal_a)
    with in_portal(portal_a):
        post = PostFactory(author=author, body="Das Fest ist am Samstag")
    client = logged_in_client(portal_a, reader)
    response = client.post(
        "/comments/new/", {"target_type": "post", "target_id": post.pk, "body": "Ich komme!"}
    )
    assert response.status_code == 302
    with in_portal(portal_a):
        comment = Comment.objects.get()
        assert response["Location"] == f"/#comment-{comment.pk}"
    reply = logged_in_client(portal_a, author).post(
        f"/comments/{comment.pk}/reply/", {"body": "Schön!"}
    )
    assert reply.status_code == 302
    with in_portal(portal_a):
        assert Notification.objects.get(recipient=reader).event_type == EventType.COMMENT_REPLIED
    # Visitors of an open portal read the comments but get no form.
    page = client_a.get("/").content.decode()
    assert "Ich komme!" in page and "Schön!" in page
    assert 'action="/comments/new/"' not in page
    assert 'action="/comments/new/"' in client.get("/").content.decode()


def test_visitors_cannot_comment(portal_a, client_a):
    with in_portal(portal_a):
        post = PostFactory(author=member_of(portal_a))
    data = {"target_type": "post", "target_id": post.pk, "body": "Anonym"}
    assert client_a.post("/comments/new/", data).status_code == 302  # to the login page
    with in_portal(portal_a):
        assert not Comment.objects.exists()


def test_hidden_posts_and_comments_are_for_moderators_only(portal_a):
    author = member_of(portal_a)
    with in_portal(portal_a):
        hidden_post = PostFactory(
            author=author, body="Verstecktes Posting", hidden_at=timezone.now()
        )
        post = PostFactory(author=author, body="Sichtbares Posting")
        comment_on(post, author, body="Versteckter Kommentar", hidden_at=timezone.now())
    member = logged_in_client(portal_a, member_of(portal_a)).get("/").content.decode()
    assert "Sichtbares Posting" in member
    assert "Verstecktes Posting" not in member and "Versteckter Kommentar" not in member
    moderator = logged_in_client(portal_a, member_of(portal_a, role=Role.MODERATOR))
    page = moderator.get("/").content.decode()
    assert "Verstecktes Posting" in page and "Versteckter Kommentar" in page
    # Nor can a member comment on the hidden post.
    response = logged_in_client(portal_a, author).post(
        "/comments/new/", {"target_type": "post", "target_id": hidden_post.pk, "body": "x"}
    )
    assert response.status_code == 404


def test_script_in_a_news_comment_is_sanitised(portal_a, client_a):
    author = member_of(portal_a)
    with in_portal(portal_a):
        post = PostFactory(author=author)
        comment_on(post, author, body="<script>alert(1)</script> **fett**")
    page = client_a.get("/").content.decode()
    assert "<script>alert(1)" not in page and "<strong>fett</strong>" in page


def _count(client) -> int:
    client.get("/")  # warm the per-portal caches first
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_start_page_query_count_is_constant_in_posts_and_comments(portal_a):
    reader = member_of(portal_a)
    client = logged_in_client(portal_a, reader)

    def add(posts: int, comments: int) -> None:
        with in_portal(portal_a):
            for _ in range(posts):
                post = PostFactory(author=member_of(portal_a))
                for n in range(comments):
                    top = comment_on(post, member_of(portal_a), body=f"Kommentar {n}")
                    comment_on(post, reader, body="Antwort", parent=top)

    add(2, 1)
    few = _count(client)
    add(10, 5)
    assert _count(client) == few
