"""Fleet migrations: our `migrate_portals` vs django-tenants' `migrate_schemas`.

Both run over the same `--portals` schemas (default 1,000), public left out: ours is the
command as operators run it (`migrate_portals --skip-public`, its default `--parallel 2`; it also
covers the template and the spare schemas), theirs `migrate_schemas --tenant` with the standard
executor, which runs Django's migrate command in every schema.

Theirs costs about half a second a schema at 1,000 portals, so by default it runs over a sample
of `--migrate-sample` portals spread evenly over the fleet (`migrate_schemas --tenant --schema S`
for each, their real path a schema at a time; in a fleet of the full size, since each schema's
cost grows with the catalogue) and its time is scaled to the whole fleet; `--migrate-sample 0`
runs `migrate_schemas --tenant` once over every portal instead.

- No-op: nothing to apply. Rounds alternate the order (ours, theirs, theirs, ours, ...); the
  ratio is their median wall time / our median.
- Additive: one new migration in every schema (`bench/additive`: a nullable column on the
  members table, what an ordinary release adds). Before each command it is taken back out of
  every schema (column and migration record), so both start from the same fleet; afterwards
  every schema must have it again. Reported beside the no-op ratio, with the 3-minute target.

Fails loudly: a run that is not what it claims to be (something migrated in the no-op case,
a schema left without the migration in the additive one) raises.
"""

from __future__ import annotations

import io
import statistics
import time

from django.core.management import call_command
from django.db import connection, transaction

from bench import additive as additive_app
from bench.fleet_data import ensure_fleet, portal_count, stderr_progress
from tenants.models import Portal
from tenants.schemas import _qi
from tenants.services.fleet import fleet_schemas

ADDITIVE_APP = "bench_additive"
ADDITIVE_TARGET_S = 180


def add_arguments(parser) -> None:
    parser.add_argument(
        "--migrate-rounds", type=int, default=1, help="runs of each command (default 1)"
    )
    parser.add_argument(
        "--migrate-sample",
        type=int,
        default=100,
        help="portals django-tenants migrates, scaled to the fleet (default 100; 0: all)",
    )


def ours(*, expect_migrated: int = 0) -> float:
    out = io.StringIO()
    started = time.perf_counter()
    call_command("migrate_portals", skip_public=True, stdout=out, stderr=out)
    seconds = time.perf_counter() - started
    summary = out.getvalue().strip().splitlines()[-1]
    if f" {expect_migrated} migrated" not in summary or " 0 failed" not in summary:
        raise RuntimeError(f"expected {expect_migrated} migrated: {summary}")
    return seconds


def theirs(*, sample: list[str] | None = None, fleet: int = 0) -> float:
    """migrate_schemas over every portal, or over `sample` one schema at a time, scaled to
    `fleet` schemas."""
    options = {"tenant": True, "executor": "standard", "interactive": False, "verbosity": 0}
    started = time.perf_counter()
    if not sample:
        call_command("migrate_schemas", stdout=io.StringIO(), **options)
        return time.perf_counter() - started
    for schema in sample:
        call_command("migrate_schemas", schema_name=schema, stdout=io.StringIO(), **options)
    return (time.perf_counter() - started) / len(sample) * fleet


def _sample(tenants: list[str], size: int) -> list[str] | None:
    if size <= 0 or size >= len(tenants):
        return None
    step = len(tenants) / size
    return [tenants[int(i * step)] for i in range(size)]


def _take_back(schemas: list[str]) -> None:
    """Remove the additive migration from `schemas`: its column and its migration record."""
    with transaction.atomic(), connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute(
                f"ALTER TABLE {_qi(schema)}.{additive_app.TABLE} "
                f"DROP COLUMN IF EXISTS {additive_app.COLUMN}"
            )
            cursor.execute(
                f"DELETE FROM {_qi(schema)}.django_migrations WHERE app = %s", [ADDITIVE_APP]
            )


def _without_additive(schemas: list[str]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.columns "
            "WHERE table_name = %s AND column_name = %s",
            [additive_app.TABLE, additive_app.COLUMN],
        )
        having = {row[0] for row in cursor.fetchall()}
    return [schema for schema in schemas if schema not in having]


def additive(action, schemas: list[str], **kwargs) -> float:
    _take_back(schemas)
    seconds = action(**kwargs)
    left = _without_additive(schemas)
    if left:
        raise RuntimeError(f"{len(left)} schema(s) without the additive migration: {left[:5]}")
    return seconds


def run(args) -> dict:
    fleet_seconds = ensure_fleet(args.portals, progress=stderr_progress)
    tenants = list(Portal.objects.order_by("schema_name").values_list("schema_name", flat=True))
    sample = _sample(tenants, args.migrate_sample)

    def their_run(**kwargs):
        return theirs(sample=sample, fleet=len(tenants), **kwargs)

    mine, others = [], []
    for i in range(args.migrate_rounds):
        pairs = [(ours, mine), (their_run, others)]
        for action, into in pairs if i % 2 == 0 else reversed(pairs):
            into.append(action())
    portals = portal_count()
    ours_s, theirs_s = statistics.median(mine), statistics.median(others)
    # Additive: ours over every schema it migrates (template and spares too), theirs over the
    # portals (the schemas migrate_schemas knows) or the sample of them.
    everything = fleet_schemas()
    ours_add = additive(ours, everything, expect_migrated=len(everything))
    theirs_add = additive(their_run, sample or tenants)
    measured = f"{len(sample)} sampled, scaled" if sample else "all"
    return {
        "ratio": theirs_s / ours_s,
        "compares": "migrate_portals vs django-tenants migrate_schemas, no-op over the fleet",
        "summary": f"{portals} portals: {ours_s:.2f} s vs {theirs_s:.1f} s, "
        f"{theirs_s / portals * 1000:.0f} ms a schema for theirs ({measured}); one additive migration "
        f"{ours_add:.0f} s ({len(everything)} schemas, target {ADDITIVE_TARGET_S} s) vs "
        f"{theirs_add:.0f} s",
        "figures": {
            "portals": portals,
            "rounds": args.migrate_rounds,
            "theirs_schemas_measured": len(sample) if sample else len(tenants),
            "fleet_seconds": round(fleet_seconds, 1),
            "ours_s": [round(s, 3) for s in mine],
            "theirs_s": [round(s, 3) for s in others],
            "ours_median_s": round(ours_s, 3),
            "theirs_median_s": round(theirs_s, 3),
            "additive": {
                "ours_schemas": len(everything),
                "theirs_schemas": len(tenants),
                "ours_s": round(ours_add, 2),
                "theirs_s": round(theirs_add, 2),
                "ratio": round(theirs_add / ours_add, 2),
                "target_s": ADDITIVE_TARGET_S,
            },
        },
    }
