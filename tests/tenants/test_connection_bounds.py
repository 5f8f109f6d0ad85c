"""Persistent connections are bounded: the request that takes a connection to its limit of
distinct portal schemas (or of requests) closes it, so the next one gets a fresh backend, and the
catalogue caches of a PostgreSQL backend cannot grow with the size of the fleet.

Runs outside the per-test transaction (`committed`): a connection is never closed inside one.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from core.models import AuditEvent
from tenants.connections import served
from tenants.models import Portal
from tenants.schemas import drop_schema
from tenants.services import portal_provision
from tests.accounts.factories import host_of


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _start_page(portal: Portal) -> None:
    # The start page queries its schema (news, members), so the backend reads its catalogue.
    assert Client(HTTP_HOST=host_of(portal)).get("/").status_code == 200


@pytest.fixture
def four_portals(committed, portal_a, portal_b):
    created = [
        portal_provision(
            name=f"Grenze {slug}", subdomain=slug, admin_email=f"chef@{slug}.example"
        ).portal
        for slug in ("grenze-eins", "grenze-zwei")
    ]
    yield [portal_a, portal_b, *created]
    connection.set_schema_to_public()
    for portal in created:
        drop_schema(portal.schema_name)
        AuditEvent.objects.filter(portal=portal).delete()
        portal.delete()


@pytest.fixture
def fresh_connection(committed):
    # Earlier tests ran inside transactions, where nothing is closed: start from a clean count.
    connection.close()
    yield
    connection.close()


def test_connection_is_closed_after_serving_the_maximum_of_distinct_schemas(
    four_portals, fresh_connection, settings
):
    settings.DB_MAX_SCHEMAS_PER_CONNECTION = 3
    first, second, third, fourth = four_portals
    pid = _backend_pid()

    _start_page(first)
    _start_page(second)
    assert _backend_pid() == pid
    assert served() == (2, 2)
    _start_page(third)

    assert _backend_pid() != pid
    pid = _backend_pid()
    _start_page(fourth)
    assert _backend_pid() == pid
    assert served() == (1, 1)


def test_requests_to_the_same_portal_keep_the_connection(four_portals, fresh_connection, settings):
    settings.DB_MAX_SCHEMAS_PER_CONNECTION = 3
    portal = four_portals[0]
    pid = _backend_pid()

    for _ in range(5):
        _start_page(portal)

    assert _backend_pid() == pid
    assert served() == (1, 5)


def test_connection_is_closed_after_the_maximum_of_requests(
    committed, portal_a, fresh_connection, settings
):
    settings.DB_MAX_REQUESTS_PER_CONNECTION = 3
    pid = _backend_pid()

    _start_page(portal_a)
    _start_page(portal_a)
    assert _backend_pid() == pid
    _start_page(portal_a)

    assert _backend_pid() != pid


def test_connection_inside_a_transaction_is_never_closed(db, portal_a, portal_b, settings):
    settings.DB_MAX_SCHEMAS_PER_CONNECTION = 1
    pid = _backend_pid()

    _start_page(portal_a)
    _start_page(portal_b)

    assert connection.in_atomic_block
    assert _backend_pid() == pid
