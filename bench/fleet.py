"""A visitor's read mix across the whole fleet vs across 10 portals, against gunicorn.

gunicorn (`allmende.wsgi`, one sync worker per CPU, persistent database connections as in
production) serves the benchmark database on a free loopback port; the load comes from a
second process (`bench.loadgen`, C concurrent clients, one connection per request) spreading
its requests round-robin over the hosts of 10 portals or of all `--portals` (default 1,000).
One block of `--fleet-seconds` over 10 portals, then `--fleet-rounds` rounds of a block over
N and one over 10, odd rounds in reverse order (throughput and tails drift by ±20% over tens of
seconds on a small VM; neighbouring blocks share the drift); each host set is warmed first
with one request per host, and the latencies of each side are pooled. Reported: p50/p95/p99
latency, throughput and errors for each, and the database backends' private memory (RssAnon
of the gunicorn workers' backends, from /proc; absent when the database runs elsewhere), since
a backend that has touched a thousand schemas caches a thousand schemas' catalog entries.
The memory is sampled every second during the blocks (its peak: a backend recycled just before
a reading at the end would hide what it held). Ratio: p95 over N portals / p95 over 10 (1.0: the
fleet's size costs nothing; the target is 1.2).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from bench.fleet_data import ensure_fleet, fleet_portals, stderr_progress
from bench.loadgen import get
from bench.provision import percentile
from tenants.selectors import subdomain_hostname

ROOT = Path(__file__).resolve().parent.parent
SMALL = 10


def add_arguments(parser) -> None:
    parser.add_argument(
        "--fleet-seconds", type=float, default=6, help="seconds per load block (default 6)"
    )
    parser.add_argument(
        "--fleet-rounds", type=int, default=5, help="rounds of two blocks (default 5)"
    )
    parser.add_argument("--concurrency", type=int, default=4, help="concurrent clients (default 4)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(
    port: int, workers: int, log: Path, *, env: dict[str, str] | None = None
) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_CONN_MAX_AGE="600", **(env or {}))
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603 (our interpreter, our arguments)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "allmende.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return server


def wait_ready(server: subprocess.Popen, port: int, host: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn stopped:\n" + log.read_text()[-3000:])
        try:
            if get(port, host, "/", timeout=5) == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within 60 s:\n" + log.read_text()[-3000:])


def load(
    port: int,
    hosts: list[str],
    seconds: float,
    concurrency: int,
    once: bool = False,
    path: str | None = None,
) -> dict:
    command = [
        sys.executable,
        "-m",
        "bench.loadgen",
        "--port",
        str(port),
        "--hosts",
        ",".join(hosts),
        "--seconds",
        str(seconds),
        "--concurrency",
        str(concurrency),
    ]
    if once:
        command.append("--once")
    if path:
        command += ["--path", path]
    done = subprocess.run(  # noqa: S603 (our interpreter, our arguments)
        command, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def backend_memory_kb(*, besides: tuple[int, ...] = ()) -> list[int]:
    """RssAnon of every other client backend on this database (the gunicorn workers'), except
    the backends `besides` (this process's own: its main thread's has run the fleet's set-up)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
            "AND NOT pid = ANY(%s)",
            [list(besides)],
        )
        pids = [row[0] for row in cursor.fetchall()]
    sizes = []
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("RssAnon:"):
                sizes.append(int(line.split()[1]))
    return sorted(sizes)


class MemorySampler(threading.Thread):
    """The largest backend_memory_kb seen, sampled every `interval` seconds while it runs: a
    reading at the end would miss a backend that was recycled just before it."""

    def __init__(self, interval: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.interval, self.peak = interval, 0
        with connection.cursor() as cursor:  # the creating thread's connection
            cursor.execute("SELECT pg_backend_pid()")
            self.besides = (cursor.fetchone()[0],)
        self._stop_event = threading.Event()

    def run(self) -> None:
        try:
            while not self._stop_event.wait(self.interval):
                self.peak = max([self.peak, *backend_memory_kb(besides=self.besides)])
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self) -> MemorySampler:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop_event.set()
        self.join()


def summary(blocks: list[dict]) -> dict:
    latencies = [s for block in blocks for s in block["latencies"]]
    seconds = sum(block["seconds"] for block in blocks)
    if not latencies:
        raise RuntimeError(f"no request answered: {blocks[0]['first_errors']}")
    return {
        "requests": len(latencies),
        "errors": sum(block["errors"] for block in blocks),
        "first_errors": [e for block in blocks for e in block["first_errors"]][:5],
        "requests_per_second": round(len(latencies) / seconds, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
    }


def run(args) -> dict:
    ensure_fleet(args.portals, progress=stderr_progress)
    portals = list(fleet_portals().order_by("pk")[: args.portals])
    every = [subdomain_hostname(p.slug) for p in portals]
    few = every[:SMALL]
    workers = os.cpu_count() or 2
    log = ROOT / ".data" / "bench" / "gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = start_gunicorn(port, workers, log)
    try:
        wait_ready(server, port, few[0], log)
        seconds, concurrency = args.fleet_seconds, args.concurrency
        load(port, few, seconds, concurrency, once=True)
        with MemorySampler() as sampler_small:
            small = [load(port, few, seconds, concurrency)]
        load(port, every, seconds, concurrency, once=True)
        large: list[dict] = []
        with MemorySampler() as sampler_large:
            # Rounds N, 10 then 10, N: the VM's drift weighs on both sides alike. (The
            # memory peak over 10 portals is read before the fleet has been touched.)
            for round_ in range(args.fleet_rounds):
                pair = [(large, every), (small, few)]
                for into, hosts in pair if round_ % 2 == 0 else reversed(pair):
                    into.append(load(port, hosts, seconds, concurrency))
    finally:
        stop(server)
    at_small, at_large = summary(small), summary(large)
    # The target is on the tail: p95 over the fleet at most 1.2 times p95 over 10.
    ratio = at_large["p95_ms"] / at_small["p95_ms"]

    def mb(kb):
        return round(kb / 1024, 1) if kb else None

    figures = {
        "portals": len(every),
        "workers": workers,
        "concurrency": concurrency,
        "seconds_per_block": seconds,
        "rounds": args.fleet_rounds,
        str(SMALL): at_small,
        str(len(every)): at_large,
        "db_max_schemas_per_connection": settings.DB_MAX_SCHEMAS_PER_CONNECTION,
        "db_max_requests_per_connection": settings.DB_MAX_REQUESTS_PER_CONNECTION,
        "backend_rss_anon_kb_peak_small": sampler_small.peak,
        "backend_rss_anon_kb_peak_large": sampler_large.peak,
    }
    return {
        "ratio": ratio,
        "compares": f"read mix over {len(every)} portals vs {SMALL} under gunicorn, p95 "
        "(1.0 = size costs nothing; target 1.2; lower is better)",
        "summary": f"p50/p95/p99 {at_large['p50_ms']:.0f}/{at_large['p95_ms']:.0f}/"
        f"{at_large['p99_ms']:.0f} ms vs {at_small['p50_ms']:.0f}/{at_small['p95_ms']:.0f}/"
        f"{at_small['p99_ms']:.0f} ms, {at_large['requests_per_second']:.0f} vs "
        f"{at_small['requests_per_second']:.0f} req/s, errors {at_large['errors']}+"
        f"{at_small['errors']}, backend RssAnon peak {mb(sampler_large.peak)} MB vs {mb(sampler_small.peak)} MB",
        "figures": figures,
    }
