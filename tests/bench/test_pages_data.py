"""bench.pages_data at tiny sizes: the filled content shows on the four pages the `pages`
benchmark times, and each page costs the same number of queries at one size and at three
times that size (what the benchmark checks at 10,000 ideas, here in a test's transaction)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.pages import clients_for, pages_of
from bench.pages_data import fill_portal
from tenants.services import portal_provision
from tests.conftest import in_portal

TINY = {"ideas": 20, "members": 10, "comments": 50, "events": 10}


def _filled(slug: str, times: int):
    portal = portal_provision(
        name=f"Pages {slug}",
        subdomain=slug,
        admin_email=f"admin@{slug}.example",
        plan="professional",
        actor_label="tests",
    ).portal
    filled = fill_portal(portal, **{key: n * times for key, n in TINY.items()})
    return portal, filled


@pytest.fixture
def one(db):
    return _filled("pages-one", 1)


@pytest.fixture
def three(db):
    return _filled("pages-three", 3)


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries)


def test_the_filled_content_is_what_the_pages_show(one):
    from comments.models import Comment
    from events.models import Event
    from features.limits import member_count
    from ideas.models import Idea, Support
    from spaces.models import Space

    portal, filled = one
    with in_portal(portal):
        # The members and the first admin, whom provisioning invited.
        assert member_count() == TINY["members"] + 1
        assert Idea.objects.count() == TINY["ideas"]
        assert Comment.objects.count() == TINY["comments"]
        assert Event.objects.count() == TINY["events"]
        # About three supports an idea: the trending sort has something to weigh.
        assert 2 * TINY["ideas"] <= Support.objects.count() <= 4 * TINY["ideas"]
        big = Space.objects.get(slug=filled.space_slug)
        assert big.memberships.filter(user_id=filled.member_id).exists()
    pages = pages_of(filled)
    for viewer, client in clients_for(portal, filled).items():
        home = client.get(pages["home"]).content.decode()
        assert f"{TINY['members'] + 1} Mitglieder" in home, viewer
        assert filled.idea_titles[0] in client.get(pages["ideas"]).content.decode(), viewer
        assert filled.event_titles[0] in client.get(pages["calendar"]).content.decode(), viewer
        assert "Nachbarschaftsgarten" in client.get(pages["space"]).content.decode(), viewer


def test_a_second_fill_of_the_same_portal_is_refused(one):
    portal, _filled_once = one
    with pytest.raises(ValueError, match="bench content already"):
        fill_portal(portal, ideas=1, members=2, comments=1, events=1)


def test_each_page_costs_the_same_queries_at_three_times_the_content(one, three):
    counts = {}
    for name, (portal, filled) in (("one", one), ("three", three)):
        for viewer, client in clients_for(portal, filled).items():
            for page, path in pages_of(filled).items():
                client.get(path)  # warm the portal's caches (theme, modules, policy)
                counts[(page, viewer, name)] = _queries(client, path)
    differing = {
        (page, viewer): (counts[(page, viewer, "one")], counts[(page, viewer, "three")])
        for page, viewer, name in counts
        if name == "one" and counts[(page, viewer, "one")] != counts[(page, viewer, "three")]
    }
    assert differing == {}
