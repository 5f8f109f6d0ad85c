"""The pages people open most, in a busy portal vs a small one, against a 50 ms target.

Two portals are provisioned with the real `portal_provision` (Professional plan) and filled by
`bench.pages_data.fill_portal`: *large* with 10,000 ideas, 5,000 members, 50,000 comments and
5,000 events (times `--pages-scale`), *small* with a hundredth of that. Then, in this process
with Django's test client (routing middleware, sessions, templates: the whole request), four
pages are requested on both, as an ordinary member (`force_login`; a member of the space) and
as a visitor (all four pages are public):

- the start page `/` (news with their comments, member count),
- the space page `/spaces/<slug>/` of the big space (a tenth of the members belong to it),
- the ideas list `/ideas/` (default sort: trending),
- the month view of the calendar `/events/` (the current month).

Each (page, viewer, size) gets `--pages-requests` requests (default 200; a series stops early
after `--pages-seconds` seconds, 20 s by default, but never before 20 requests) after 5
warm-up requests, in blocks that alternate between the sizes, with
LOCAL_CACHE_CHECK_SECONDS=1 as in production. Measured per request: the queries
(`connection.execute_wrapper`; a `SET search_path` that switches portals is not counted) and
the server time (p50/p95/max). Ratio: the worst p95 at the large size / 50 ms (1.0 = just on
target; lower is better). Every query count that differs between the sizes, and every p95
above the target, is listed under `findings` with the slowest queries of that page at the
large size.

Fails loudly (no ratio): a page that does not answer 200, or a filled portal whose pages do
not show the filled content (the benchmark would time empty pages).
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.test import Client, override_settings
from django_tenants.utils import tenant_context

from bench.fleet_data import discard_portal
from bench.pages_data import FillResult, analyze, fill_portal
from bench.provision import percentile
from bench.statements import recorded
from tenants.models import Portal
from tenants.selectors import subdomain_hostname
from tenants.services import portal_provision

TARGET_MS = 50.0
FULL = {"ideas": 10_000, "members": 5_000, "comments": 50_000, "events": 5_000}
SMALL_FRACTION = 100
SLUGS = {"small": "pages-small", "large": "pages-large"}
VIEWERS = ("member", "visitor")
WARM_UP = 5
BLOCKS = 4
MIN_REQUESTS = 20


def add_arguments(parser) -> None:
    parser.add_argument(
        "--pages-scale",
        type=float,
        default=1.0,
        help="pages: times 10,000 ideas, 5,000 members, 50,000 comments, 5,000 events (default 1)",
    )
    parser.add_argument(
        "--pages-requests",
        type=int,
        default=200,
        help="pages: requests per page, viewer and size (default 200)",
    )
    parser.add_argument(
        "--pages-seconds",
        type=float,
        default=20.0,
        help="pages: at most this long per page, viewer and size (default 20 s)",
    )


def sizes_for(scale: float, *, fraction: int = 1) -> dict[str, int]:
    """The fill sizes at `scale` and 1/`fraction` of it; at least 2 members and 1 of the rest."""
    sizes = {key: max(1, round(n * scale / fraction)) for key, n in FULL.items()}
    sizes["members"] = max(2, sizes["members"])
    return sizes


def pages_of(filled: FillResult) -> dict[str, str]:
    return {
        "home": "/",
        "space": f"/spaces/{filled.space_slug}/",
        "ideas": "/ideas/",
        "calendar": "/events/",
    }


@dataclass
class Series:
    """The requests of one page, viewer and size."""

    seconds: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    # (milliseconds, SQL) of every query of the slowest request.
    slowest: list[tuple[float, str]] = field(default_factory=list)

    def summary(self) -> dict:
        ms = [s * 1000 for s in self.seconds]
        return {
            "requests": len(ms),
            "p50_ms": round(percentile(ms, 50), 2),
            "p95_ms": round(percentile(ms, 95), 2),
            "max_ms": round(max(ms), 2),
            "mean_ms": round(statistics.fmean(ms), 2),
            "queries": sorted(set(self.queries)),
        }


def _get(client: Client, path: str, series: Series | None) -> bytes:
    timings: list[tuple[float, str]] = []
    with recorded(timings):
        started = time.perf_counter()
        response = client.get(path)
        seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code}")
    if series is not None:
        if not series.seconds or seconds > max(series.seconds):
            series.slowest = timings
        series.seconds.append(seconds)
        # A request to another portal than the connection's last one begins with SET
        # search_path (the sizes alternate between two portals): not a query of the page.
        series.queries.append(sum(not sql.startswith("SET search_path") for _ms, sql in timings))
    return response.content


def _provision_and_fill(size: str, sizes: dict[str, int]) -> tuple[Portal, FillResult]:
    slug = SLUGS[size]
    old = Portal.objects.filter(slug=slug).first()
    if old is not None:  # a --keepdb run: start from an empty portal again
        discard_portal(old)
    portal = portal_provision(
        name=f"Pages {size}",
        subdomain=slug,
        admin_email=f"admin@{slug}.example",
        plan="professional",
        actor_label="bench",
    ).portal

    def progress(what: str) -> None:
        print(f"pages: {size}: {what}", file=sys.stderr, flush=True)

    with transaction.atomic():
        filled = fill_portal(portal, **sizes, progress=progress)
    analyze(portal)
    connection.set_schema_to_public()
    return portal, filled


def clients_for(portal: Portal, filled: FillResult) -> dict[str, Client]:
    from accounts.models import User

    host = subdomain_hostname(portal.slug)
    member = Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="de")
    with tenant_context(portal):
        member.force_login(User.objects.get(pk=filled.member_id))
    return {"member": member, "visitor": Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="de")}


def _check_content(page: str, body: bytes, filled: FillResult, sizes: dict[str, int]) -> None:
    """The page shows what was filled, or the timing would be of an empty page."""
    text = body.decode()
    expected = {
        "home": [f"{sizes['members'] + 1} "],  # the members and the invited admin
        "space": ["Nachbarschaftsgarten"],
        "ideas": filled.idea_titles,  # a page of them, in trending order
        "calendar": filled.event_titles,
    }[page]
    if not any(title in text for title in expected):
        raise RuntimeError(f"the {page} page shows none of {expected[:3]!r}…: nothing to measure")


def run(args) -> dict:
    sizes = {
        "small": sizes_for(args.pages_scale, fraction=SMALL_FRACTION),
        "large": sizes_for(args.pages_scale),
    }
    portals, fills, fill_seconds = {}, {}, {}
    for size in ("small", "large"):
        started = time.perf_counter()
        portals[size], fills[size] = _provision_and_fill(size, sizes[size])
        fill_seconds[size] = round(time.perf_counter() - started, 1)
    clients = {size: clients_for(portals[size], fills[size]) for size in portals}
    series = {
        (page, viewer, size): Series()
        for page in pages_of(fills["small"])
        for viewer in VIEWERS
        for size in portals
    }
    per_block = max(1, args.pages_requests // BLOCKS)
    with override_settings(LOCAL_CACHE_CHECK_SECONDS=1):
        for page in pages_of(fills["small"]):
            for viewer in VIEWERS:
                for size in portals:
                    path = pages_of(fills[size])[page]
                    body = _get(clients[size][viewer], path, None)
                    _check_content(page, body, fills[size], sizes[size])
                    for _ in range(WARM_UP - 1):
                        _get(clients[size][viewer], path, None)
                deadline = {size: time.perf_counter() + args.pages_seconds for size in portals}
                for block in range(BLOCKS):
                    # small, large, large, small: neither size always goes first.
                    order = ("small", "large") if block % 2 == 0 else ("large", "small")
                    for size in order:
                        path = pages_of(fills[size])[page]
                        done = series[(page, viewer, size)]
                        for _ in range(per_block):
                            if (
                                len(done.seconds) >= MIN_REQUESTS
                                and time.perf_counter() > deadline[size]
                            ):
                                break
                            _get(clients[size][viewer], path, done)
    return _result(series, sizes, fill_seconds, args)


def _result(series: dict, sizes: dict, fill_seconds: dict, args) -> dict:
    pages: dict[str, dict] = {}
    findings: list[str] = []
    slowest: dict[str, list] = {}
    for (page, viewer, size), measured in series.items():
        pages.setdefault(page, {}).setdefault(viewer, {})[size] = measured.summary()
    for page, viewers in pages.items():
        for viewer, by_size in viewers.items():
            small, large = by_size["small"], by_size["large"]
            constant = small["queries"] == large["queries"] and len(large["queries"]) == 1
            by_size["queries_constant"] = constant
            if not constant:
                findings.append(
                    f"{page} ({viewer}): queries {small['queries']} small vs "
                    f"{large['queries']} large"
                )
            if large["p95_ms"] > TARGET_MS:
                findings.append(
                    f"{page} ({viewer}): p95 {large['p95_ms']:.0f} ms > {TARGET_MS:.0f} ms"
                )
        worst = max(VIEWERS, key=lambda v: viewers[v]["large"]["p95_ms"])
        queries = series[(page, worst, "large")].slowest
        top = sorted(queries, key=lambda q: q[0], reverse=True)[:5]
        slowest[page] = {
            "viewer": worst,
            "queries_ms": round(sum(ms for ms, _sql in queries), 1),
            "top": [{"ms": round(ms, 2), "sql": sql[:300]} for ms, sql in top],
        }
    worst_p95 = max(
        by_size["large"]["p95_ms"] for viewers in pages.values() for by_size in viewers.values()
    )
    parts = []
    for page, viewers in pages.items():
        p95 = max(by_size["large"]["p95_ms"] for by_size in viewers.values())
        member = viewers["member"]
        parts.append(
            f"{page} p95 {p95:.0f} ms, {_queries(member['small'])}→{_queries(member['large'])} q"
        )
    large = sizes["large"]
    return {
        "ratio": worst_p95 / TARGET_MS,
        "compares": f"worst p95 of 4 pages at {large['ideas']:,} ideas, {large['members']:,} "
        f"members, {large['comments']:,} comments, {large['events']:,} events vs the "
        f"{TARGET_MS:.0f} ms target (lower is better)",
        "summary": "; ".join(parts)
        + f" (member's queries small→large); {len(findings)} finding(s)",
        "figures": {
            "sizes": sizes,
            "fill_seconds": fill_seconds,
            "target_ms": TARGET_MS,
            "requests_per_series": args.pages_requests,
            "seconds_per_series": args.pages_seconds,
            "pages": pages,
            "slowest_request_queries_large": slowest,
            "findings": findings,
        },
    }


def _queries(summary: dict) -> str:
    counts = summary["queries"]
    return str(counts[0]) if len(counts) == 1 else f"{counts[0]}–{counts[-1]}"
