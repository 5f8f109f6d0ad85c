"""Custom CSS sanitiser: benign CSS comes back rebuilt, anything risky is refused with a reason."""

from __future__ import annotations

import pytest

from themes.custom_css import MAX_LENGTH, CustomCSSError, clean_custom_css

MEDIA = "/media/"
# The messages are asserted in the source language; tests/test_languages.py checks German.
pytestmark = pytest.mark.usefixtures("english")


def clean(source: str) -> str:
    return clean_custom_css(source, media_prefix=MEDIA)


def refused(source: str) -> str:
    with pytest.raises(CustomCSSError) as excinfo:
        clean(source)
    return str(excinfo.value)


def test_benign_css_is_reserialised_one_rule_per_line():
    source = """
    /* header tweaks */
    .site-header   h1 ,  .hero > p {
        color: #1a1a1a;
        font-weight: 700 !important;
        margin: 0 auto;
    }
    a:hover:not(.button) { text-decoration: underline; border-radius: var(--radius) }
    li:nth-child(2n+1) { background: linear-gradient(to right, rgb(0 0 0 / 50%), var(--color-primary, #fff)); }
    .card { width: calc(100% - 2 * var(--radius)); box-shadow: 0 1px 2px rgba(0, 0, 0, .2) }
    """
    assert clean(source) == (
        ".site-header h1 , .hero > p { color: #1a1a1a; font-weight: 700 !important; margin: 0 auto; }\n"
        "a:hover:not(.button) { text-decoration: underline; border-radius: var(--radius); }\n"
        "li:nth-child(2n+1) { background: linear-gradient(to right, rgb(0 0 0 / 50%), var(--color-primary, #fff)); }\n"
        ".card { width: calc(100% - 2 * var(--radius)); box-shadow: 0 1px 2px rgba(0, 0, 0, .2); }"
    )


def test_empty_input_gives_empty_output():
    assert clean("") == ""
    assert clean("  /* nothing */ \n") == ""


def test_media_block_with_style_rules_is_accepted():
    assert clean("@media (max-width: 600px) { .x { color: red } }") == (
        "@media (max-width: 600px) {\n  .x { color: red; }\n}"
    )


def test_media_urls_are_accepted_quoted_and_unquoted():
    assert clean(".a { background-image: url('/media/ok.png') }") == (
        '.a { background-image: url("/media/ok.png"); }'
    )
    assert clean(".a { background: url( /media/logos/ok-2.svg ) no-repeat }") == (
        ".a { background: url(/media/logos/ok-2.svg) no-repeat; }"
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("@import url(/media/x.css);", "@import is not allowed: it loads a stylesheet"),
        ("@font-face { font-family: x; src: url(/media/x.woff) }", "@font-face is not allowed"),
        ("@charset 'utf-8';", "@charset is not allowed"),
        ("@keyframes spin { from { opacity: 0 } }", "@keyframes is not allowed"),
        ("@supports (display: grid) { .a { color: red } }", "@supports is not allowed"),
        ("@media print { @import url(/media/x.css); }", "@import is not allowed inside @media"),
        ("@media (width <= 600px) { .a { color: red } }", "'<' is not allowed in a media query"),
        (".a { color: red; @import url(/media/x.css); }", "@import is not allowed inside a rule"),
        (".a { color: @import }", "'@import' is not allowed in the value of 'color'"),
    ],
)
def test_at_rules_other_than_media_are_refused(source, expected):
    assert expected in refused(source)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("url(http://evil/x.png)", "points to another site"),
        ("url('https://evil/x.png')", "points to another site"),
        ("url(//evil/x)", "points to another site"),
        ("url(data:image/png;base64,AAAA)", "points to another site"),
        ("url(/media/../../etc/passwd)", "'..' path segments"),
        ("url(/media//evil.example/x.png)", "path segments"),
        ("url(/media/%2e%2e/secret)", "characters that are not allowed"),
        ("url('/media/a\"b.png')", "characters that are not allowed"),
        ("url(/static/admin.png)", "only files uploaded to this portal (/media/...)"),
        ("url(/media-evil/x.png)", "only files uploaded to this portal"),
        ("url('javascript:alert(1)')", "javascript: addresses are not allowed"),
        ("url(x.png)", "only files uploaded to this portal"),
    ],
)
def test_urls_outside_the_media_prefix_are_refused(url, expected):
    message = refused(f".a {{\n  background-image: {url};\n}}")
    assert expected in message
    assert message.startswith("Line 2:")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (".a { width: expression(alert(1)) }", "expression() is not allowed"),
        (".a { behavior: url(x.htc) }", "'behavior' is not allowed: it runs script"),
        (".a { -moz-binding: url(/media/x.xml#xss) }", "'-moz-binding' is not allowed"),
        (".a { color: javascript:alert(1) }", "javascript: is not allowed"),
        (".a { background: image-set(url(/media/a.png) 1x) }", "image-set() is not allowed"),
        (".a { color: attr(title) }", "attr() is not allowed"),
        (".a { color: var(--secret) }", "var() may only read the theme's"),
        (".a { color: 'red' }", "A quoted string is not allowed in the value of 'color'"),
        (".a { color: }", "'color' has no value"),
    ],
)
def test_script_vectors_and_unknown_functions_are_refused(source, expected):
    assert expected in refused(source)


