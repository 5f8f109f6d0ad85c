"""A fleet of portals for benchmarks (and for tests, at small sizes): `ensure_fleet(n)`.

Portals are made by the real `portal_provision` (schema copied from the template, theme, first
admin invited, domain, audit row), so a benchmark's fleet is what production has, not a
look-alike. With one process per CPU, 1,000 portals take about 2.5 minutes on 2 cores (a copy
of the template costs 0.2 s at 10 portals and 0.3 s at 1,000). A bulk path would copy the same
schema and save little.

Fleet portals are named `fleet-<i>`; `ensure_fleet(n)` tops the fleet up to n and is idempotent,
so a `--keepdb` run reuses the portals of the last one. `discard_portal()` removes a portal a
benchmark made for a sample (schema, domains, row) so that sizes stay exact.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed

from django.db import connection, connections

from tenants.models import Portal
from tenants.schemas import drop_schema, ensure_template
from tenants.services import portal_provision

PREFIX = "fleet-"
CHUNK = 50


def fleet_slug(index: int) -> str:
    return f"{PREFIX}{index}"


def fleet_portals():
    return Portal.objects.filter(slug__startswith=PREFIX)


def _provision(indices: list[int]) -> int:
    for index in indices:
        slug = fleet_slug(index)
        portal_provision(
            name=f"Fleet {index}",
            subdomain=slug,
            admin_email=f"admin@{slug}.example",
            actor_label="bench",
        )
    return len(indices)


def _provision_in_child(indices: list[int]) -> int:
    try:
        return _provision(indices)
    finally:
        connections.close_all()


def ensure_fleet(
    count: int,
    *,
    progress: Callable[[int, int], None] | None = None,
    processes: int | None = None,
) -> float:
    """Provision `fleet-0` … `fleet-<count-1>` where missing; return the seconds it took.

    Large fleets are provisioned by one forked process per CPU (`processes`), each on its own
    connection and in chunks of CHUNK portals with a fresh connection each, since a backend that
    has created thousands of tables carries their catalog entries and slows down. Inside a
    transaction (a test) it provisions in this process, where the test can see the portals.
    """
    ensure_template()
    existing = set(fleet_portals().values_list("slug", flat=True))
    missing = [i for i in range(count) if fleet_slug(i) not in existing]
    started = time.perf_counter()
    processes = processes or os.cpu_count() or 1
    if connection.in_atomic_block or processes == 1 or len(missing) <= CHUNK:
        for done, index in enumerate(missing, start=1):
            _provision([index])
            if progress:
                progress(done, len(missing))
        return time.perf_counter() - started
    chunks = [missing[i : i + CHUNK] for i in range(0, len(missing), CHUNK)]
    # Children must not share the parent's socket: they open connections of their own.
    connections.close_all()
    done = 0
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        for future in as_completed([pool.submit(_provision_in_child, c) for c in chunks]):
            done += future.result()
            if progress:
                progress(done, len(missing))
    return time.perf_counter() - started


def stderr_progress(done: int, total: int) -> None:
    """Progress for a long fleet build, on stderr so that stdout keeps one line a benchmark."""
    if done % 100 == 0 or done == total:
        print(f"fleet: {done}/{total} portals", file=sys.stderr, flush=True)


def portal_count() -> int:
    return Portal.objects.count()


def discard_portal(portal: Portal) -> None:
    """Drop a sample portal's schema and rows (domains go with the row)."""
    drop_schema(portal.schema_name)
    portal.delete()
    connection.set_schema_to_public()
