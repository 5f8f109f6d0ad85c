"""The benchmark harness: `python -m bench` runs every benchmark, `python -m bench NAME [...]`
the ones named.

Each benchmark is a module `bench/<name>.py` with `run(args) -> dict` (and optionally
`add_arguments(parser)`). It measures its own path and the path it is compared with interleaved,
in this one run, and returns `ratio` (how many times faster ours is: theirs / ours), `compares`
("what vs what"), `summary` (the key figures, one short phrase) and `figures` (everything
measured). The harness prints one line per benchmark,

    NAME: <ratio>× <what vs what> (<key figures>)

and writes `bench/results/NAME.json` with the figures, the ratio and the machine (CPU count,
Python, PostgreSQL, date). Nothing is asserted about time: a ratio is reported, never checked.

Database: a database of its own, `allmende_bench` on the same server (the embedded one unless
DATABASE_URL is set), created and migrated by Django's test-database machinery exactly as the
test suite's is (`migrate_schemas` on public, then `ensure_template()`), and dropped at the end
(`--keepdb` keeps it, with its portals, for the next run, which brings it up to date with
`migrate_portals`). The dev database is never touched.
Processes a benchmark starts (gunicorn, a Celery worker) inherit DATABASE_NAME.

Fails loudly: a benchmark that raises ends the run with exit status 1 after the others ran.
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import os
import platform as _stdlib_platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
# BENCH_DATABASE lets two runs (two checkouts) go side by side.
DATABASE = os.environ.get("BENCH_DATABASE", "allmende_bench")
# In the order `python -m bench` runs them, all on one fleet of `--portals` portals; the digest
# last, since it adds members to every portal.
BENCHMARKS = ("provision", "migrate", "routing", "fleet", "pages", "digest")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"of {', '.join(BENCHMARKS)}")
    parser.add_argument(
        "--portals", type=int, default=1000, help="portals in the fleet (default 1,000)"
    )
    parser.add_argument(
        "--samples", type=int, default=10, help="samples of each path per size (default 10)"
    )
    parser.add_argument(
        "--keepdb", action="store_true", help=f"keep (and reuse) the {DATABASE} database"
    )
    return parser


def _prepare_environment() -> None:
    sys.path[:0] = [p for p in (str(ROOT), str(ROOT / "platform")) if p not in sys.path]
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    # settings_test names the test database after this; processes we start inherit it.
    os.environ["TEST_DATABASE_NAME"] = DATABASE
    # Per-portal INFO lines (provisioned, invitation sent) would bury the one line per benchmark.
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # Invitation mails of thousands of portals go to a folder of the benchmarks' own.
    os.environ.setdefault("EMAIL_URL", f"file://{ROOT / '.data' / 'bench' / 'mail'}")


def _kept_database_exists() -> bool:
    from django.db import connection

    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
        return cursor.fetchone() is not None


def _setup_database(keepdb: bool):
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import setup_databases

    # What the test suite's subprocess_env does: a server or worker we start uses this database.
    os.environ["DATABASE_NAME"] = DATABASE
    config = None
    if keepdb and _kept_database_exists():
        # Django's test-database machinery would run `migrate`, which django-tenants makes
        # migrate_schemas over every schema with its standard executor: a quarter of an hour on
        # a kept 1,000-portal fleet. migrate_portals does public, the template and every portal
        # with its one-query check instead (under a second when nothing is behind).
        from django.conf import settings
        from django.core.management import call_command

        connection.close()
        settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"] = DATABASE
        call_command("migrate_portals", stdout=io.StringIO())
    else:
        config = setup_databases(
            verbosity=0,
            interactive=False,
            keepdb=keepdb,
            aliases={"default"},
            serialized_aliases=set(),
        )
    assert connection.settings_dict["NAME"] == DATABASE, connection.settings_dict["NAME"]
    for alias in ("routing", "default"):
        caches[alias].clear()
    from tenants.schemas import ensure_template

    ensure_template()
    return config


def _teardown_database(config) -> None:
    from django.db import connection
    from django.test.utils import teardown_databases

    with connection.cursor() as cursor:
        # Leftover sessions (a killed server's) would keep DROP DATABASE from running.
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    teardown_databases(config, verbosity=0)


def _reference_ms() -> float:
    """Milliseconds of a fixed pure-Python workload (best of 5): how fast this machine ran
    at the time, so that absolute figures (pages' 50 ms) of two runs can be told apart from
    the machine's own swings (a VM's neighbours, memory reclaim)."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += i % 7
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "cpu_count": os.cpu_count(),
        "python": _stdlib_platform.python_version(),
        "postgres": postgres,
        "system": f"{_stdlib_platform.system()} {_stdlib_platform.machine()}",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python_reference_ms": _reference_ms(),
    }


def format_line(name: str, result: dict) -> str:
    ratio = result["ratio"]
    # Two decimals up to 10: targets such as fleet's 1.2 are read against them.
    shown = f"{ratio:.2f}" if ratio < 10 else f"{ratio:.1f}"
    return f"{name}: {shown}× {result['compares']} ({result['summary']})"


def run_one(name: str, args: argparse.Namespace) -> dict:
    module = importlib.import_module(f"bench.{name}")
    started = time.perf_counter()
    result = module.run(args)
    result = {
        "name": name,
        "ratio": round(result["ratio"], 2),
        "compares": result["compares"],
        "summary": result["summary"],
        "figures": result["figures"],
        "seconds": round(time.perf_counter() - started, 1),
        "machine": machine(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def main(argv: list[str]) -> int:
    parser = _parser()
    _prepare_environment()
    import django

    django.setup()
    # Options of every benchmark are known up front, so `python -m bench NAME --x` parses.
    for name in BENCHMARKS:
        module = importlib.import_module(f"bench.{name}")
        if hasattr(module, "add_arguments"):
            module.add_arguments(parser)
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; choose from {BENCHMARKS}")
    config = _setup_database(args.keepdb)
    failed = []
    try:
        for name in args.names or BENCHMARKS:
            try:
                print(format_line(name, run_one(name, args)), flush=True)
            except Exception:
                traceback.print_exc()
                print(f"{name}: failed", flush=True)
                failed.append(name)
    finally:
        if not args.keepdb:
            _teardown_database(config)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
