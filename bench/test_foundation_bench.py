"""Benchmarks for the foundation, reported as ratios measured in one run (`make bench`).

- Provisioning by copying the template vs. creating a schema by replaying migrations.
- Resolving a portal's host from the shared cache vs. from the database.
Goals: copying is at least 2x faster than migrating (with today's short migration history; the
gap grows with every migration, while a copy's cost follows the number of tables); a cached route at least 2x faster than a
looked-up one (and free of queries, which the test suite asserts).
"""

from __future__ import annotations

import time

from django.core.cache import caches
from django.db import connection

from tenants.routing import resolve_host
from tenants.schema_clone import clone_schema
from tenants.schemas import create_schema, drop_schema, ensure_template, migrate_schema
from tenants.services import portal_provision


def _best_of(runs: int, action) -> float:
    best = float("inf")
    for index in range(runs):
        started = time.perf_counter()
        action(index)
        best = min(best, time.perf_counter() - started)
    return best


def test_copying_the_template_beats_replaying_migrations(db):
    template = ensure_template()
    created = []
    try:

        def by_copy(i):
            clone_schema(template, f"bench_copy_{i}")
            created.append(f"bench_copy_{i}")

        def by_migration(i):
            create_schema(f"bench_migrate_{i}")
            created.append(f"bench_migrate_{i}")
            migrate_schema(f"bench_migrate_{i}")

        copy = _best_of(3, by_copy)
        migrate = _best_of(1, by_migration)
    finally:
        with connection.cursor() as cursor:
            # Deferred FK checks of the copied rows must fire before their tables can go.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for schema in created:
            drop_schema(schema)
    ratio = migrate / copy
    print(
        f"\nschema by copy {copy * 1000:.0f} ms, by migration {migrate * 1000:.0f} ms: {ratio:.1f}x"
    )
    assert ratio >= 2


def test_full_provisioning_time(db):
    ensure_template()
    seconds = _best_of(
        3,
        lambda i: portal_provision(
            name=f"Bench {i}", subdomain=f"bench-{i}", admin_email=f"a{i}@bench.example"
        ),
    )
    print(f"\nportal_provision best of 3: {seconds * 1000:.0f} ms")


def test_cached_route_beats_database_lookup(db):
    ensure_template()
    portal_provision(name="Bench Route", subdomain="bench-route", admin_email="a@route.example")
    host = "bench-route.localhost"
    routing = caches["routing"]

    def uncached(_):
        for _n in range(200):
            routing.delete(f"host:{host}")
            resolve_host(host)

    def cached(_):
        for _n in range(200):
            resolve_host(host)

    resolve_host(host)
    slow = _best_of(3, uncached)
    fast = _best_of(3, cached)
    ratio = slow / fast
    print(f"\n200 routes: cached {fast * 1000:.0f} ms, uncached {slow * 1000:.0f} ms: {ratio:.1f}x")
    assert ratio >= 2
