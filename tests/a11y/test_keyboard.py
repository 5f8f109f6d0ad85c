"""Registering with the keyboard alone (Tab, Shift+Tab, Enter and typing; no mouse), in German
and English, at a desktop and a 390 px phone viewport, in a real browser:

- the first Tab lands on the skip link, which is visible then and moves focus to the content;
- every element that takes focus on the way shows a focus indicator (an outline or a shadow);
- every form field reached has a label (its own <label>, or aria-label / aria-labelledby);
- the page has one header, one navigation, one main and one footer landmark, and its language;
- on the phone, the menu button (a <details> summary) opens the navigation; on a wide screen
  the links show without it;
- a mistake is said in words next to the field, not by colour alone;
- the members statistics charts name themselves and carry their numbers as a table.

The server reads committed data: the portal made here is deleted afterwards.
"""

from __future__ import annotations

import re

from accounts.models import Role
from tests.a11y.axe import PHONE, SCREENSHOTS
from tests.a11y.conftest import SUBDOMAIN
from tests.accounts.factories import PASSWORD, host_of, member_of
from tests.browser import needs_chromium

pytestmark = needs_chromium

# What the focused element looks like: a focus indicator, its label, where it is.
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const style = getComputedStyle(e);
  const box = e.getBoundingClientRect();
  const labelled = e.labels && e.labels.length ? [...e.labels].map(l => l.textContent).join(' ')
    : (e.getAttribute('aria-label') || (e.getAttribute('aria-labelledby') || '').split(' ')
        .map(id => (document.getElementById(id) || {}).textContent || '').join(' '));
  return {
    tag: e.tagName.toLowerCase(), type: e.type || '', name: e.name || '', id: e.id,
    text: (e.textContent || '').trim().slice(0, 60), label: (labelled || '').trim(),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== 'none',
    visible: box.width > 1 && box.height > 1 && box.bottom > 0 && box.right > 0 &&
             box.left < innerWidth,
  };
}"""


def _tab_to(page, matches, seen: list, limit: int = 40, backwards: bool = False) -> dict:
    """Press Tab until the focused element `matches`; every element passed is checked."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        seen.append(focused)
        if matches(focused):
            return focused
    raise AssertionError(f"no focusable element matched within {limit} Tabs: {seen[-5:]}")


def _problems(seen: list) -> list[str]:
    problems = []
    for f in seen:
        where = f"{f['tag']} {f['name'] or f['id'] or f['text']!r}"
        if not (f["outline"] or f["shadow"]):
            problems.append(f"{where}: no visible focus indicator")
        if not f["visible"]:
            problems.append(f"{where}: focused but not on screen")
        if f["tag"] in ("input", "select", "textarea") and f["type"] != "hidden" and not f["label"]:
            problems.append(f"{where}: a form field without a label")
    return problems


def _landmarks(page, language: str) -> None:
    counts = page.evaluate(
        """() => ({
          header: document.querySelectorAll('body > header, [role=banner]').length,
          nav: document.querySelectorAll('nav, [role=navigation]').length,
          main: document.querySelectorAll('main, [role=main]').length,
          footer: document.querySelectorAll('body > footer, [role=contentinfo]').length,
          lang: document.documentElement.lang,
        })"""
    )
    assert counts["header"] == counts["main"] == counts["footer"] == 1, counts
    assert counts["nav"] >= 1, counts
    assert counts["lang"] == language, counts


def test_registering_with_the_keyboard_alone(live, browser):
    # One portal and server for the four runs: provisioning and starting cost more than a run.
    for language in ("de", "en"):
        for viewport in ("desktop", "phone"):
            _register(live, browser, language, viewport)


