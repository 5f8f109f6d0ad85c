# ruff: noqa: F811 (the events fixtures, imported, are test arguments here)
"""Pages by cursor: every row once, in order, across pages; a later page costs the queries of
the first and no query uses OFFSET; a cursor edited by hand opens the first page."""

from __future__ import annotations

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.pagination import _decode, _encode, keyset_page
from events.models import Event
from tests.events.conftest import at, events_on, in_b, people  # noqa: F401 (fixtures)


def _events(people, count: int) -> None:
    # Pairs at the same time: the order needs its tie-breaker (pk) to page correctly.
    Event.objects.bulk_create(
        Event(
            title=f"Termin {n:03d}",
            organiser=people.organiser,
            starts_at=at(2030, 1, 1, 10) + datetime.timedelta(days=n // 2),
            ends_at=at(2030, 1, 1, 12) + datetime.timedelta(days=n // 2),
            series_ends_at=at(2030, 1, 1, 12) + datetime.timedelta(days=n // 2),
            uid=f"page-{n}@test",
        )
        for n in range(count)
    )


def test_the_list_pages_through_every_event_once_without_offset(people):
    _events(people, 57)
    client = people.client("visitor")
    seen, url, costs = [], "/events/list/", []
    while url:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        costs.append(len(queries))
        assert not any("OFFSET" in q["sql"] for q in queries)
        seen += re.findall(r'href="/events/\d+/">(Termin \d+)<', page)
        cursor = re.search(r'href="\?after=([\w-]+)"', page)
        url = f"/events/list/?after={cursor.group(1)}" if cursor else ""
    assert seen == [f"Termin {n:03d}" for n in range(57)]
    assert len(costs) == 3 and costs[1] == costs[2]  # a later page costs what the second does


def test_a_cursor_that_does_not_decode_opens_the_first_page(people):
    _events(people, 3)
    for cursor in ("nonsense", "", _encode([1, 2, 3]), "W3sidCI6ICJ4In0sIDFd"):
        page = keyset_page(
            Event.objects.all(), order=("starts_at", "pk"), after=cursor or None, size=2
        )
        assert page.is_first and [e.title for e in page.items] == ["Termin 000", "Termin 001"]


def test_descending_order_pages_backwards_in_time(people):
    _events(people, 5)
    first = keyset_page(Event.objects.all(), order=("-starts_at", "-pk"), after=None, size=3)
    second = keyset_page(
        Event.objects.all(), order=("-starts_at", "-pk"), after=first.next_cursor, size=3
    )
    titles = [e.title for e in first.items + second.items]
    assert titles == [f"Termin {n:03d}" for n in (4, 3, 2, 1, 0)] and not second.has_next


def test_the_cursor_values_round_trip():
    moment = datetime.datetime(2030, 1, 1, 10, tzinfo=datetime.UTC)
    assert _decode(_encode([moment, 7]), 2) == [moment, 7]
    assert _decode(_encode([moment, 7]), 3) is None


def test_a_joined_list_chooses_its_page_before_it_joins(people):
    # select_related: the page's keys come from a narrow subquery, the joins run for its rows
    # only, in the same one statement; the pages are the ones the plain list gives.
    _events(people, 7)
    joined = Event.objects.select_related("organiser")
    order = ("-starts_at", "-pk")
    pages, cursor = [], None
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            page = keyset_page(joined, order=order, after=cursor, size=3)
            names = {e.organiser.display_name for e in page.items}
        assert len(queries) == 1 and "IN (SELECT" in queries[0]["sql"]
        pages.append([e.title for e in page.items])
        cursor = page.next_cursor
    assert names == {people.organiser.display_name}
    plain = [f"Termin {n:03d}" for n in range(6, -1, -1)]
    assert pages == [plain[:3], plain[3:6], plain[6:]] and not cursor
