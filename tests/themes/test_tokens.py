"""Design tokens: only real colours pass, and every pair meets WCAG 2.1 AA."""

from __future__ import annotations

import pytest
from django.utils import translation

from themes.presets import PRESETS
from themes.tokens import TokenError, build_tokens, compile_stylesheet, contrast_ratio


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


GOOD = {
    "primary": "#0d47a1",
    "secondary": "#1565c0",
    "accent": "#c43e00",
    "background": "#ffffff",
    "surface": "#e8eef8",
    "text": "#1c2333",
    "radius": 4,
    "font": "inter",
}


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#777777", "#ffffff", 4.48),
        ("#0000ff", "#ffffff", 8.59),
        ("#767676", "#ffffff", 4.54),
    ],
)
def test_contrast_ratio_matches_known_pairs(a, b, expected):
    assert contrast_ratio(a, b) == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_preset_passes_the_contrast_checks(preset):
    assert build_tokens(PRESETS[preset].tokens)


@pytest.mark.parametrize(
    "bad",
    [
        "#fff;}body{display:none}",
        "red</style><script>",
        "red",
        "#12345",
        "#ggg",
        "",
        "url(x)",
        "#fff\n}",
        "rgb(0,0,0)",
    ],
)
def test_anything_but_a_hex_colour_is_refused(bad):
    with pytest.raises(TokenError) as error:
        build_tokens({**GOOD, "primary": bad})
    assert error.value.field == "primary"
    assert "is not a colour" in str(error.value)


def test_low_contrast_text_is_refused_with_ratio_and_a_passing_suggestion():
    with pytest.raises(TokenError) as error:
        build_tokens({**GOOD, "text": "#aaaaaa"})
    message = str(error.value)
    assert error.value.field == "text"
    assert "2.32:1" in message and "4.5:1" in message
    assert contrast_ratio(error.value.suggestion, "#ffffff") >= 4.5
    assert error.value.suggestion in message


def test_light_primary_is_refused_because_controls_need_three_to_one():
    with pytest.raises(TokenError) as error:
        build_tokens({**GOOD, "primary": "#ffeb3b"})
    assert error.value.field == "primary"
    assert contrast_ratio(error.value.suggestion, "#ffffff") >= 3.0


def test_text_on_surface_is_checked_too():
    with pytest.raises(TokenError) as error:
        build_tokens({**GOOD, "surface": "#333333"})
    assert error.value.field == "surface"


def test_fonts_outside_the_list_and_odd_radii_are_refused():
    with pytest.raises(TokenError, match="not one of the offered fonts"):
        build_tokens({**GOOD, "font": "Comic Sans'; } body { x"})
    with pytest.raises(TokenError, match="between 0 and 24"):
        build_tokens({**GOOD, "radius": 99})
    with pytest.raises(TokenError, match="whole number"):
        build_tokens({**GOOD, "radius": "4px;}"})


def test_stylesheet_uses_custom_properties_and_self_hosted_fonts_only():
    css = compile_stylesheet(build_tokens(GOOD))
    assert "--color-primary: #0d47a1;" in css
    assert "--color-on-primary: #ffffff;" in css
    assert "url('/static/fonts/inter/inter-latin-400-normal.woff2')" in css
    assert "http" not in css
