"""The soak run: SOAK_SECONDS (default 600) of mixed traffic across SOAK_PORTALS (default 100)
portals, against gunicorn on the suite's own cluster, from client threads of this process over
loopback.

Gunicorn runs as in production: a bounded number of sync workers, --max-requests recycling
and a request timeout. Traffic: members' start pages, anonymous start pages, news posts, API
reads, the health check. The run passes with no server error (5xx or a dropped connection),
every answer as expected for its kind, and worker memory flat: no worker's resident memory
grows more than 20 % (or 50 MB, whichever is more) over the baseline taken after warm-up.
Prints requests, errors, p50/p95 latency and memory at start and end.
"""

from __future__ import annotations

import os
import random
import statistics
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.soak

SECONDS = int(os.environ.get("SOAK_SECONDS", "600"))
PORTALS = int(os.environ.get("SOAK_PORTALS", "100"))
CLIENTS = int(os.environ.get("SOAK_CLIENTS", "6"))
WORKERS = 2
MAX_REQUESTS = 20000

# kind: (share, method, path, logged in, expected status)
MIX = {
    "member start page": (30, "GET", "/", True, 200),
    "visitor start page": (15, "GET", "/", False, 200),
    "api posts": (20, "GET", "/api/v1/posts/", True, 200),
    "api features": (10, "GET", "/api/v1/features/", True, 200),
    "post news": (15, "POST", "/posts/new/", True, 302),
    "post page denied to visitors": (5, "POST", "/posts/new/", False, 403),
    "health check": (5, "GET", "/healthz", False, 200),
}


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _worker_rss(master: int) -> dict[int, float]:
    rss = {}
    for pid in _children(master):
        try:
            rss[pid] = _rss_mb(pid)
        except (FileNotFoundError, ProcessLookupError):
            continue  # recycled in between
    return rss


class Traffic:
    def __init__(self, base: str, portals: list[dict], seed: int) -> None:
        self.base = base
        self.portals = portals
        self.random = random.Random(seed)  # noqa: S311 (a traffic mix, no secret)
        self.kinds = list(MIX)
        self.weights = [MIX[kind][0] for kind in self.kinds]
        self.results: list[tuple[str, int | None, float]] = []
        self.unexpected: Counter = Counter()
        self.lock = threading.Lock()

    def run(self, until: float, number: int) -> None:
        chooser = random.Random(self.random.random() + number)  # noqa: S311
        session = requests.Session()
        count = 0
        while time.monotonic() < until:
            count += 1
            kind = chooser.choices(self.kinds, self.weights)[0]
            _share, method, path, logged_in, expected = MIX[kind]
            portal = chooser.choice(self.portals)
            host = "localhost" if kind == "health check" else portal["host"]
            headers = {"Host": host}
            cookies = {}
            data = None
            if logged_in:
                cookies[portal["session_cookie"]] = portal["session"]
                if method == "POST":
                    headers["X-CSRFToken"] = portal["csrf"]
            if method == "POST":
                data = {"body": f"Soak {number}-{count}"}
            started = time.perf_counter()
            try:
                response = session.request(
                    method,
                    self.base + path,
                    headers=headers,
                    cookies=cookies,
                    data=data,
                    allow_redirects=False,
                    timeout=30,
                )
                status = response.status_code
            except requests.RequestException:
                status = None
            elapsed = time.perf_counter() - started
            with self.lock:
                self.results.append((kind, status, elapsed))
                if status != expected:
                    self.unexpected[(kind, status)] += 1


def test_soak_mixed_traffic_across_portals_has_no_errors_and_flat_memory(cluster):
    started = time.monotonic()
    portals = cluster.seed(PORTALS, prefix="soak")
    seeded = time.monotonic() - started
    server, base = cluster.gunicorn(workers=WORKERS, max_requests=MAX_REQUESTS, timeout=30)
    traffic = Traffic(base, portals, seed=20261202)
    warm_up = min(30.0, SECONDS / 10)
    until = time.monotonic() + warm_up + SECONDS
    threads = [
        threading.Thread(target=traffic.run, args=(until, n), daemon=True) for n in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    time.sleep(warm_up)
    baseline = _worker_rss(server.pid)
    samples: list[dict[int, float]] = []
    while time.monotonic() < until:
        time.sleep(min(5.0, max(0.0, until - time.monotonic())))
        samples.append(_worker_rss(server.pid))
    for thread in threads:
        thread.join(timeout=60)
    end = _worker_rss(server.pid)

    results = traffic.results
    latencies = sorted(elapsed for _, _, elapsed in results)
    server_errors = sum(1 for _, status, _ in results if status is None or status >= 500)
    base_mb = max(baseline.values())
    peak_mb = max(max(sample.values(), default=0.0) for sample in samples)
    recycled = len(set().union(*samples) - set(baseline))
    print(
        f"\nsoak: {len(portals)} portals seeded in {seeded:.0f} s; {SECONDS} s after "
        f"{warm_up:.0f} s warm-up, {CLIENTS} clients, {WORKERS} gunicorn workers\n"
        f"requests {len(results)} ({len(results) / (SECONDS + warm_up):.0f}/s), "
        f"server errors {server_errors}, unexpected answers {sum(traffic.unexpected.values())}\n"
        f"latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms, "
        f"max {latencies[-1] * 1000:.0f} ms\n"
        f"worker RSS after warm-up {sorted(round(v) for v in baseline.values())} MB, "
        f"end {sorted(round(v) for v in end.values())} MB, peak {peak_mb:.0f} MB, "
        f"workers recycled {recycled}\n"
        f"by kind: {dict(Counter(kind for kind, _, _ in results))}"
    )
    assert len(results) > SECONDS, "the clients hardly got through"
    assert server_errors == 0, traffic.unexpected
    assert not traffic.unexpected, traffic.unexpected
    assert peak_mb <= max(base_mb * 1.2, base_mb + 50), (baseline, samples[-3:])
    assert server.poll() is None
    stored = cluster.query("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'p\\_soak%%'")[0][
        0
    ]
    assert stored == len(portals)
