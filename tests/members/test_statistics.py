"""The statistics page: members over time, sign-ups and last visits per week, counted in the
database (a few aggregate queries, not one per week or per member)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from members.selectors import member_statistics
from tests.conftest import in_portal

pytestmark = pytest.mark.django_db
STATISTICS = "/manage/members/statistics/"


def _wednesday_noon_years_ahead() -> datetime.datetime:
    """A "now" after every account the session portal has, so that they all joined before
    the 26 weeks looked at."""
    day = timezone.localdate() + datetime.timedelta(days=3 * 365)
    day += datetime.timedelta(days=(2 - day.weekday()) % 7)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


NOW = _wednesday_noon_years_ahead()
MONDAY = NOW.date() - datetime.timedelta(days=2)


def _at(days_ago: float) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days_ago)


def _add(portal, joined: list[datetime.datetime], seen: list | None = None) -> None:
    seen = seen or [None] * len(joined)
    with in_portal(portal):
        start = User.objects.count()
        User.objects.bulk_create(
            User(email=f"stat{start + n}@stats.example", date_joined=j, last_seen_at=s)
            for n, (j, s) in enumerate(zip(joined, seen, strict=True))
        )


def test_weekly_counts_sign_ups_members_and_last_visits(portal_a):
    with in_portal(portal_a):
        existing = User.objects.count()
    _add(portal_a, [_at(400)] * 4)  # long before the window
    _add(
        portal_a,
        [_at(0), _at(1), _at(2), _at(7), _at(7), _at(7 * 25 - 2)],
        seen=[_at(0), None, _at(8), _at(0), None, _at(7 * 30)],
    )
    with in_portal(portal_a):
        stats = member_statistics(now=NOW)
    assert len(stats.weeks) == 26
    assert stats.weeks[-1] == MONDAY and MONDAY.weekday() == 0
    assert stats.weeks[0] == MONDAY - datetime.timedelta(weeks=25)
    assert stats.signups[-1] == 3 and stats.signups[-2] == 2 and stats.signups[0] == 1
    assert sum(stats.signups) == 6
    base = existing + 4
    assert stats.members[0] == base + 1
    assert stats.members[-2] == base + 1 + 2
    assert stats.members[-1] == base + 6
    assert stats.last_seen[-1] == 2  # seen today twice; the rest elsewhere or never
    assert stats.last_seen[-2] == 1
    assert sum(stats.last_seen) == 3  # 30 weeks ago is outside the window


def _queries(browser) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(STATISTICS)
    assert response.status_code == 200
    return sum(1 for q in queries.captured_queries if not q["sql"].startswith("SET "))


def test_the_page_costs_the_same_few_queries_however_members_spread_over_the_weeks(
    portal_a, admin_browser
):
    now = timezone.now()
    admin_browser.get(STATISTICS)  # caches warm
    _add(portal_a, [now] * 3)
    one_week = _queries(admin_browser)
    _add(
        portal_a,
        [now - datetime.timedelta(days=d) for d in range(0, 180, 2)],
        seen=[now - datetime.timedelta(days=d) for d in range(1, 181, 2)],
    )
    every_week = _queries(admin_browser)
    print(f"\nstatistics page: {one_week} queries, {every_week} with sign-ups in every week")
    assert one_week == every_week
    assert every_week <= 10  # 3 aggregates + every page's own (7 in all when this was written)


def test_the_page_shows_three_accessible_charts_with_their_numbers(portal_a, admin_browser):
    now = timezone.now()
    _add(portal_a, [now, now, now - datetime.timedelta(days=7)], seen=[now, None, None])
    page = admin_browser.get(STATISTICS).content.decode()
    with in_portal(portal_a):
        stats = member_statistics()  # after the visit: the admin's own visit counts too
    assert page.count('role="img"') == 3
    assert page.count("<desc id=") == 3
    assert page.count('<details class="chart-data">') == 3
    assert "<script" not in page
    tables = re.findall(r"<tbody>(.*?)</tbody>", page, re.S)
    numbers = [re.findall(r"<td>([\d.,]+)</td>", t) for t in tables[-3:]]
    assert numbers[0][-1] == str(stats.members[-1])
    assert numbers[1][-2:] == [str(stats.signups[-2]), str(stats.signups[-1])]
    assert numbers[2][-1] == str(stats.last_seen[-1])
    assert all(len(n) == 26 for n in numbers)
