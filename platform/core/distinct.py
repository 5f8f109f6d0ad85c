"""The distinct values of one column among the rows a selector returns, at a cost that grows
with the number of values, not of rows: the district filters of the calendar, the idea
marketplace and the map.

`SELECT DISTINCT district` over the visible events reads every visible event (2.5 ms of the
calendar's 40 at 5,000 events, and growing with them). A portal has a few dozen districts, so
here PostgreSQL walks the column's b-tree from one value to the next (a recursive "loose index
scan", one index probe per value) and keeps a value if the selector has a row with it: a
LATERAL subquery with LIMIT 1, answered from the same index. (Written as EXISTS, the planner
turns it into a semi-join and reads every row again.) The selector's own SQL is the row
filter, so what it hides stays hidden: a district only a private space's event names is not
offered to someone who cannot see that event.

Needs a b-tree index on the column (without one each step is a scan and this is slower than
DISTINCT; `tests/core/test_distinct.py` checks that the callers' columns have one). Empty values
are left out. Values come sorted by the column's collation.
"""

from __future__ import annotations

from django.db import connections
from django.db.models import QuerySet


def distinct_values(queryset: QuerySet, field: str, *, limit: int | None = None) -> list[str]:
    """The distinct non-empty values of text column `field` among `queryset`'s rows, sorted."""
    model = queryset.model
    column = model._meta.get_field(field).column
    connection = connections[queryset.db]
    qn = connection.ops.quote_name
    table, col = qn(model._meta.db_table), qn(column)
    visible_sql, visible_params = (
        queryset.order_by().values_list(field, flat=True).query.sql_with_params()
    )
    sql = f"""
WITH RECURSIVE walk(value) AS (
    (SELECT t.{col} FROM {table} t WHERE t.{col} > '' ORDER BY t.{col} LIMIT 1)
  UNION ALL
    SELECT (SELECT t.{col} FROM {table} t WHERE t.{col} > walk.value ORDER BY t.{col} LIMIT 1)
    FROM walk WHERE walk.value IS NOT NULL
)
SELECT walk.value FROM walk
CROSS JOIN LATERAL (
    SELECT 1 FROM ({visible_sql}) visible ({col}) WHERE visible.{col} = walk.value LIMIT 1
) seen
WHERE walk.value IS NOT NULL
ORDER BY walk.value
{"LIMIT %s" if limit is not None else ""}"""
    params = [*visible_params, *([limit] if limit is not None else [])]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [value for (value,) in cursor.fetchall()]
