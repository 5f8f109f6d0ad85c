"""What routing among many portals costs a page, against the same page with tenancy bypassed.

Two gunicorn servers (`allmende.wsgi`, one sync worker per CPU each, persistent connections as
in production) serve the benchmark database side by side, each idle while the other is loaded:

- routed: the normal stack, `PortalRoutingMiddleware` resolving every request's Host header to
  a portal (route, theme and feature switches from the per-process cache, tenants.localcache);
- fixed: the same stack with that middleware replaced by `FixedPortalMiddleware`, which serves
  one portal chosen at start-up, schema set once per connection (BENCH_FIXED_SCHEMA, read by
  bench.settings): what a single-tenant deployment of the same code would do.

Load comes from `bench.loadgen` in a second process over loopback: the start page, in
`--routing-rounds` rounds of three short blocks of `--routing-seconds` each: fixed; routed on
the fixed portal's own host (the same page, the issue's comparison); routed round-robin over
every portal of the fleet (each request another portal). Odd rounds run the blocks in reverse
order, so a drift of the machine during a round weighs on both sides alike. Ratio: the median
over rounds of routed throughput on the same page / fixed throughput in that round (1.0:
tenancy costs nothing; higher is better; target ≥ 0.95). On a small shared VM, throughput
swings by ±20% between blocks tens of seconds apart; the ratio of neighbouring blocks swings
about half as much (quartiles are reported), and the median drops the rounds a neighbour's
burst hit.

Also reported, in this process with Django's test client: queries per request for both (routed
on the same portal, and round-robin, where each request's portal costs a `SET search_path`), and
`resolve_host` in µs from the local cache and from the database.
"""

from __future__ import annotations

import os
import statistics
import time

from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.urls import set_urlconf

from bench.fleet import ROOT, free_port, load, start_gunicorn, stop, summary, wait_ready
from bench.fleet_data import ensure_fleet, fleet_portals, stderr_progress
from tenants.routing import forget_hostnames, resolve_host
from tenants.selectors import subdomain_hostname

ROUTING = "tenants.middleware.PortalRoutingMiddleware"
FIXED = "bench.routing.FixedPortalMiddleware"
_fixed_portal = None


def fixed_middleware(middleware: list[str]) -> list[str]:
    return [FIXED if m == ROUTING else m for m in middleware]


