"""The stored trend (ideas.trend): the trending value the list shows is the sum over the
supports whatever way they came or went, and stays exact far from the epoch."""

from __future__ import annotations

import datetime

import pytest

from core import gdpr
from ideas import selectors, services, trend
from ideas.models import Idea, Support
from tests.accounts.factories import member_of
from tests.ideas.factories import idea_of, support_of

NOW = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)


def _exact(idea: Idea, now: datetime.datetime) -> float:
    return sum(
        0.5 ** ((now - at).total_seconds() / 3600 / trend.HALF_LIFE_HOURS)
        for at in Support.objects.filter(idea=idea, created_at__lte=now).values_list(
            "created_at", flat=True
        )
    )


def _trending(user, now: datetime.datetime) -> dict[str, float]:
    return {i.title: i.trending for i in selectors.ideas_for_listing(user=user, now=now)}


def test_the_shown_trend_is_the_sum_over_the_supports_years_from_the_epoch(people, in_b):
    fans = [member_of(people.portal) for _ in range(6)]
    spread = idea_of(author=people.author, title="Verteilt")
    late = idea_of(author=people.author, title="Spät")
    # From a year back to an hour back; and supports in 2040, 20 years after the epoch, where
    # 2 ** (t / half-life) alone would be far beyond a double.
    for k, fan in enumerate(fans):
        support_of(spread, fan, at=NOW - datetime.timedelta(days=365 - 70 * k, hours=1))
    future = datetime.datetime(2040, 1, 1, tzinfo=datetime.UTC)
    for k, fan in enumerate(fans[:3]):
        support_of(late, fan, at=future - datetime.timedelta(hours=10 * k))
    at_now = _trending(people.member, NOW)
    assert at_now["Verteilt"] == pytest.approx(_exact(spread, NOW), rel=1e-9)
    assert at_now["Spät"] == 0  # none of its supports exists yet at NOW
    later = future + datetime.timedelta(days=1)
    at_later = _trending(people.member, later)
    assert at_later["Spät"] == pytest.approx(_exact(late, later), rel=1e-9)
    assert at_later["Spät"] > 0.5


def test_a_support_taken_back_or_erased_leaves_the_trend(people, in_b):
    fan = member_of(people.portal)
    idea = idea_of(author=people.author, title="Wackelig")
    services.idea_support(user=people.member, idea=idea)
    services.idea_support(user=fan, idea=idea)
    now = datetime.datetime.now(datetime.UTC)
    assert _trending(people.member, now)["Wackelig"] == pytest.approx(2, rel=1e-3)
    services.idea_support_withdraw(user=people.member, idea=idea)
    assert _trending(people.member, now)["Wackelig"] == pytest.approx(1, rel=1e-3)
    eraser = {e.model._meta.label_lower: e for e in gdpr.entries()}["ideas.support"].eraser
    eraser(fan, keep_content=False)
    assert _trending(people.member, now)["Wackelig"] == 0
    idea.refresh_from_db()
    assert idea.trend_rank is None and idea.last_supported_at is None


def test_refreshing_every_idea_gives_what_each_support_gave(people, in_b):
    fans = [member_of(people.portal) for _ in range(3)]
    ideas = [idea_of(author=people.author, title=f"Idee {n}") for n in range(3)]
    for n, idea in enumerate(ideas):
        for k, fan in enumerate(fans[: n + 1]):
            support_of(idea, fan, at=NOW - datetime.timedelta(hours=5 * k + n))
    kept = dict(Idea.objects.values_list("pk", "trend_rank"))
    Idea.objects.update(trend_rank=None, last_supported_at=None)
    trend.refresh_all()
    again = dict(Idea.objects.values_list("pk", "trend_rank"))
    assert again.keys() == kept.keys()
    for pk, rank in kept.items():
        assert again[pk] == pytest.approx(rank, rel=1e-12)
    assert kept[ideas[0].pk] is not None
