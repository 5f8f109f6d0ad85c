"""Per-request cost of routing a request to one of many portals, with the caches warm.

Ours: a visitor's GET of the start page, round-robin over every portal of the fleet (default
1,000), through `PortalRoutingMiddleware` (host -> portal from the shared routing cache) and the
portal's theme and feature switches from their caches. Baseline: the same page of one portal with
the schema fixed in advance (`FixedPortalMiddleware`, what a single-tenant deployment would do),
so no host is resolved and one portal's caches are always hot. In-process with Django's test
client, in alternating blocks. Ratio: our time per request / the fixed one's (1.0: routing
among a thousand portals costs nothing); queries per request are counted for both.
"""

from __future__ import annotations

import statistics
import time

from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.urls import set_urlconf

from bench.fleet_data import ensure_fleet, fleet_portals, stderr_progress
from tenants.routing import forget_hostnames, resolve_host
from tenants.selectors import subdomain_hostname

ROUTING = "tenants.middleware.PortalRoutingMiddleware"
_fixed_portal = None


class FixedPortalMiddleware:
    """Serves every request from one portal chosen before the run: no host resolution."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.portal = request.tenant = _fixed_portal
        request.urlconf = settings.ROOT_URLCONF
        connection.set_tenant(_fixed_portal)
        set_urlconf(request.urlconf)
        try:
            return self.get_response(request)
        finally:
            connection.set_schema_to_public()


def add_arguments(parser) -> None:
    parser.add_argument(
        "--requests", type=int, default=2000, help="requests per block and path (default 2000)"
    )


def _block(hosts: list[str], count: int, *, start: int = 0) -> tuple[float, int]:
    client = Client()
    queries = 0

    def counting(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        started = time.perf_counter()
        for n in range(count):
            host = hosts[(start + n) % len(hosts)]
            response = client.get("/", HTTP_HOST=host)
            if response.status_code != 200:
                raise RuntimeError(f"GET / on {host}: {response.status_code}")
        seconds = time.perf_counter() - started
    return seconds / count, queries


def _resolve_us(hosts: list[str], *, cached: bool) -> float:
    """Microseconds per `resolve_host`, from the warm routing cache or, forgotten first (what a
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
    fixed_middleware = [
        "bench.routing.FixedPortalMiddleware" if m == ROUTING else m for m in settings.MIDDLEWARE
    ]
    _block(hosts, len(hosts))  # warm every portal's caches once
    with override_settings(MIDDLEWARE=fixed_middleware):
        _block(hosts[:1], 50)
    routed, fixed, routed_q, fixed_q = [], [], 0, 0
    per_block = args.requests
    for i in range(4):
        if i % 2 == 0:
            seconds, q = _block(hosts, per_block, start=i * per_block)
            routed.append(seconds)
            routed_q += q
        with override_settings(MIDDLEWARE=fixed_middleware):
            seconds, q = _block(hosts[:1], per_block)
        fixed.append(seconds)
        fixed_q += q
        if i % 2 == 1:
            seconds, q = _block(hosts, per_block, start=i * per_block)
            routed.append(seconds)
            routed_q += q
    resolve_cached = statistics.median(_resolve_us(hosts, cached=True) for _ in range(3))
    resolve_uncached = statistics.median(_resolve_us(hosts, cached=False) for _ in range(3))
    ours_ms, fixed_ms = statistics.median(routed) * 1000, statistics.median(fixed) * 1000
    routed_qpr = routed_q / (per_block * len(routed))
    fixed_qpr = fixed_q / (per_block * len(fixed))
    return {
        "ratio": ours_ms / fixed_ms,
        "compares": "routed start page over the fleet vs one fixed-schema portal, per request "
        "(1.0 = routing free; lower is better)",
        "summary": f"{len(hosts)} portals: {ours_ms:.2f} ms vs {fixed_ms:.2f} ms, "
        f"{routed_qpr:.1f} vs {fixed_qpr:.1f} queries a request; resolve_host "
        f"{resolve_cached:.0f} µs cached vs {resolve_uncached:.0f} µs from the database",
        "figures": {
            "portals": len(hosts),
            "requests_per_block": per_block,
            "routed_ms_per_request": [round(s * 1000, 3) for s in routed],
            "fixed_ms_per_request": [round(s * 1000, 3) for s in fixed],
            "routed_queries_per_request": round(routed_qpr, 2),
            "fixed_queries_per_request": round(fixed_qpr, 2),
            "resolve_host_cached_us": round(resolve_cached, 1),
            "resolve_host_uncached_us": round(resolve_uncached, 1),
        },
    }