def test_escapes_cannot_hide_forbidden_names():
    assert "Backslash escapes are not allowed" in refused(".a { width: \\65 xpression(alert(1)) }")
    assert "Line 2: Backslash" in refused(".a { color: red }\n.b\\:c { color: red }")


def test_attribute_selectors_are_refused_with_reason():
    message = refused('input[value^="a"] { background-image: url(/media/a.png) }')
    assert "Attribute selectors" in message
    assert "form fields" in message


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("form:has(input:checked)", ":has() is not allowed in selectors"),
        (".a | b", "'|' is not allowed in a selector"),
        ("li:nth-child(2n of .x)", "is not allowed in :nth-child()"),
        ("& .a", "'&' is not allowed in a selector"),
    ],
)
def test_other_risky_selectors_are_refused(selector, expected):
    assert expected in refused(f"{selector} {{ color: red }}")


def test_properties_outside_the_allow_list_are_refused():
    assert "'position' is not allowed: it could lay content over" in refused(
        ".a { position: fixed }"
    )
    assert "'font-family' is not allowed" in refused(".a { font-family: Comic Sans }")
    assert "'content' is not allowed" in refused(".a::before { content: 'x' }")


def test_custom_properties_cannot_override_theme_tokens():
    message = refused(":root { --color-text: #fff }")
    assert "Custom properties such as '--color-text' cannot be set here" in message
    assert "contrast-checked" in message


@pytest.mark.parametrize(
    "source",
    [
        ".a { color: red</style><script>alert(1)</script> }",
        "</style><script>alert(1)</script> .a { color: red }",
        ".a { background-image: url('/media/</style>') }",
    ],
)
def test_closing_style_tag_never_gets_through(source):
    message = refused(source)
    assert "not allowed" in message


def test_closing_style_tag_in_value_names_the_reason():
    assert "it could end the <style> element" in refused(".a { color: red</style> }")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (".a { color: red", "is not closed"),
        ("@media print { .a { color: red }", "is not closed"),
        (".a { color: red }}", "Unmatched }"),
        (".a { width: calc(1px }", "is not closed"),
        (".a { color: red) }", "Unmatched )"),
        (".a { color: 'red\n; }", "could not be read"),
        ("/* never closed", "is not closed"),
        ("just some words", "This is not a CSS rule"),
        (".a { color red }", "This is not a declaration"),
        (".a { .b { color: red } }", "Nested rules are not allowed"),
        ("{ color: red }", "missing its selector"),
        (".a { width: calc(url/**/(//evil/x)) }", "A comment splits a name"),
        ("a/**/b { color: red }", "A comment splits a name"),
    ],
)
def test_malformed_css_is_refused(source, expected):
    assert expected in refused(source)


def test_input_over_the_size_limit_is_refused():
    source = ".a { color: red }\n" * (MAX_LENGTH // 18 + 1)
    assert len(source) > MAX_LENGTH
    assert "at most 20,000 characters" in refused(source)
    # Exactly at the limit is fine.
    assert clean(" " * (MAX_LENGTH - 17) + ".a{color:red}    ") == ".a { color: red; }"


def test_media_prefix_must_be_a_local_path():
    for prefix in ("https://cdn.example/media/", "//cdn/", "/media", "/media/../", ""):
        with pytest.raises(ValueError, match="media_prefix must be a local path"):
            clean_custom_css(".a { color: red }", media_prefix=prefix)


def test_error_carries_the_line_number():
    with pytest.raises(CustomCSSError) as excinfo:
        clean(".a { color: red }\n\n.b {\n  position: fixed;\n}")
    assert excinfo.value.line == 4
    assert str(excinfo.value).startswith("Line 4: ")
