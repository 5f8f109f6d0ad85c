"""axe-core in a Playwright page: where the script is, running it with the WCAG 2.0/2.1 A and AA
rules, and describing what it found so a failure names the page, the rule and the elements.

axe-core comes from the npm registry (`infra/ensure_axe.sh`, run by `make test`, installs the
pinned version into `.data/node/`); without it the checks skip and say how to get it.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings

AXE_JS = Path(settings.DATA_DIR) / "node" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SUMMARY = Path(settings.DATA_DIR) / "a11y" / "last-check.json"
SCREENSHOTS = Path(settings.DATA_DIR) / "test" / "screenshots" / "a11y"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}

needs_axe = pytest.mark.skipif(
    not AXE_JS.exists(),
    reason="axe-core is not installed: run `bash infra/ensure_axe.sh` (make test does)",
)


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it is now; its violations of the WCAG A/AA rules."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the page's CSP forbids inline scripts (as it
        # should), and bypassing the CSP would check a page other than the one people get.
        page.evaluate(_axe_source())
    result = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                      resultTypes: ['violations']})""",
        WCAG_TAGS,
    )
    return result["violations"]


@functools.cache
def _axe_source() -> str:
    return AXE_JS.read_text()


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:3]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")[:200]
            lines.append(f"    {' '.join(map(str, node['target']))} {summary}")
    return "\n".join(lines)


@dataclass
class Tally:
    """What the URL walk checked, for the terminal summary and the accessibility statement.
    Portal pages are checked in every preset; the platform host's pages (platform site, order
    pages, operator console) have no portal theme and are checked once per viewport."""

    portal_pages: set = field(default_factory=set)
    platform_pages: set = field(default_factory=set)
    presets: set = field(default_factory=set)
    viewports: set = field(default_factory=set)
    checks: int = 0
    violations: int = 0
    failures: list = field(default_factory=list)

    @property
    def pages(self) -> int:
        return len(self.portal_pages) + len(self.platform_pages)

    def line(self) -> str:
        return (
            f"axe: {len(self.portal_pages)} portal pages × {len(self.presets)} presets × "
            f"{len(self.viewports)} viewports + {len(self.platform_pages)} platform pages × "
            f"{len(self.viewports)} viewports = {self.checks} checks, "
            f"{self.violations} violations"
        )

    def write(self) -> None:
        """The summary file the generated accessibility statement reads."""
        SUMMARY.parent.mkdir(parents=True, exist_ok=True)
        SUMMARY.write_text(
            json.dumps(
                {
                    "date": datetime.now(UTC).isoformat(timespec="seconds"),
                    "tool": f"axe-core {axe_version()}",
                    "rules": WCAG_TAGS,
                    "pages": self.pages,
                    "portal_pages": len(self.portal_pages),
                    "platform_pages": len(self.platform_pages),
                    "presets": sorted(self.presets),
                    "viewports": sorted(self.viewports),
                    "checks": self.checks,
                    "violations": self.violations,
                    "failures": self.failures[:200],
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )


def axe_version() -> str:
    package = AXE_JS.parent / "package.json"
    try:
        return json.loads(package.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "unknown"


TALLY = Tally()
