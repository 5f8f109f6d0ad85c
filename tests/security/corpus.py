"""The attack corpus: hostile text that members, admins, visitors ordering a portal and
operators can type into any field, grouped by what it tries to break.

`tests/security/test_attack_corpus.py` puts every payload into every user-editable text field and
reads every place the text comes out; this module also holds the checks it uses on what comes
out (`html_findings`, `css_findings`, `csv_findings`), so that each check can itself be tried
against a raw payload (a check that cannot fail is a defect).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser


@dataclass(frozen=True)
class Payload:
    id: str
    text: str
    kind: str  # "xss", "template", "csv", "header", "css"


XSS = [
    Payload("script", "<script>alert(1)</script>", "xss"),
    Payload("img-onerror", '"><img src=x onerror=alert(1)>', "xss"),
    Payload("js-url", "javascript:alert(1)", "xss"),
    Payload("title-svg", "</title><svg onload=alert(1)>", "xss"),
    Payload("attr-break", "' onmouseover='alert(1)' x='", "xss"),
    Payload("textarea-break", "</textarea><script>alert(1)</script>", "xss"),
]
TEMPLATE = [
    Payload("tpl-var", "{{ 7*7 }}", "template"),
    Payload("tpl-tag", "{% debug %}", "template"),
]
CSV = [
    Payload("csv-hyperlink", '=HYPERLINK("https://evil.example","Klick")', "csv"),
    Payload("csv-plus", "+cmd|' /C calc'!A0", "csv"),
    Payload("csv-minus", "-2+3", "csv"),
    Payload("csv-at", "@SUM(1)", "csv"),
    Payload("csv-tab", "\t=1+1", "csv"),
    Payload("csv-cr", "\r=1+1", "csv"),
]
HEADER = [
    Payload("header-crlf", "Name\r\nBcc: evil@example.com", "header"),
    Payload("header-lf", "Name\nSubject: gewonnen", "header"),
]
CSS = [
    Payload("css-break-out", "red;}</style><script>alert(1)</script>", "css"),
    Payload("css-expression", "expression(alert(1))", "css"),
    Payload("css-js-url", "url(javascript:alert(1))", "css"),
    Payload("css-import", '@import "https://evil.example/x.css";', "css"),
    Payload("css-escape", "\\3c/style\\3e\\3cscript\\3e", "css"),
]

ALL = XSS + TEMPLATE + CSV + HEADER + CSS
# What a text field of a page or a mail must show as it was typed (after the field's own
# trimming): everything but the multi-line header payloads, which single-line fields refuse.
READABLE = [p for p in ALL if "\n" not in p.text.strip() and "\r" not in p.text.strip()]


# --- checks on output ------------------------------------------------------------------------

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "data", "poster"}
DANGEROUS_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet", "template"}
_SCHEME_NOISE = re.compile(r"[\x00-\x20]+")


def _bad_url(value: str) -> bool:
    compact = _SCHEME_NOISE.sub("", unescape(value)).lower()
    return compact.startswith(("javascript:", "vbscript:", "data:text/html"))


class _Finder(HTMLParser):
    def __init__(self, own_script_prefixes: tuple[str, ...]):
        super().__init__(convert_charrefs=True)
        self.own = own_script_prefixes
        self.findings: list[str] = []
        self.texts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        found = self.findings.append
        attributes = dict(attrs)
        if tag == "script":
            self._in_script = True
            src = attributes.get("src") or ""
            if not src.startswith(self.own) and attributes.get("type") != "application/json":
                found(f"<script> not ours: {self.get_starttag_text()}")
        if tag in DANGEROUS_TAGS:
            found(f"<{tag}>: {self.get_starttag_text()}")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            found(f"meta refresh: {self.get_starttag_text()}")
        for name, value in attrs:
            if name.startswith("on"):
                found(f"event handler {name}= on <{tag}>: {self.get_starttag_text()}")
            if name in URL_ATTRIBUTES and value and _bad_url(value):
                found(f"{name}={value!r} on <{tag}>")
            if name == "style" and value and css_findings(value):
                found(f"style attribute {value!r} on <{tag}>: {css_findings(value)}")
        self.texts.extend(v for _, v in attrs if v)

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        self.texts.append(data)


def parse_html(html: str, *, own_scripts: tuple[str, ...] = ("/static/",)) -> tuple[list, str]:
    """(findings, text): elements or attributes no page of ours has (foreign scripts, event
    handlers, javascript: links, frames, ...), and the page's text and attribute values as a
    reader and a browser see them, entities decoded and whitespace collapsed."""
    finder = _Finder(own_scripts)
    finder.feed(html)
    finder.close()
    return finder.findings, " ".join(" ".join(finder.texts).split())


def html_findings(html: str) -> list[str]:
    return parse_html(html)[0]


_CSS_BAD = re.compile(
    r"</style|<script|expression\s*\(|javascript:|vbscript:|@import|-moz-binding|behavior\s*:",
    re.IGNORECASE,
)


def css_findings(css: str) -> list[str]:
    """What in a stylesheet could run code, load something from elsewhere or leave the
    stylesheet. CSS escapes are decoded first (`\\3c` is `<`), as a browser would."""
    decoded = re.sub(r"\\([0-9a-fA-F]{1,6})\s?", lambda m: chr(int(m.group(1), 16)), css)
    decoded = re.sub(r"\\(.)", r"\1", decoded)
    found = [m.group(0) for m in _CSS_BAD.finditer(decoded)]
    found += [
        f"url({u})"
        for u in re.findall(r"url\(\s*['\"]?([^'\")]*)", decoded, re.IGNORECASE)
        if not u.strip().startswith(("/static/", "/media/", "data:font/", "data:image/svg+xml"))
    ]
    return found


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_findings(rows: list[list[str]]) -> list[str]:
    """Cells a spreadsheet would run as a formula."""
    return [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]


def shown(payload: Payload) -> str:
    """The payload as a reader should see it in a page or a plain-text mail: trimmed, with its
    whitespace collapsed as `parse_html` collapses a page's."""
    return " ".join(payload.text.split())
