"""What routing among many portals costs a page, against the same page with tenancy bypassed.

Two gunicorn servers (`allmende.wsgi`, one sync worker per CPU each, persistent connections as
in production) serve the benchmark database side by side, each idle while the other is loaded:

- routed: the normal stack, `PortalRoutingMiddleware` resolving every request's Host header to
  a portal (route, theme and feature switches from the per-process cache, tenants.localcache);
- fixed: the same stack with that middleware replaced by `FixedPortalMiddleware`, which serves
  one portal chosen at start-up, schema set once per connection (BENCH_FIXED_SCHEMA, read by
  bench.settings): what a single-tenant deployment of the same code would do.

Load comes from `bench.loadgen` in a second process over loopback: the start page, in blocks
of `--routing-seconds` that alternate fixed, routed, routed, fixed. Routed is measured twice:
on the fixed portal's own host (the same page, the issue's comparison) and round-robin over
every portal of the fleet (each request another portal). Ratio: routed throughput on the same
page / fixed throughput (1.0: tenancy costs nothing; higher is better; target ≥ 0.95).

Also reported, in this process with Django's test client: queries per request for both, and
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
        "--routing-seconds", type=float, default=10, help="seconds per load block (default 10)"
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


def run(args) -> dict:
    global _fixed_portal
    ensure_fleet(args.portals, progress=stderr_progress)
    portals = list(fleet_portals().order_by("pk")[: args.portals])
    hosts = [subdomain_hostname(p.slug) for p in portals]
    _fixed_portal = portals[0]
    own = hosts[:1]

    routed_q = _queries_per_request(hosts, min(len(hosts), 500))
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
        order = ["fixed", "same", "fleet", "fleet", "same", "fixed"]
        for name in order:
            port = fixed_port if name == "fixed" else routed_port
            blocks[name].append(
                load(port, hosts if name == "fleet" else own, seconds, concurrency, path="/")
            )
    finally:
        stop(routed_server)
        stop(fixed_server)
    figures = {name: summary(done) for name, done in blocks.items()}
    fixed_rps = figures["fixed"]["requests_per_second"]
    same_rps = figures["same"]["requests_per_second"]
    fleet_rps = figures["fleet"]["requests_per_second"]
    errors = sum(f["errors"] for f in figures.values())
    return {
        "ratio": same_rps / fixed_rps,
        "compares": "start page routed by host vs tenancy bypassed (fixed schema) under "
        "gunicorn, throughput (1.0 = routing free; higher is better)",
        "summary": f"{same_rps:.0f} vs {fixed_rps:.0f} req/s on one portal, "
        f"{fleet_rps:.0f} req/s round-robin over {len(hosts)} portals "
        f"({fleet_rps / fixed_rps:.2f}×); p95 {figures['same']['p95_ms']:.0f}/"
        f"{figures['fleet']['p95_ms']:.0f} vs {figures['fixed']['p95_ms']:.0f} ms; "
        f"{routed_q:.1f} vs {fixed_q:.1f} queries a request; errors {errors}; resolve_host "
        f"{resolve_cached:.0f} µs cached vs {resolve_uncached:.0f} µs from the database",
        "figures": {
            "portals": len(hosts),
            "workers": workers,
            "concurrency": concurrency,
            "seconds_per_block": seconds,
            **figures,
            "fleet_vs_fixed": round(fleet_rps / fixed_rps, 3),
            "routed_queries_per_request": round(routed_q, 2),
            "fixed_queries_per_request": round(fixed_q, 2),
            "resolve_host_cached_us": round(resolve_cached, 1),
            "resolve_host_uncached_us": round(resolve_uncached, 1),
        },
    }
