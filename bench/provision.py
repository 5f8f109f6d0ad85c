"""Provisioning a portal: our `portal_provision` vs django-tenants' default path, p50 and p95.

Ours renames a spare schema (tenants.spares), as production does while its pool is filled, and
also sets the theme, invites the first admin and writes the audit row; the pool is topped up
between samples, outside the timing, as the beat job and the refill after each claim do. The
fallback, copying the template when no spare is ready, is measured as a third series. Theirs is what a `TenantMixin` model does on `save()` with
`auto_create_schema` on and no TENANT_BASE_SCHEMA: the row, `create_schema(check_if_exists=True)`
— CREATE SCHEMA and `migrate_schemas --schema=<it>`, replaying every tenant migration — then the
primary domain. Both run on the same apps in the same database, interleaved sample by sample (the
order alternating), at 10 existing portals and at `--portals` (default 1,000); every sample
portal is dropped again, so the fleet size stays exact. Ratio: their p50 / our p50 at the
largest size.
"""

from __future__ import annotations

import math
import statistics
import time

from django.db import connection

from bench.fleet_data import discard_portal, ensure_fleet, portal_count, stderr_progress
from bench.statements import recorded
from tenants.models import Domain, Portal, PortalStatus
from tenants.selectors import subdomain_hostname
from tenants.services import portal_provision

SMALL = 10


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile: the value at or below which p percent of the samples lie."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def ours(slug: str) -> Portal:
    return portal_provision(
        name=f"Sample {slug}",
        subdomain=slug,
        admin_email=f"admin@{slug}.example",
        actor_label="bench",
    ).portal


def theirs(slug: str) -> Portal:
    """django-tenants' TenantMixin.save() path: row, schema by migration, domain."""
    portal = Portal(
        name=f"Sample {slug}",
        slug=slug,
        schema_name="p_" + slug.replace("-", "_"),
        status=PortalStatus.ACTIVE,
    )
    portal.auto_create_schema = True  # what a plain TenantMixin model has
    portal.save(verbosity=0)
    Domain.objects.create(domain=subdomain_hostname(slug), tenant=portal, is_primary=True)
    connection.set_schema_to_public()
    return portal


def _timed(action, slug: str, statements: list | None = None) -> float:
    """Seconds `action` takes; with `statements`, each statement's (ms, SQL) is appended."""
    timings: list[tuple[float, str]] = []
    with recorded(timings):
        started = time.perf_counter()
        portal = action(slug)
        seconds = time.perf_counter() - started
    discard_portal(portal)
    if statements is not None:
        statements.append(timings)
    return seconds


def copied(slug: str) -> Portal:
    """Ours with the pool empty: the template is copied."""
    from django.conf import settings

    before, settings.SPARE_SCHEMAS = settings.SPARE_SCHEMAS, 0
    try:
        return ours(slug)
    finally:
        settings.SPARE_SCHEMAS = before


def _tasks_to_a_queue():
    """What provisioning hands to Celery (the invitation mail, the pool's refill) goes to an
    in-memory queue that nothing reads, as in production, where a worker does it after the
    customer's request has returned; the test settings would run it inside the timing."""
    from allmende.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"
    app.conf.result_backend = None


def measure(size: int, samples: int, progress=None) -> dict:
    from django.conf import settings

    from tenants import spares

    _tasks_to_a_queue()
    settings.SPARE_SCHEMAS = max(settings.SPARE_SCHEMAS, 1)
    mine, copies, others = [], [], []
    statements: list[list[tuple[float, str]]] = []  # of each of our samples
    for i in range(samples):
        spares.refill()  # outside the timing, as in production
        # Rotating which goes first, so none always finds a warm cache.
        runs = [(ours, mine, "ours"), (copied, copies, "copy"), (theirs, others, "theirs")]
        shift = i % len(runs)
        for action, into, label in runs[shift:] + runs[:shift]:
            into.append(
                _timed(action, f"sample-{label}-{i}", statements if action is ours else None)
            )
        if progress:
            progress(i + 1, samples)
    sql_ms = [sum(ms for ms, _sql in sample) for sample in statements]
    # The median sample's slowest statements: where our time goes, not the first call's.
    median = statements[sorted(range(len(mine)), key=mine.__getitem__)[len(mine) // 2]]
    return {
        "existing_portals": portal_count(),
        "samples": samples,
        "ours_p50_s": round(statistics.median(mine), 4),
        "ours_p95_s": round(percentile(mine, 95), 4),
        "copy_p50_s": round(statistics.median(copies), 4),
        "copy_p95_s": round(percentile(copies, 95), 4),
        "theirs_p50_s": round(statistics.median(others), 4),
        "theirs_p95_s": round(percentile(others, 95), 4),
        "ratio_p50": round(statistics.median(others) / statistics.median(mine), 2),
        "ours_s": [round(s, 4) for s in mine],
        "ours_sql_p50_ms": round(statistics.median(sql_ms), 1),
        "ours_statements": len(median),
        "ours_slowest_statements": [
            {"ms": round(ms, 2), "sql": sql[:200]}
            for ms, sql in sorted(median, key=lambda s: s[0], reverse=True)[:6]
        ],
        "theirs_s": [round(s, 4) for s in others],
    }


def run(args) -> dict:
    sizes = sorted({min(SMALL, args.portals), args.portals})
    figures: dict = {"sizes": {}}
    for size in sizes:
        figures["fleet_seconds_to_" + str(size)] = round(
            ensure_fleet(size, progress=stderr_progress), 1
        )
        figures["sizes"][str(size)] = measure(size, args.samples)
    big = figures["sizes"][str(sizes[-1])]
    parts = [
        f"at {f['existing_portals']} portals: {f['ours_p50_s'] * 1000:.0f}/"
        f"{f['ours_p95_s'] * 1000:.0f} ms (copy without spare {f['copy_p50_s'] * 1000:.0f}/"
        f"{f['copy_p95_s'] * 1000:.0f}) vs {f['theirs_p50_s'] * 1000:.0f}/"
        f"{f['theirs_p95_s'] * 1000:.0f} ms"
        for f in figures["sizes"].values()
    ]
    return {
        "ratio": big["ratio_p50"],
        "compares": "portal_provision (spare) vs django-tenants create_schema+migrate_schemas, p50",
        "summary": "p50/p95 " + "; ".join(parts) + f"; {args.samples} samples each",
        "figures": figures,
    }
