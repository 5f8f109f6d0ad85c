"""The backend sets the search path only when it would change, and again whenever the server
may have dropped it (tenants.postgresql_backend)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _back_to_public():
    yield
    connection.set_schema_to_public()


def _sets(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SET search_path")]


def _server_path() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW search_path")
        return cursor.fetchone()[0]


def _visit(portal) -> None:
    """What the routing middleware does around one request."""
    connection.set_schema_to_public()
    connection.set_tenant(portal)
    _server_path()
    connection.set_schema_to_public()


def test_a_request_to_the_portal_the_connection_points_at_sets_nothing(portal_a):
    _visit(portal_a)
    with CaptureQueriesContext(connection) as queries:
        _visit(portal_a)
    assert _sets(queries) == []
    connection.set_tenant(portal_a)
    assert _server_path().startswith(portal_a.schema_name)


def test_another_portal_sets_its_path(portal_a, portal_b):
    _visit(portal_a)
    with CaptureQueriesContext(connection) as queries:
        _visit(portal_b)
    assert _sets(queries) == [f'SET search_path = "{portal_b.schema_name}","public"']
    connection.set_schema_to_public()
    assert _server_path() == "public"


def test_a_set_rolled_back_with_its_savepoint_is_issued_again(portal_a, portal_b):
    connection.set_tenant(portal_a)
    _server_path()
    sid = connection.savepoint()
    connection.set_tenant(portal_b)
    assert _server_path().startswith(portal_b.schema_name)
    connection.savepoint_rollback(sid)
    # PostgreSQL reverted the SET with the savepoint; the connection must not trust it.
    with CaptureQueriesContext(connection) as queries:
        assert _server_path().startswith(portal_b.schema_name)
    assert len(_sets(queries)) == 1
