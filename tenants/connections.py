"""Bounds on what one persistent database connection accumulates across the fleet.

A PostgreSQL backend caches the catalogue of every schema it has queried (~85 kB per portal schema)
and keeps it until the connection ends, so a web process holding one connection for hours while
serving a thousand portals would hold ~85 MB per connection in the database server. The routing
middleware notes the portal schema each request is served in (`note_schema`); when a request has
finished, the connection is closed once it has served DB_MAX_SCHEMAS_PER_CONNECTION distinct
schemas or DB_MAX_REQUESTS_PER_CONNECTION requests, and the next request opens a fresh one.

Nothing here fails a request: the close comes after the response has been sent (request_finished,
also after a streamed body), and never inside a transaction (a test's, or one still open by
mistake), which closing would break. Celery workers are not bounded here.
"""

from __future__ import annotations

from django.conf import settings
from django.core.signals import request_finished
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.backends.signals import connection_created
from django.dispatch import receiver


def note_schema(schema_name: str) -> None:
    """Record that the current request runs in `schema_name` on this thread's connection."""
    schemas = getattr(connection, "allmende_schemas", None)
    if schemas is None:
        schemas = connection.allmende_schemas = set()
    schemas.add(schema_name)


def served(db_connection=connection) -> tuple[int, int]:
    """(distinct portal schemas, requests) served by the connection since it was opened."""
    return (
        len(getattr(db_connection, "allmende_schemas", ())),
        getattr(db_connection, "allmende_requests", 0),
    )


@receiver(connection_created, dispatch_uid="tenants.connections.reset")
def _start_counting(sender, connection, **kwargs) -> None:
    if connection.alias != DEFAULT_DB_ALIAS:
        return
    # A connection opened during a request is already set to that request's schema.
    schema = getattr(connection, "schema_name", settings.PUBLIC_SCHEMA_NAME)
    connection.allmende_schemas = {schema} - {settings.PUBLIC_SCHEMA_NAME}
    connection.allmende_requests = 0


@receiver(request_finished, dispatch_uid="tenants.connections.close")
def close_when_bound_reached(sender, **kwargs) -> None:
    if connection.connection is None:
        return
    connection.allmende_requests = getattr(connection, "allmende_requests", 0) + 1
    if connection.in_atomic_block:
        return
    schemas, requests = served()
    max_schemas = settings.DB_MAX_SCHEMAS_PER_CONNECTION
    max_requests = settings.DB_MAX_REQUESTS_PER_CONNECTION
    if (max_schemas and schemas >= max_schemas) or (max_requests and requests >= max_requests):
        connection.close()
