"""Shared fixtures: two committed portals (A and B) for the whole session, clients per host.

Tests run inside a transaction that is rolled back (pytest-django), and PostgreSQL DDL is
transactional, so a test may provision, purge or import portals freely. Tests that need other
processes (a Celery worker, forked migration workers) cannot see uncommitted data; they use the
`committed` fixture and clean up after themselves.
"""

from __future__ import annotations

import gc
import os
import shutil

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client
from django.utils import translation
from django_tenants.utils import tenant_context

from tenants.models import Portal
from tenants.schemas import ensure_template
from tenants.services import portal_provision
from tests.accounts.factories import host_of

in_portal = tenant_context


@pytest.fixture(scope="session", autouse=True)
def _clean_test_files():
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    shutil.rmtree(settings.PORTAL_EXPORT_DIR, ignore_errors=True)
    yield


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    # The database rolls back after each test, the file system does not: give every test its
    # own media folder so files written by one test never show up in another.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_routing_cache():
    caches["routing"].clear()
    caches["default"].clear()
    yield


def _session_portal(django_db_blocker, subdomain: str, name: str, plan: str) -> Portal:
    with django_db_blocker.unblock():
        ensure_template()
        portal = Portal.objects.filter(slug=subdomain).first()
        if portal is None:
            portal = portal_provision(
                name=name,
                subdomain=subdomain,
                admin_email=f"admin@{subdomain}.example",
                plan=plan,
                actor_label="tests",
            ).portal
    return portal


@pytest.fixture(scope="session")
def portal_a(django_db_setup, django_db_blocker) -> Portal:
    return _session_portal(django_db_blocker, "alpha", "Portal Alpha", "community")


@pytest.fixture(scope="session")
def portal_b(django_db_setup, django_db_blocker) -> Portal:
    return _session_portal(django_db_blocker, "beta", "Portal Beta", "professional")


@pytest.fixture
def client_a(db, portal_a) -> Client:
    return Client(HTTP_HOST=host_of(portal_a))


@pytest.fixture
def client_b(db, portal_b) -> Client:
    return Client(HTTP_HOST=host_of(portal_b))


@pytest.fixture
def platform_client(db) -> Client:
    return Client(HTTP_HOST=settings.PLATFORM_DOMAIN)


@pytest.fixture
def english():
    """Messages in English, whatever language an earlier request left active in this thread."""
    with translation.override("en"):
        yield


@pytest.fixture
def subprocess_env(django_db_setup) -> dict:
    """Environment for a child process (worker, manage.py) that must use the test database."""
    from django.db import connection

    return dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="allmende.settings_test",
        DATABASE_NAME=connection.settings_dict["NAME"],
    )


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Database access outside the per-test transaction, for tests that start other processes."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture(scope="session")
def django_db_setup(
    request, django_test_environment, django_db_blocker, django_db_modify_db_settings
):
    """The test database, always. pytest-django creates it only when a collected test asks for
    `db`; a run of tests that use only `committed` would otherwise write to the real database."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    yield
    with django_db_blocker.unblock():
        _end_leftover_sessions(request)
        teardown_databases(config, verbosity=0)


def _end_leftover_sessions(request) -> None:
    """A session still open on the test database makes dropping it fail ("is being accessed by
    other users"). Connections of finished threads close once their wrappers are collected;
    anything else is a leak (a thread or a process a test did not stop): it is named in a
    warning, then ended, so that the database can still be dropped."""
    from django.db import connection

    gc.collect()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, application_name, backend_start, left(query, 120) "
            "FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        leftovers = cursor.fetchall()
        for pid, *_ in leftovers:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    if leftovers:
        request.node.warn(
            pytest.PytestWarning(
                "Sessions left open on the test database (a test did not close a thread's "
                f"connection or stop a process): {leftovers}"
            )
        )


@pytest.fixture
def portal_c(db) -> Portal:
    """A second Professional portal (B is the first), made for one test: both may have own
    domains, so both sides of a domain test can claim one."""
    return portal_provision(
        name="Portal Gamma",
        subdomain="gamma",
        admin_email="admin@gamma.example",
        plan="professional",
        actor_label="tests",
    ).portal


@pytest.fixture
def dns_zone(settings):
    """A DNS server on loopback that the domain checks ask (tests/tenants/fake_dns.py)."""
    from tests.tenants.fake_dns import serving_zone

    with serving_zone(settings) as zone:
        yield zone
