"""Every page of both URLconfs that renders HTML, in a real browser, checked with axe-core
against the WCAG 2.0/2.1 A and AA rules: portal pages in every theme preset, the platform host's
pages (platform site, order pages, operator console) once, each at a desktop and a 390 px phone
viewport. On the phone no page may be wider than the screen (WCAG 1.4.10, reflow), which axe does
not check. 0 violations, or the test fails naming the page, the rule and the elements.

The summary (pages, checks, violations) goes to `.data/a11y/last-check.json`, where the portal's
accessibility statement reads the latest result; the terminal summary prints the same line.
"""

from __future__ import annotations

import os
import time

import pytest

from tests.a11y import site as walk_site
from tests.a11y.axe import SCREENSHOTS, TALLY, VIEWPORTS, axe_violations, describe, needs_axe
from tests.browser import needs_chromium, running_server
from tests.conftest import in_portal
from themes.presets import PRESETS
from themes.services import theme_set

pytestmark = [*needs_chromium, needs_axe]


@pytest.fixture
def site(committed, subprocess_env):
    walk_site.teardown()  # whatever an aborted earlier run left behind
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with running_server(subprocess_env, SCREENSHOTS.parent / "a11y-server.log") as port:
        try:
            yield walk_site.build(port)
        finally:
            walk_site.teardown()


def _overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


# The outermost elements that stick out of the viewport, to name them in the failure.
STICKING_OUT = """() => {
  const width = document.documentElement.clientWidth;
  const out = [...document.body.querySelectorAll('*')].filter(e => {
    const box = e.getBoundingClientRect();
    return box.width && (box.right > width + 1 || box.left < -1);
  });
  return out.filter(e => !out.includes(e.parentElement)).slice(0, 3).map(e =>
    e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (e.className && typeof e.className === 'string' ? '.' + e.className.trim().replace(/ +/g, '.') : '') +
    ' ' + Math.round(e.getBoundingClientRect().left) + '..' + Math.round(e.getBoundingClientRect().right));
}"""


def _check(page, visit, preset: str, failures: list, shots: bool) -> None:
    for name, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        violations = axe_violations(page)
        problems = describe(violations)
        if name == "phone" and (wider := _overflow(page)) > 0:
            violations.append({"id": "reflow"})
            problems += (
                f"\n  reflow: the page is {wider}px wider than the phone's screen: "
                + ", ".join(page.evaluate(STICKING_OUT))
            )
        TALLY.checks += 1
        TALLY.viewports.add(name)
        if violations:
            TALLY.violations += len(violations)
            TALLY.failures.append(
                {
                    "page": visit.url,
                    "role": visit.role,
                    "preset": preset,
                    "viewport": name,
                    "rules": [v["id"] for v in violations],
                }
            )
            failures.append(
                f"{visit.url} ({visit.label}) as {visit.role}, {preset}, {name}:\n{problems}"
            )
        if shots or violations:
            slug = visit.label.replace(":", "-").replace("/", "_").replace(" ", "_")
            page.screenshot(
                path=str(SCREENSHOTS / f"{preset}-{name}-{visit.role}-{slug}.png"), full_page=True
            )


def _presets() -> list[str]:
    """Every preset; A11Y_PRESETS=climate,dark narrows a run while fixing something."""
    chosen = os.environ.get("A11Y_PRESETS", "")
    return [key for key in PRESETS if not chosen or key in chosen.split(",")]


def test_every_page_has_no_wcag_a_or_aa_violations(site, browser):
    from playwright.sync_api import Error as PlaywrightError

    for old in SCREENSHOTS.glob("*.png"):
        if old.name.split("-")[0] in PRESETS:
            old.unlink()  # an earlier run's pages; the keyboard and RTL checks' stay
    visits, _left_out = walk_site.visits(site)
    started = time.monotonic()
    pages = {}
    for role, cookies in site.cookies.items():
        context = browser.new_context(locale="de-DE", viewport=VIEWPORTS["desktop"])
        if cookies:
            context.add_cookies(cookies)
        pages[role] = context.new_page()
    failures, not_html, first = [], [], True
    for preset in _presets():
        with in_portal(site.portal):
            theme_set(
                site_name="Barrierefrei testen",
                preset=preset,
                tagline="Für alle",
                actor_label="tests",
            )
        TALLY.presets.add(preset)
        for visit in visits:
            platform_host = visit.role in walk_site.PLATFORM_ROLES
            if platform_host and not first:
                continue  # no portal theme on the platform host
            page = pages[visit.role]
            try:
                response = page.goto(site.base(visit.role) + visit.url)
            except PlaywrightError as error:
                failures.append(f"{visit.url} ({visit.label}) as {visit.role}: {error.message}")
                continue
            kind = response.headers.get("content-type", "") if response else ""
            if not kind.startswith("text/html"):
                not_html.append(f"{visit.url} ({visit.label}): {kind}")
                continue
            # The console is read-only where the records are the platform's own (orders, the
            # audit log): its add and delete pages answer 403 by design, and are checked as such.
            by_design = visit.role == "operator" and response.status == 403
            if response.status >= 400 and not by_design:
                text = (
                    page.locator("main").first.inner_text()[:160]
                    if page.locator("main").count()
                    else page.content()[:300]
                )
                failures.append(
                    f"{visit.url} ({visit.label}) as {visit.role}: {response.status} {text!r}"
                )
            (TALLY.platform_pages if platform_host else TALLY.portal_pages).add(
                (visit.role, visit.url)
            )
            _check(page, visit, preset, failures, shots=first and visit.url == "/")
        first = False
    TALLY.write()
    print(f"\n{TALLY.line()} in {time.monotonic() - started:.0f} s")
    assert failures == [], "\n".join(failures)
    assert not not_html, "routes that are no page belong in site.NO_PAGE:\n" + "\n".join(not_html)
    assert TALLY.checks > 100  # the walk reached the pages, not an error page for each