def _register(live, browser, language: str, viewport: str) -> None:
    size = PHONE if viewport == "phone" else {"width": 1280, "height": 800}
    context = browser.new_context(locale="de-DE" if language == "de" else "en-GB", viewport=size)
    page = context.new_page()
    page.goto(live + "/")
    _landmarks(page, language)
    seen: list = []

    skip = _tab_to(page, lambda f: True, seen, limit=1)
    assert skip["tag"] == "a" and page.evaluate("document.activeElement.hash") == "#main", skip
    assert skip["visible"], "the skip link stays hidden when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    register = "Registrieren" if language == "de" else "Register"
    if viewport == "phone":
        menu = _tab_to(page, lambda f: f["tag"] == "summary", seen)
        assert page.get_by_role("link", name=register).is_hidden(), "the phone menu starts open"
        assert page.locator("summary").is_visible() and menu["text"], menu
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.parentElement.open") is True
        assert page.get_by_role("link", name=register).is_visible()
    else:
        assert page.locator("summary").is_hidden(), "a menu button on a wide screen"
    _tab_to(page, lambda f: f["tag"] == "a" and f["text"] == register, seen)
    page.screenshot(path=str(SCREENSHOTS / f"keyboard-{language}-{viewport}-start.png"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/accounts/signup/$"))
    _landmarks(page, language)

    address = f"kim.{language}.{viewport}@{SUBDOMAIN}.example"
    answers = {"email": address, "display_name": "Kim Tastatur", "password1": PASSWORD}
    # A first try with passwords that differ: the mistake must be said in words.
    answers["password2"] = PASSWORD + "x"
    fields = [
        f
        for f in ("email", "display_name", "password1", "password2")
        if page.locator(f"form [name={f}]").count()
    ]
    for field in fields:
        _tab_to(page, lambda f, field=field: f["name"] == field, seen)
        page.keyboard.type(answers[field])
    boxes = page.locator("form input[type=checkbox][required]")
    for i in range(boxes.count()):
        name = boxes.nth(i).get_attribute("name")
        _tab_to(page, lambda f, name=name: f["name"] == name, seen)
        page.keyboard.press("Space")
    submit = _tab_to(
        page,
        lambda f: (
            f["tag"] == "button"
            and f["type"] == "submit"
            and page.evaluate("!!document.activeElement.closest('main form')")
        ),
        seen,
    )
    page.keyboard.press("Enter")
    error = page.locator("main .errorlist").first
    error.wait_for(state="visible", timeout=15_000)
    # In words, and tied to the field, so a screen reader reads it with the field.
    said = page.evaluate(
        """() => [...document.querySelectorAll('main [aria-invalid=true]')].map(field =>
             (field.getAttribute('aria-describedby') || '').split(' ')
               .map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim())"""
    )
    assert said and all(said), f"a field marked wrong without words tied to it: {said}"
    page.screenshot(path=str(SCREENSHOTS / f"keyboard-{language}-{viewport}-error.png"))

    for field in ("password1", "password2"):
        if page.locator(f"form [name={field}]").count():
            _tab_to(page, lambda f, field=field: f["name"] == field, seen, limit=60)
            page.keyboard.press("Control+A")
            page.keyboard.type(PASSWORD)
    _tab_to(page, lambda f: f["text"] == submit["text"] and f["tag"] == "button", seen)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/accounts/confirm-email/$"), timeout=15_000)
    assert address in page.locator("main").inner_text()
    page.screenshot(path=str(SCREENSHOTS / f"keyboard-{language}-{viewport}-sent.png"))
    assert _problems(seen) == []
    assert len(seen) > 6  # the walk went through the form, not around it
    context.close()


def test_the_statistics_charts_name_themselves_and_give_their_numbers(portal, live, browser):
    from django.test import Client

    from tests.accounts.factories import log_in

    admin = member_of(portal, Role.ADMIN, email=f"ada@{SUBDOMAIN}.example")
    client = log_in(Client(HTTP_HOST=host_of(portal)), admin)
    context = browser.new_context(locale="de-DE")
    context.add_cookies(
        [{"name": n, "value": m.value, "url": live + "/"} for n, m in client.cookies.items()]
    )
    page = context.new_page()
    page.goto(live + "/manage/members/statistics/")
    charts = page.evaluate(
        """() => [...document.querySelectorAll('svg.chart-svg')].map(svg => ({
          role: svg.getAttribute('role'),
          name: (svg.getAttribute('aria-labelledby') || '').split(' ')
                  .map(id => (document.getElementById(id) || {}).textContent || '').join(' '),
          rows: svg.closest('section').querySelectorAll('table tbody tr').length,
          marks: svg.querySelectorAll('rect.chart-bar, circle.chart-point').length,
        }))"""
    )
    assert charts, "the statistics page shows no chart"
    for chart in charts:
        assert chart["role"] == "img" and len(chart["name"].strip()) > 10, chart
        assert chart["rows"] >= 1 and chart["rows"] == chart["marks"], chart
    context.close()


def test_posting_an_idea_with_the_keyboard_alone(portal, live, browser):
    """A member posts an idea without a mouse: from the ideas list to the form, a first try
    without a title (the mistake said in words at the field), then the idea's own page; in
    German and English, on a desktop and a phone."""
    from django.test import Client

    from tests.accounts.factories import log_in

    member = member_of(portal, email=f"ida@{SUBDOMAIN}.example", display_name="Ida Idee")
    for language in ("de", "en"):
        for viewport in ("desktop", "phone"):
            client = log_in(Client(HTTP_HOST=host_of(portal)), member)
            size = PHONE if viewport == "phone" else {"width": 1280, "height": 800}
            context = browser.new_context(
                locale="de-DE" if language == "de" else "en-GB", viewport=size
            )
            context.add_cookies(
                [
                    {"name": n, "value": m.value, "url": live + "/"}
                    for n, m in client.cookies.items()
                ]
            )
            page = context.new_page()
            page.goto(live + "/ideas/")
            _landmarks(page, language)
            seen: list = []
            # The "post an idea" link, whatever its words in this language.
            _tab_to(
                page,
                lambda f, page=page: (
                    f["tag"] == "a"
                    and page.evaluate("document.activeElement.getAttribute('href')")
                    == "/ideas/new/"
                ),
                seen,
                60,
            )
            page.keyboard.press("Enter")
            page.wait_for_url(re.compile(r".*/ideas/new/$"))
            _landmarks(page, language)
            title = f"Trinkbrunnen am Markt {language} {viewport}"
            # First without a title: the mistake must be said in words, tied to the field.
            _tab_to(page, lambda f: f["name"] == "description", seen)
            page.keyboard.type("Im Sommer fehlt Wasser für alle, die unterwegs sind.")

            def submit(f, page=page):
                return (
                    f["tag"] == "button"
                    and f["type"] == "submit"
                    and page.evaluate("!!document.activeElement.closest('main form')")
                )

            _tab_to(page, submit, seen)
            page.keyboard.press("Enter")
            page.locator("main .errorlist").first.wait_for(state="visible", timeout=15_000)
            said = page.evaluate(
                """() => [...document.querySelectorAll('main [aria-invalid=true]')].map(field =>
                     (field.getAttribute('aria-describedby') || '').split(' ')
                       .map(id => (document.getElementById(id) || {}).textContent || '')
                       .join(' ').trim())"""
            )
            assert said and all(said), f"a field marked wrong without words tied to it: {said}"
            # The text typed before is still there.
            assert "Wasser" in page.locator("main [name=description]").input_value()
            page.screenshot(
                path=str(SCREENSHOTS / f"keyboard-idea-{language}-{viewport}-error.png")
            )
            page.keyboard.press("Shift+Tab")  # from wherever the focus is, back into the form
            _tab_to(page, lambda f: f["name"] == "title", seen, limit=60, backwards=True)
            page.keyboard.type(title)
            _tab_to(page, submit, seen, limit=60)
            page.keyboard.press("Enter")
            page.wait_for_url(re.compile(r".*/ideas/\d+/$"), timeout=15_000)
            assert page.locator("main h1").inner_text() == title
            page.screenshot(path=str(SCREENSHOTS / f"keyboard-idea-{language}-{viewport}-done.png"))
            assert _problems(seen) == []
            context.close()
