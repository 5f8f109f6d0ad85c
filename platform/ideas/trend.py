"""The trending weight of an idea, kept on the idea so that the marketplace sorts without
summing every support of every idea on each request.

Trending at a clock T is the sum over an idea's supports of 0.5 ** ((T - t) / half-life), so a
support loses half its weight every HALF_LIFE_HOURS. That is 2 ** (-T / half-life) times the
sum of 2 ** (t / half-life): the clock factor is the same for every idea, so the order depends
only on the second sum. `Idea.trend_rank` keeps its base-2 logarithm (supports counted from
EPOCH, summed as log-sum-exp so that nothing overflows however far from EPOCH), and
`Idea.last_supported_at` the newest support. The selector turns them back into the trending
value at its clock (ideas.selectors.with_counts); an idea supported after that clock (a later
page of a list opened earlier) is summed exactly, so pages keep their order.

`refresh(idea_ids=...)` recomputes both from the supports in one statement. It runs whenever a
support is saved or deleted (signals, so cascades and erasure are covered); code that writes
supports without the ORM's save and delete (bulk inserts, `.update()`) calls it itself.
"""

from __future__ import annotations

import datetime

from django.db import connection

HALF_LIFE_HOURS = 72
# Never to change: every stored rank counts from it (a new epoch needs a data migration).
EPOCH = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
HALF_LIFE_SECONDS = HALF_LIFE_HOURS * 3600.0

# Each support's weight exponent x = (t - EPOCH) / half-life; rank = log2(sum 2 ** x), summed
# around the largest x of the idea (a weight below 2 ** -1000 of the newest counts as that:
# PostgreSQL raises on underflow). {ideas} and {where} choose the ideas and supports.
_REFRESH = """
UPDATE ideas_idea AS idea SET trend_rank = summed.rank, last_supported_at = summed.last
FROM (
    SELECT wanted.id, ranks.rank, ranks.last FROM ({ideas}) AS wanted(id)
    LEFT JOIN (
        SELECT idea_id, top + ln(sum(power(2::float8, GREATEST(x - top, -1000)))) / ln(2::float8) AS rank,
               max(created_at) AS last
        FROM (
            SELECT idea_id, created_at,
                   EXTRACT(EPOCH FROM created_at - %(epoch)s)::float8 / %(half_life)s AS x,
                   max(EXTRACT(EPOCH FROM created_at - %(epoch)s)::float8 / %(half_life)s)
                       OVER (PARTITION BY idea_id) AS top
            FROM ideas_support {where}
        ) AS weights
        GROUP BY idea_id, top
    ) AS ranks ON ranks.idea_id = wanted.id
) AS summed
WHERE idea.id = summed.id
"""


def refresh(*, idea_ids: list[int]) -> None:
    """Recompute the stored trend of these ideas from their supports."""
    if not idea_ids:
        return
    sql = _REFRESH.format(
        ideas="SELECT unnest(%(ids)s::bigint[])", where="WHERE idea_id = ANY(%(ids)s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ids": list(idea_ids), "epoch": EPOCH, "half_life": HALF_LIFE_SECONDS})


def refresh_all() -> None:
    """Recompute every idea's stored trend (after a bulk insert of supports)."""
    sql = _REFRESH.format(ideas="SELECT id FROM ideas_idea", where="")
    with connection.cursor() as cursor:
        cursor.execute(sql, {"epoch": EPOCH, "half_life": HALF_LIFE_SECONDS})


def clock_exponent(now: datetime.datetime) -> float:
    """The clock's x: trending at `now` = 2 ** (trend_rank - clock_exponent(now))."""
    return (now - EPOCH).total_seconds() / HALF_LIFE_SECONDS


def _on_support_changed(sender, instance, **kwargs) -> None:
    refresh(idea_ids=[instance.idea_id])


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from ideas.models import Support

    post_save.connect(_on_support_changed, sender=Support, dispatch_uid="ideas-trend-save")
    post_delete.connect(_on_support_changed, sender=Support, dispatch_uid="ideas-trend-delete")
