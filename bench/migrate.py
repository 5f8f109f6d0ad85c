"""A no-op fleet migration: our `migrate_portals` vs django-tenants' `migrate_schemas`.

Both run over the same `--portals` schemas (default 1,000) with nothing to apply, public left
out: ours is the command as operators run it (`migrate_portals --skip-public`, its default
`--parallel 2`; it also checks the template schema), theirs `migrate_schemas --tenant` with the
standard executor, which runs Django's migrate command in every schema. Rounds alternate the
order (ours, theirs, theirs, ours, ...); the ratio is their median wall time / our median.

Not measured: the additive case (one new migration applied to every schema), which needs a
throwaway migration in an installed app.
"""

from __future__ import annotations

import io
import statistics
import time

from django.core.management import call_command

from bench.fleet_data import ensure_fleet, portal_count, stderr_progress


def add_arguments(parser) -> None:
    parser.add_argument(
        "--migrate-rounds", type=int, default=1, help="runs of each command (default 1)"
    )


def ours() -> float:
    out = io.StringIO()
    started = time.perf_counter()
    call_command("migrate_portals", skip_public=True, stdout=out, stderr=out)
    seconds = time.perf_counter() - started
    summary = out.getvalue().strip().splitlines()[-1]
    if " 0 migrated" not in summary or " 0 failed" not in summary:
        raise RuntimeError(f"not a no-op run: {summary}")
    return seconds


def theirs() -> float:
    started = time.perf_counter()
    call_command(
        "migrate_schemas",
        tenant=True,
        executor="standard",
        interactive=False,
        verbosity=0,
        stdout=io.StringIO(),
    )
    return time.perf_counter() - started


def run(args) -> dict:
    fleet_seconds = ensure_fleet(args.portals, progress=stderr_progress)
    mine, others = [], []
    for i in range(args.migrate_rounds):
        pairs = [(ours, mine), (theirs, others)]
        for action, into in pairs if i % 2 == 0 else reversed(pairs):
            into.append(action())
    portals = portal_count()
    ours_s, theirs_s = statistics.median(mine), statistics.median(others)
    return {
        "ratio": theirs_s / ours_s,
        "compares": "migrate_portals vs django-tenants migrate_schemas, no-op over the fleet",
        "summary": f"{portals} portals: {ours_s:.2f} s vs {theirs_s:.1f} s, "
        f"{theirs_s / portals * 1000:.0f} ms a schema for theirs",
        "figures": {
            "portals": portals,
            "rounds": args.migrate_rounds,
            "fleet_seconds": round(fleet_seconds, 1),
            "ours_s": [round(s, 3) for s in mine],
            "theirs_s": [round(s, 3) for s in others],
            "ours_median_s": round(ours_s, 3),
            "theirs_median_s": round(theirs_s, 3),
        },
    }