class FixedPortalMiddleware:
    """Serves every request from one portal chosen before the run: no host is resolved, and the
    schema is set once per connection rather than per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        portal = _portal()
        request.portal = request.tenant = portal
        request.urlconf = settings.ROOT_URLCONF
        if connection.schema_name != portal.schema_name:
            connection.set_tenant(portal)
        set_urlconf(request.urlconf)
        return self.get_response(request)


def _portal():
    global _fixed_portal
    if _fixed_portal is None:
        from tenants.models import Portal

        _fixed_portal = Portal.objects.get(schema_name=os.environ["BENCH_FIXED_SCHEMA"])
    return _fixed_portal


def add_arguments(parser) -> None:
    parser.add_argument(
        "--routing-rounds", type=int, default=10, help="rounds of three blocks (default 10)"
    )
    parser.add_argument(
        "--routing-seconds", type=float, default=3, help="seconds per load block (default 3)"
    )


def _queries_per_request(hosts: list[str], count: int) -> float:
    """Queries of a new visitor's start page (a client of its own per request, as the load
    generator's: the test client would carry one portal's session cookie to the next)."""
    queries = 0

    def counting(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    for host in hosts[:count]:  # warm
        Client().get("/", HTTP_HOST=host)
    with connection.execute_wrapper(counting):
        for n in range(count):
            response = Client().get("/", HTTP_HOST=hosts[n % len(hosts)])
            if response.status_code != 200:
                raise RuntimeError(f"GET / on {hosts[n % len(hosts)]}: {response.status_code}")
    return queries / count


def _resolve_us(hosts: list[str], *, cached: bool) -> float:
    """Microseconds per `resolve_host`, from the warm local cache or, forgotten first (what a
    domain change does), from the database; the latter includes forgetting the route."""
    started = time.perf_counter()
    for host in hosts:
        if not cached:
            forget_hostnames([host])
        resolve_host(host)
    return (time.perf_counter() - started) / len(hosts) * 1e6


def _rps(block: dict) -> float:
    return len(block["latencies"]) / block["seconds"]


def _round_ratios(routed: list[dict], fixed: list[dict]) -> list[float]:
    """Routed throughput over fixed throughput, round by round (the blocks run side by side)."""
    return [_rps(r) / _rps(f) for r, f in zip(routed, fixed, strict=True)]


def run(args) -> dict:
    global _fixed_portal
    ensure_fleet(args.portals, progress=stderr_progress)
    portals = list(fleet_portals().order_by("pk")[: args.portals])
    hosts = [subdomain_hostname(p.slug) for p in portals]
    _fixed_portal = portals[0]
    own = hosts[:1]

    routed_q = _queries_per_request(hosts, min(len(hosts), 500))
    same_q = _queries_per_request(own, 200)
    with override_settings(MIDDLEWARE=fixed_middleware(settings.MIDDLEWARE)):
        fixed_q = _queries_per_request(own, 200)
    connection.set_schema_to_public()  # the fixed middleware leaves its portal's schema set
    resolve_cached = statistics.median(_resolve_us(hosts, cached=True) for _ in range(3))
    resolve_uncached = statistics.median(_resolve_us(hosts, cached=False) for _ in range(3))

    workers = os.cpu_count() or 2
    seconds, concurrency = args.routing_seconds, args.concurrency
    logs = ROOT / ".data" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    routed_port, fixed_port = free_port(), free_port()
    routed_server = start_gunicorn(routed_port, workers, logs / "gunicorn-routed.log")
    fixed_server = start_gunicorn(
        fixed_port,
        workers,
        logs / "gunicorn-fixed.log",
        env={"BENCH_FIXED_SCHEMA": _fixed_portal.schema_name},
    )
    blocks: dict[str, list[dict]] = {"fixed": [], "same": [], "fleet": []}
    try:
        wait_ready(routed_server, routed_port, own[0], logs / "gunicorn-routed.log")
        wait_ready(fixed_server, fixed_port, own[0], logs / "gunicorn-fixed.log")
        load(routed_port, hosts, seconds, concurrency, once=True)  # every portal once
        load(fixed_port, own, min(seconds, 3), concurrency, path="/")
        load(routed_port, own, min(seconds, 3), concurrency, path="/")
        for round_ in range(args.routing_rounds):
            order = ["fixed", "same", "fleet"]
            for name in order if round_ % 2 == 0 else reversed(order):
                port = fixed_port if name == "fixed" else routed_port
                blocks[name].append(
                    load(port, hosts if name == "fleet" else own, seconds, concurrency, path="/")
                )
    finally:
        stop(routed_server)
        stop(fixed_server)
    figures = {name: summary(done) for name, done in blocks.items()}
    same_ratios = _round_ratios(blocks["same"], blocks["fixed"])
    fleet_ratios = _round_ratios(blocks["fleet"], blocks["fixed"])
    ratio, fleet_ratio = statistics.median(same_ratios), statistics.median(fleet_ratios)
    fixed_rps = figures["fixed"]["requests_per_second"]
    same_rps = figures["same"]["requests_per_second"]
    fleet_rps = figures["fleet"]["requests_per_second"]
    errors = sum(f["errors"] for f in figures.values())
    quartiles = statistics.quantiles(same_ratios, n=4) if len(same_ratios) > 1 else [ratio] * 3
    return {
        "ratio": ratio,
        "compares": "start page routed by host vs tenancy bypassed (fixed schema) under "
        "gunicorn, throughput (1.0 = routing free; higher is better)",
        "summary": f"median of {len(same_ratios)} rounds (quartiles {quartiles[0]:.2f}–"
        f"{quartiles[2]:.2f}); {same_rps:.0f} vs {fixed_rps:.0f} req/s on one portal, "
        f"{fleet_rps:.0f} req/s round-robin over {len(hosts)} portals "
        f"({fleet_ratio:.2f}×); p95 {figures['same']['p95_ms']:.0f}/"
        f"{figures['fleet']['p95_ms']:.0f} vs {figures['fixed']['p95_ms']:.0f} ms; "
        f"{same_q:.1f} (round-robin {routed_q:.1f}) vs {fixed_q:.1f} queries a request; errors {errors}; resolve_host "
        f"{resolve_cached:.0f} µs cached vs {resolve_uncached:.0f} µs from the database",
        "figures": {
            "portals": len(hosts),
            "workers": workers,
            "concurrency": concurrency,
            "rounds": args.routing_rounds,
            "seconds_per_block": seconds,
            **figures,
            "same_vs_fixed_by_round": [round(r, 3) for r in same_ratios],
            "fleet_vs_fixed_by_round": [round(r, 3) for r in fleet_ratios],
            "same_vs_fixed_quartiles": [round(q, 3) for q in quartiles],
            "fleet_vs_fixed": round(fleet_ratio, 3),
            "routed_queries_per_request": round(same_q, 2),
            "routed_round_robin_queries_per_request": round(routed_q, 2),
            "fixed_queries_per_request": round(fixed_q, 2),
            "resolve_host_cached_us": round(resolve_cached, 1),
            "resolve_host_uncached_us": round(resolve_uncached, 1),
        },
    }
