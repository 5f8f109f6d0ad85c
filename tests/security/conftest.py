"""The security suite's own report: after the run, how many cases of each guarantee ran and
passed (the matrices count their generated requests in CASES; the other parts count tests)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

CASES: Counter[str] = Counter()  # "cross-tenant matrix" -> requests made, filled by the tests

GROUPS = {
    "matrix": ("test_cross_tenant_matrix", "test_route_matrix", "test_route_classes"),
    "isolation": ("test_isolation", "test_confirmation_keys"),
    "authorization": ("test_redirects", "test_login_throttling", "test_links", "test_console"),
    "content": ("test_attack_corpus", "test_uploads", "test_headers"),
    "webhooks": ("test_stripe_webhooks",),
    "domains": ("test_domain_claims",),
}


def _group(nodeid: str) -> str | None:
    if "tests/security/" not in nodeid:
        return None
    stem = Path(nodeid.split("::")[0]).stem
    return next((g for g, stems in GROUPS.items() if stem.startswith(stems)), "other")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    tally: dict[str, Counter] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            group = _group(getattr(report, "nodeid", ""))
            if group and getattr(report, "when", "call") == "call":
                tally.setdefault(group, Counter())[outcome] += 1
    if not tally:
        return
    terminalreporter.section("security suite")
    for group in (*GROUPS, "other"):
        if group in tally:
            counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(tally[group].items()))
            terminalreporter.write_line(f"{group:14} {counts}")
    for name, n in sorted(CASES.items()):
        terminalreporter.write_line(f"{name:30} {n} generated cases")
