"""Stored links (footer, call to action) are same-host paths or explicit https URLs only."""

from __future__ import annotations

import pytest

from themes.sanitize import clean_url


@pytest.mark.parametrize(
    "link",
    [
        "/\\evil.example",
        "//evil.example",
        "/\\/evil.example",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>",
        "http://plain.example",
        "https://user:pw@evil.example",
        "https:///nohost",
        "/pfad mit leerzeichen",
        "/line\nbreak",
        'https://ok.example/"onmouseover=',
    ],
)
def test_links_that_lead_elsewhere_or_carry_code_are_dropped(link):
    assert clean_url(link) == ""


@pytest.mark.parametrize(
    "link", ["/", "/veranstaltungen/?monat=12", "https://www.kiel.de/buergerbeteiligung#start"]
)
def test_paths_and_https_links_are_kept(link):
    assert clean_url(link) == link
