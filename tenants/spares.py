"""Spare portal schemas: fully migrated copies of the template, prepared in the background, so
that provisioning renames one instead of copying the template while the customer waits.

A copy costs time that grows with the database's catalogue (every portal adds ~70 relations
PostgreSQL must scan); renaming a schema is one catalogue row, whatever the fleet's size.
- `refill(target)` (the beat job `tenants.tasks.refill_spare_schemas`, and after every claim)
  clones the template into schemas named `spare_<random>` until `target` exist, each in its
  own transaction; a failed copy leaves nothing.
- `claim(schema)` runs inside the provisioning transaction: it takes the first spare no other
  transaction holds (a transaction-scoped advisory lock per spare), checks in one query that
  it has every migration, and renames it to the portal's schema. If the provisioning rolls
  back, so does the rename, and the spare is there for the next one. No spare, or none up to
  date: None, and provisioning copies the template as before.
- Spares are in `tenants.services.fleet.fleet_schemas`, so `migrate_portals` migrates them like
  any portal; one that is behind is never claimed.
"""

from __future__ import annotations

import logging
import secrets
import zlib

from django.conf import settings
from django.db import connection, transaction

from tenants.schemas import _qi, ensure_template, schemas_behind

logger = logging.getLogger(__name__)

PREFIX = "spare_"


def spare_schemas() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, %s) ORDER BY nspname",
            [PREFIX],
        )
        return [row[0] for row in cursor.fetchall()]


def _lock_key(schema: str) -> int:
    return zlib.crc32(f"allmende:spare:{schema}".encode())


def claim(schema: str) -> bool:
    """Rename a free, up-to-date spare to `schema` inside the current transaction; False when
    there is none (the caller copies the template instead)."""
    if not getattr(settings, "SPARE_SCHEMAS", 0):
        return False
    candidates = spare_schemas()
    if not candidates:
        return False
    behind = schemas_behind(candidates)
    with connection.cursor() as cursor:
        for spare in candidates:
            if spare in behind:
                continue
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_lock_key(spare)])
            if not cursor.fetchone()[0]:
                continue  # another provisioning is claiming it right now
            # Claimed and renamed by a transaction that committed while we looked?
            cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [spare])
            if cursor.fetchone() is None:
                continue
            cursor.execute(f"ALTER SCHEMA {_qi(spare)} RENAME TO {_qi(schema)}")
            return True
    return False


def refill(target: int | None = None) -> int:
    """Create spares until `target` (settings.SPARE_SCHEMAS) exist; returns how many were made."""
    from tenants.schema_clone import clone_schema

    target = settings.SPARE_SCHEMAS if target is None else target
    made = 0
    template = ensure_template()
    while len(spare_schemas()) < target:
        name = PREFIX + secrets.token_hex(6)
        try:
            with transaction.atomic():
                clone_schema(template, name)
        except Exception:
            logger.exception("Could not prepare the spare schema %s.", name)
            break
        made += 1
    return made


def drop_all() -> int:
    """Remove every spare (tests, and before a restore); returns how many there were."""
    from tenants.schemas import drop_schema

    spares = spare_schemas()
    for spare in spares:
        drop_schema(spare)
    return len(spares)
