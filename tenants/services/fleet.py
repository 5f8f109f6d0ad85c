"""Applying migrations to every portal schema, in parallel, one failure never stopping the rest.

Which schemas are behind is decided first, for the whole fleet in one query
(tenants.schemas.schemas_behind); up-to-date schemas are reported at once and no worker is
started for them, so a fleet with nothing to migrate takes seconds, not minutes. Each schema
that is behind is checked again exactly and migrated. Parallel runs fork worker processes
that open their own database connections; a failing portal is reported with its error while the
others carry on, and the caller decides the exit status from the results.
"""

from __future__ import annotations

import multiprocessing
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections
from django_tenants.utils import schema_exists

from tenants.models import Portal
from tenants.schemas import migrate_schema, pending_migrations, schemas_behind


@dataclass
class SchemaResult:
    schema: str
    status: str  # "migrated", "up to date" or "failed"
    applied: list[str] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return self.status == "failed"


def fleet_schemas() -> list[str]:
    """The template, the spare schemas waiting to be claimed, and every portal schema that
    exists, template first: migrations reach spares like any portal."""
    from tenants.spares import spare_schemas

    schemas = (
        [settings.PORTAL_TEMPLATE_SCHEMA] if schema_exists(settings.PORTAL_TEMPLATE_SCHEMA) else []
    )
    schemas += spare_schemas()
    schemas += list(Portal.objects.order_by("schema_name").values_list("schema_name", flat=True))
    return schemas


def migrate_one(schema: str) -> SchemaResult:
    started = time.perf_counter()
    try:
        pending = pending_migrations(schema)
        if not pending:
            return SchemaResult(schema, "up to date", seconds=time.perf_counter() - started)
        migrate_schema(schema)
        return SchemaResult(
            schema, "migrated", applied=pending, seconds=time.perf_counter() - started
        )
    except Exception as exc:
        return SchemaResult(
            schema,
            "failed",
            error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}",
            seconds=time.perf_counter() - started,
        )


# A worker keeps its connection from one schema to the next (a new one costs a backend start
# and cold catalogue caches, as much as migrating a schema), but not for ever: a backend keeps
# the catalogue entries of every schema it touched (tenants.connections).
SCHEMAS_PER_CONNECTION = 100
_served_by_connection = 0


def _run_in_child(schema: str) -> SchemaResult:
    global _served_by_connection
    try:
        return migrate_one(schema)
    finally:
        _served_by_connection += 1
        if _served_by_connection >= SCHEMAS_PER_CONNECTION:
            connections.close_all()
            _served_by_connection = 0


def migrate_fleet(
    schemas: list[str],
    *,
    parallel: int = 1,
    on_result: Callable[[SchemaResult], None] | None = None,
) -> list[SchemaResult]:
    results: list[SchemaResult] = []

    def record(result: SchemaResult) -> None:
        results.append(result)
        if on_result:
            on_result(result)

    behind = schemas_behind(schemas)
    if parallel <= 1 or len(behind) <= 1:
        for schema in schemas:
            record(migrate_one(schema) if schema in behind else SchemaResult(schema, "up to date"))
        return results
    for schema in schemas:
        if schema not in behind:
            record(SchemaResult(schema, "up to date"))
    schemas = [schema for schema in schemas if schema in behind]
    # Children must not share the parent's socket: they open connections of their own.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=parallel, mp_context=context) as pool:
        futures = {pool.submit(_run_in_child, schema): schema for schema in schemas}
        for future in as_completed(futures):
            try:
                record(future.result())
            except Exception as exc:  # the child itself died
                record(SchemaResult(futures[future], "failed", error=f"worker crashed: {exc}"))
    return results
