"""Cache keys prefixed with the current schema, so portals never read each other's entries.

`delete_on_commit()` forgets a key of the current portal once the transaction commits, and
`on_commit_in_this_schema()` runs any such clean-up; both remember the portal now, because by
commit time the connection may be back in public.
"""

from __future__ import annotations

import contextvars

from django.core.cache import cache
from django.db import connection, transaction

_schema_override: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "cache_schema_override", default=None
)


def _current_schema() -> str:
    return _schema_override.get() or getattr(connection, "schema_name", None) or "public"


def portal_cache_key(key: str, key_prefix: str, version: int) -> str:
    return f"{_current_schema()}:{key_prefix}:{version}:{key}"


def on_commit_in_this_schema(action) -> None:
    """Run `action()` once the transaction commits, with the cache keys of the schema that is
    current now (by commit time the connection may be back in public)."""
    schema = _current_schema()

    def run() -> None:
        token = _schema_override.set(schema)
        try:
            action()
        finally:
            _schema_override.reset(token)

    transaction.on_commit(run)


def delete_on_commit(key: str) -> None:
    on_commit_in_this_schema(lambda: cache.delete(key))
