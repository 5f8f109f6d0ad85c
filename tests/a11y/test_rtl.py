"""Right to left: with <html dir="rtl"> (what an Arabic page gets) the layout mirrors, because
the stylesheet's sides are logical properties. In a real browser, at a desktop and a 390 px
phone viewport: the portal's name moves to the right edge and the navigation mirrors, the
skip link appears at the right, and nothing widens the phone page. The same page left to right
is the control: the name sits at the left there.

The first test switches the direction on a rendered German page (so the layout is tested apart
from any catalogue); the second opens a portal that offers Arabic, where the page says dir="rtl"
itself.
"""

from __future__ import annotations

import pytest

from tests.a11y.axe import DESKTOP, PHONE, SCREENSHOTS, axe_violations, describe, needs_axe
from tests.browser import needs_chromium
from tests.conftest import in_portal
from themes import languages
from themes.services import theme_publish, theme_update_draft

pytestmark = [*needs_chromium, needs_axe]

LAYOUT = """() => {
  const box = s => document.querySelector(s).getBoundingClientRect();
  const header = box('.site-header .wrap'), brand = box('.brand');
  const toggle = document.querySelector('.menu-toggle');
  const nav = toggle && toggle.offsetParent ? toggle : document.querySelector('nav ul');
  const navBox = nav.getBoundingClientRect();
  return {
    brandLeft: brand.left - header.left, brandRight: header.right - brand.right,
    navLeft: navBox.left - header.left, navRight: header.right - navBox.right,
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  };
}"""


# Where the first label's words are (not its box: a block label is as wide as its field).
LABEL_TEXT = """() => {
  const label = document.querySelector('main form label');
  const range = document.createRange();
  range.selectNodeContents(label);
  const field = document.getElementById(label.htmlFor).getBoundingClientRect();
  const text = range.getBoundingClientRect();
  return [{left: text.left, right: text.right}, {left: field.left, right: field.right}];
}"""


def _layout(page, direction: str) -> dict:
    page.evaluate(f"document.documentElement.dir = '{direction}'")
    return page.evaluate(LAYOUT)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_right_to_left_page_mirrors(live, browser, viewport):
    size = PHONE if viewport == "phone" else DESKTOP
    context = browser.new_context(locale="de-DE", viewport=size)
    page = context.new_page()
    page.goto(live + "/accounts/login/")
    ltr = _layout(page, "ltr")
    assert ltr["brandLeft"] < 20 < ltr["brandRight"], ltr  # the control: the name at the left
    text, field = page.evaluate(LABEL_TEXT)
    assert text["right"] < field["right"] - 20, (text, field)  # the label's words at the left

    rtl = _layout(page, "rtl")
    page.screenshot(path=str(SCREENSHOTS / f"rtl-{viewport}.png"), full_page=True)
    assert rtl["brandRight"] < 20 < rtl["brandLeft"], f"the name did not move right: {rtl}"
    # Mirrored: the navigation keeps its distance from the side it starts at, whether it fits
    # next to the name (then at the far side) or wraps below it (then under the name). Its
    # other end depends on how long the labels are in each language, so only the start side
    # is compared (an unmirrored page fails it on a phone and on a desktop alike).
    mirrored = abs(rtl["navRight"] - ltr["navLeft"]) <= 24
    assert mirrored, f"the navigation is not mirrored: {ltr} → {rtl}"
    assert rtl["overflow"] <= 0, f"the right-to-left page is wider than the screen: {rtl}"
    text, field = page.evaluate(LABEL_TEXT)
    assert text["right"] >= field["right"] - 2, f"the label's text stays left: {text} {field}"

    page.keyboard.press("Tab")
    skip = page.evaluate("document.activeElement.getBoundingClientRect().right")
    assert skip > size["width"] / 2, "the skip link shows at the left of a right-to-left page"
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    context.close()


@pytest.mark.skipif(
    "ar" not in languages.all_codes(), reason="the Arabic catalogue is not offered yet"
)
def test_a_portal_offering_arabic_renders_right_to_left(portal, live, browser):
    with in_portal(portal):
        theme_update_draft(offered_languages=["de", "en", "ar"], default_language="ar")
        theme_publish(actor_label="tests")
    context = browser.new_context(locale="ar", viewport=PHONE)
    page = context.new_page()
    page.goto(live + "/accounts/login/")
    html = page.evaluate("[document.documentElement.lang, document.documentElement.dir]")
    assert html == ["ar", "rtl"], html
    rtl = page.evaluate(LAYOUT)
    page.screenshot(path=str(SCREENSHOTS / "rtl-arabic-phone.png"), full_page=True)
    assert rtl["brandRight"] < 20 < rtl["brandLeft"], f"the name did not move right: {rtl}"
    assert rtl["overflow"] <= 0, rtl
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    context.close()
