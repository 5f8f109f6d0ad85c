"""The start page shows each post's newest comment threads and links to the post's own page,
which shows them all; the post page follows the posts' visibility (missing and invisible are
the same 404), and the start page's cost does not grow with the comments."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments.services import comment_create
from news.models import Post
from news.selectors import START_PAGE_THREADS
from news.services import post_create
from tests.accounts.factories import host_of, logged_in_client, member_of
from tests.conftest import in_portal

pytestmark = pytest.mark.django_db


def _post_with_comments(portal, author, count: int):
    with in_portal(portal):
        post = post_create(author=author, body="Das Sommerfest ist am Samstag.")
        for n in range(count):
            comment_create(author=author, target=post, body=f"Beitrag Nummer {n:02d}")
    return post


def test_the_start_page_shows_the_newest_threads_and_links_to_all(portal_a):
    author = member_of(portal_a)
    post = _post_with_comments(portal_a, author, START_PAGE_THREADS + 2)
    client = logged_in_client(portal_a, author)

    home = client.get("/").content.decode()
    shown = [n for n in range(START_PAGE_THREADS + 2) if f"Beitrag Nummer {n:02d}" in home]
    assert shown == [2, 3, 4]  # the newest, oldest first
    assert f'href="/posts/{post.pk}/">Alle 5 Kommentare anzeigen</a>' in home
    assert "5 Kommentare" in home

    page = client.get(f"/posts/{post.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert all(f"Beitrag Nummer {n:02d}" in text for n in range(5))
    assert "Alle 5 Kommentare anzeigen" not in text
    assert 'name="body"' in text  # members may comment here too


def test_a_post_with_few_comments_has_no_link(portal_a):
    author = member_of(portal_a)
    _post_with_comments(portal_a, author, START_PAGE_THREADS)
    home = logged_in_client(portal_a, author).get("/").content.decode()
    assert "Kommentare anzeigen" not in home


def test_a_missing_post_and_one_hidden_by_moderation_are_the_same_404(portal_a, client):
    author = member_of(portal_a)
    post = _post_with_comments(portal_a, author, 1)
    client.defaults["HTTP_HOST"] = host_of(portal_a)
    assert client.get(f"/posts/{post.pk}/").status_code == 200  # positive control: visitors
    assert client.get(f"/posts/{post.pk + 1000}/").status_code == 404
    with in_portal(portal_a):
        Post.objects.filter(pk=post.pk).update(hidden_at=timezone.now())
    member = logged_in_client(portal_a, member_of(portal_a))
    assert member.get(f"/posts/{post.pk}/").status_code == 404
    moderator = logged_in_client(portal_a, member_of(portal_a, role="moderator"))
    assert moderator.get(f"/posts/{post.pk}/").status_code == 200


def test_the_start_page_costs_the_same_queries_for_few_and_many_comments(portal_a):
    author = member_of(portal_a)
    client = logged_in_client(portal_a, author)
    _post_with_comments(portal_a, author, 2)
    client.get("/")

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    few = cost()
    for _ in range(3):
        _post_with_comments(portal_a, author, 12)
    assert cost() == few


def test_the_start_page_shows_the_latest_posts_and_pages_to_older_ones(portal_a):
    import re

    from news.selectors import START_PAGE_POSTS

    author = member_of(portal_a)
    with in_portal(portal_a):
        Post.objects.all().delete()
        for n in range(START_PAGE_POSTS + 2):
            post_create(author=author, body=f"Meldung Nummer {n:02d}")
    client = logged_in_client(portal_a, author)
    first = client.get("/").content.decode()
    shown = re.findall(r"Meldung Nummer (\d\d)", first)
    assert shown == [f"{n:02d}" for n in range(START_PAGE_POSTS + 1, 1, -1)]  # newest first
    older = re.search(r'href="(\?after=[\w-]+)" rel="next">Ältere Neuigkeiten<', first)
    second = client.get("/" + older.group(1)).content.decode()
    assert re.findall(r"Meldung Nummer (\d\d)", second) == ["01", "00"]
    assert "Zurück zu den neuesten Neuigkeiten" in second and 'rel="next"' not in second
