"""The API pages by key: every list endpoint in its selector's order, every row once, no
OFFSET and no COUNT, empty keys (NULL) where PostgreSQL sorts them."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from allmende.urls_api import router
from core.api import ScopedModelViewSet
from core.pagination import _ordered, keyset_page, order_of
from news.models import Post
from tests.accounts.factories import admin_of, logged_in_client
from tests.conftest import in_portal
from tests.news.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_every_list_endpoint_lists_in_a_total_order_it_can_page_by(portal_a):
    admin = admin_of(portal_a)
    checked = []
    with in_portal(portal_a):
        for prefix, viewset, _basename in router.registry:
            if not (issubclass(viewset, ScopedModelViewSet) and hasattr(viewset, "list")):
                continue
            request = Request(APIRequestFactory().get(f"/api/v1/{prefix}/"))
            request.user = admin
            view = viewset(request=request, format_kwarg=None, action="list", kwargs={})
            order = order_of(view.get_queryset())
            assert order[-1].lstrip("-") == "pk", (prefix, order)
            checked.append(prefix)
    assert {"posts", "members", "ideas", "events", "threads"} <= set(checked)


def test_the_posts_api_walks_every_post_once_newest_first_without_offset_or_count(portal_b):
    # Portal B is on the professional plan, which has the API.
    admin = admin_of(portal_b)
    with in_portal(portal_b):
        Post.objects.all().delete()
        made = [PostFactory(author=admin).pk for _ in range(5)]
    client = logged_in_client(portal_b, admin)
    seen, url, statements = [], "/api/v1/posts/", []
    with override_settings(REST_FRAMEWORK={**_rest(), "PAGE_SIZE": 2}):
        while url:
            with CaptureQueriesContext(connection) as queries:
                body = client.get(url).json()
            statements += [q["sql"] for q in queries]
            seen += [row["id"] for row in body["results"]]
            url = body["next"]
    assert seen == sorted(made, reverse=True)
    assert not [s for s in statements if "OFFSET" in s or "COUNT(" in s]


def _rest() -> dict:
    from django.conf import settings

    return settings.REST_FRAMEWORK


@pytest.mark.parametrize("order", [("hidden_at", "pk"), ("-hidden_at", "-pk")])
def test_empty_keys_page_where_postgres_sorts_them(portal_a, order):
    admin = admin_of(portal_a)
    now = timezone.now()
    with in_portal(portal_a):
        Post.objects.all().delete()
        for n in range(7):
            hidden = None if n % 3 == 0 else now - datetime.timedelta(hours=n % 2)
            PostFactory(author=admin, hidden_at=hidden)
        everything = list(_ordered(Post.objects.all(), order).values_list("pk", flat=True))
        seen, cursor = [], None
        while True:
            page = keyset_page(Post.objects.all(), order=order, after=cursor, size=2)
            seen += [post.pk for post in page.items]
            if not page.has_next:
                break
            cursor = page.next_cursor
    assert seen == everything and len(set(seen)) == 7
    # NULL last ascending, first descending: PostgreSQL's own placement.
    with in_portal(portal_a):
        nulls = list(Post.objects.filter(hidden_at=None).values_list("pk", flat=True))
    at_end = everything[-len(nulls) :] if order[0] == "hidden_at" else everything[: len(nulls)]
    assert sorted(at_end) == sorted(nulls)
