"""Pages of long lists by cursor: the next page starts after the last row shown, found through
the list's own order (an index), so page 400 costs what page 1 costs and no page counts the
whole table. Django's Paginator does both (OFFSET, then COUNT(*)), which grows with the data.

`keyset_page(queryset, order=("starts_at", "pk"), after=cursor, size=25)` reads `size + 1` rows
after the cursor; the cursor is an opaque, URL-safe string of the last row's key values. A
cursor that does not decode (edited by hand, from an older order) starts at the first page
instead of failing: a shared link still opens.
"""

from __future__ import annotations

import base64
import datetime
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet


@dataclass(frozen=True)
class KeysetPage:
    items: list
    next_cursor: str  # "" on the last page
    is_first: bool

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)


def _encode(values: list) -> str:
    def plain(value):
        if isinstance(value, datetime.datetime | datetime.date):
            return {"t": value.isoformat()}
        if isinstance(value, Decimal):
            return {"d": str(value)}
        return value

    raw = json.dumps([plain(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, size: int) -> list | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, TypeError):
        return None
    if not isinstance(values, list) or len(values) != size:
        return None
    out = []
    for value in values:
        if isinstance(value, dict) and "t" in value:
            try:
                value = datetime.datetime.fromisoformat(value["t"])
            except (TypeError, ValueError):
                return None
        elif isinstance(value, dict) and "d" in value:
            value = Decimal(str(value["d"]))
        elif isinstance(value, dict | list):
            return None
        out.append(value)
    return out


def _after(order: tuple[str, ...], values: list) -> Q:
    """Rows after `values` in ascending `order` (a leading "-" means descending)."""
    condition = Q()
    for index, field in enumerate(order):
        name = field.lstrip("-")
        lookup = "lt" if field.startswith("-") else "gt"
        step = Q(**{f"{name}__{lookup}": values[index]})
        for previous, value in zip(order[:index], values[:index], strict=False):
            step &= Q(**{previous.lstrip("-"): value})
        condition |= step
    return condition


def keyset_page(
    queryset: QuerySet, *, order: tuple[str, ...], after: str | None, size: int
) -> KeysetPage:
    """One page of `queryset` in `order` (which must end in a unique key, e.g. "pk")."""
    values = _decode(after, len(order)) if after else None
    rows = queryset.order_by(*order)
    if values is not None:
        rows = rows.filter(_after(order, values))
    found = list(rows[: size + 1])
    items = found[:size]
    next_cursor = ""
    if len(found) > size:
        last = items[-1]
        next_cursor = _encode([getattr(last, f.lstrip("-")) for f in order])
    return KeysetPage(items=items, next_cursor=next_cursor, is_first=values is None)
