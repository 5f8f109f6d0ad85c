"""The checks can fail: the walk's two probes, axe-core and the phone reflow measure, each find
a fault planted in a real page that passes without it (the positive control for the walk)."""

from __future__ import annotations

from tests.a11y.axe import PHONE, axe_violations, needs_axe
from tests.a11y.test_axe_walk import _overflow
from tests.browser import needs_chromium

pytestmark = [*needs_chromium, needs_axe]


def test_axe_and_the_reflow_probe_find_planted_faults(live, browser):
    context = browser.new_context(locale="de-DE", viewport=PHONE)
    page = context.new_page()
    page.goto(live + "/accounts/login/")
    assert axe_violations(page) == [] and _overflow(page) <= 0  # clean before

    page.evaluate(
        """() => {
          const img = document.createElement('img');  // an image without a text alternative
          img.src = '/static/css/base.css';
          img.width = img.height = 10;
          document.querySelector('main').append(img);
          const faint = document.createElement('p');  // text at 1.3:1
          faint.textContent = 'Kaum lesbar';
          faint.style.color = '#dddddd';
          document.querySelector('main').append(faint);
        }"""
    )
    found = {violation["id"] for violation in axe_violations(page)}
    assert {"image-alt", "color-contrast"} <= found, found

    page.evaluate(
        """() => { const wide = document.createElement('div');
                   wide.style.width = '800px'; wide.textContent = 'breit';
                   document.querySelector('main').append(wide); }"""
    )
    assert _overflow(page) > 300
    context.close()
