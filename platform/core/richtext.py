"""Member-written text to safe HTML: light Markdown rendered, then sanitised with nh3.

Everything members write with formatting (space descriptions, threads, comments) is stored as
the source they typed and shown only through `render()`. The Markdown renderer is told to escape
raw HTML, and nh3 then keeps an allow-list of tags and attributes, so script, event handlers,
`javascript:` links and styles never reach a page whatever the renderer lets through. Links get
rel="nofollow ugc noopener" (search engines must not reward spam in member content) and open in
the same tab. `plain()` gives the text without markup for e-mails, feeds and snippets.

`render` never raises on odd input: unknown constructs become text. It is a pure function of
the source, so a process keeps the HTML of the last RENDERED_CACHE short sources (a page of
comments is mostly texts it has shown before), and each thread reuses one Markdown renderer
(setting one up costs more than rendering a comment).
"""

from __future__ import annotations

import functools
import re
import threading

import markdown
import nh3
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

MAX_SOURCE = 20_000

TAGS = frozenset(
    {"p", "br", "strong", "em", "b", "i", "a", "ul", "ol", "li", "blockquote", "code", "pre",
     "h3", "h4", "hr", "del"}
)  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})

# Members write "#" headings as big as the page title; they are shown a level below it.
_HEADING = re.compile(r"<(/?)h[12]>")


class _EscapeHtml(markdown.Extension):
    """Raw HTML in the source is shown as text, not interpreted (before nh3 even sees it)."""

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


# Sources up to this length are cached (a comment, a short description), this many of them:
# at most a few MB per process.
RENDERED_CACHE, CACHED_SOURCE = 4096, 2000
_local = threading.local()


def _markdown() -> markdown.Markdown:
    renderer = getattr(_local, "markdown", None)
    if renderer is None:
        renderer = _local.markdown = markdown.Markdown(
            extensions=[_EscapeHtml(), "sane_lists", "nl2br"]
        )
    return renderer


def render(source: str) -> SafeString:
    source = (source or "")[:MAX_SOURCE]
    if len(source) <= CACHED_SOURCE:
        return _render_cached(source)
    return _render(source)


@functools.lru_cache(maxsize=RENDERED_CACHE)
def _render_cached(source: str) -> SafeString:
    return _render(source)


def _render(source: str) -> SafeString:
    html = _markdown().reset().convert(source)
    html = _HEADING.sub(r"<\1h3>", html)
    clean = nh3.clean(
        html,
        tags=set(TAGS),
        attributes={k: set(v) for k, v in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="nofollow ugc noopener",
    )
    return mark_safe(clean)  # noqa: S308 - nh3 output


def plain(source: str, *, limit: int | None = None) -> str:
    """The text without markup (for mails, feeds, snippets); None limit keeps it whole."""
    text = strip_tags(str(render(source)))
    text = re.sub(r"\s+", " ", text).strip()
    from html import unescape

    text = unescape(text)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text
