"""Full-text search over everything registered in search.registry, as one user may find it.

`search(user=, query=, types=, limit=, cursor=)` parses the query with `websearch_to_tsquery`
in every configuration a type's column was built with (German and English, OR-ed, so that
"Radwege" finds "Radweg" and "cycling" finds "cycle"), matches it against the generated
`search` columns (GIN indexes), ranks with `ts_rank_cd` on their weighted vectors and merges
the per-type top rows by rank. Each type's rows come only from its `candidates(user)`, which
start from the registered visibility selector.

Snippets: `ts_headline` runs in SQL over the stored Markdown source (its plain text does not
exist in the database), between control-character markers that the source itself can never
contain (they are stripped from it first). In Python the light Markdown syntax is tidied away,
the whole text is escaped, and only then are the markers turned into <mark></mark>: nothing a
member wrote reaches a page unescaped.

Cost: per offered type one capped count (at most COUNT_CAP + 1 rows are counted, never a whole
table) and, per searched type, one query for its top rows plus the type's fixed prefetches;
the same number of queries however many rows match. Paging is a "more" link whose cursor is
an offset, limited to MAX_OFFSET. Bad input never raises: the result carries a `problem` to
show instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import F, Func, TextField, Value
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from search.registry import SearchType, search_types

MIN_LENGTH = 2
MAX_LENGTH = 100
COUNT_CAP = 100
MAX_OFFSET = 100  # five pages of twenty: past that, refine the query
MAX_LIMIT = 50

START, STOP = "\x02", "\x03"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_LINE_START = re.compile(r"(^|\n)[ \t]*(?:#{1,6}|>|[-*+]|\d+[.)])[ \t]+")
_MD_INLINE = re.compile(r"\*\*|__|~~|`+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Hit:
    type: SearchType
    title: str
    url: str
    snippet: SafeString
    space_name: str
    rank: float
    pk: int


@dataclass(frozen=True)
class TypeCount:
    type: SearchType
    count: int
    more: bool  # more than COUNT_CAP: shown as "100+"
    selected: bool


@dataclass(frozen=True)
class SearchResults:
    query: str
    problem: str = ""
    hits: list[Hit] = field(default_factory=list)
    counts: list[TypeCount] = field(default_factory=list)
    selected: tuple[str, ...] = ()
    next_cursor: str | None = None

    @property
    def searched(self) -> bool:
        return bool(self.query) and not self.problem


def clean_query(raw: str | None) -> tuple[str, str]:
    """The query as searched (control characters gone, spaces collapsed) and a problem to
    show, or "" when it can be searched. An empty query is no problem: there is nothing yet."""
    query = _SPACES.sub(" ", _CONTROL.sub("", raw or "")).strip()
    if not query:
        return "", ""
    if len(query) < MIN_LENGTH:
        return query, _("Enter at least %(min)d characters to search.") % {"min": MIN_LENGTH}
    if len(query) > MAX_LENGTH:
        return query, _("Enter at most %(max)d characters to search.") % {"max": MAX_LENGTH}
    return query, ""


def _may_search(user) -> bool:
    """Visitors of a members-only portal see nothing, so there is nothing for them to search."""
    if user is not None and user.is_authenticated:
        return True
    from accounts.selectors import membership_policy

    return not membership_policy().members_only


def offered_types(*, user) -> list[SearchType]:
    """The types `user` may search here (modules on, members-only rules); no query in steady
    state. Empty: the header form is not shown."""
    if not _may_search(user):
        return []
    return [t for t in search_types() if t.available(user)]


def _tsquery(query: str, configs: tuple[str, ...]) -> SearchQuery:
    combined = None
    for config in configs:
        part = SearchQuery(query, config=config, search_type="websearch")
        combined = part if combined is None else combined | part
    return combined


def _without_markers(field_name: str) -> Func:
    return Func(
        F(field_name),
        Value(START + STOP),
        Value(""),
        function="translate",
        output_field=TextField(),
    )


def _headlines(search_type: SearchType, tsquery: SearchQuery) -> dict:
    if not search_type.snippet_field:
        return {}
    source = _without_markers(search_type.snippet_field)
    return {
        f"headline_{config}": SearchHeadline(
            source,
            tsquery,
            config=config,
            start_sel=START,
            stop_sel=STOP,
            max_words=30,
            min_words=12,
            max_fragments=2,
            fragment_delimiter=" … ",
        )
        for config in search_type.configs
    }


def highlight(headline: str) -> SafeString:
    """A ts_headline result as safe HTML: Markdown syntax tidied away, everything escaped,
    then the markers (and only they) become <mark>."""
    text = _MD_LINK.sub(r"\1", headline or "")
    text = _MD_LINE_START.sub(r"\1", text)
    text = _MD_INLINE.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    if text.count(START) != text.count(STOP):
        text = text.replace(START, "").replace(STOP, "")
    html = escape(text).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped above; only our own <mark> added


def _snippet(search_type: SearchType, obj) -> SafeString:
    if search_type.extra_snippet is not None:
        return escape(search_type.extra_snippet(obj) or "")
    headlines = [getattr(obj, f"headline_{c}", "") or "" for c in search_type.configs]
    # Each configuration stems the text its own way; the one that found the words shows them.
    chosen = next((h for h in headlines if START in h), headlines[0] if headlines else "")
    return highlight(chosen)


def _hits(search_type: SearchType, *, user, tsquery, wanted: int) -> list[Hit]:
    rows = (
        search_type.candidates(user)
        .filter(search=tsquery)
        .annotate(
            rank=SearchRank(F("search"), tsquery, cover_density=True),
            **_headlines(search_type, tsquery),
        )
        .order_by("-rank", "-pk")[:wanted]
    )
    hits = []
    for obj in rows:
        if not search_type.present(obj):
            continue
        space = search_type.space(obj)
        hits.append(
            Hit(
                type=search_type,
                title=search_type.title(obj),
                url=search_type.url(obj),
                snippet=_snippet(search_type, obj),
                space_name=space.name if space is not None else "",
                rank=float(obj.rank),
                pk=obj.pk,
            )
        )
    return hits


def _offset(cursor) -> int:
    try:
        offset = int(cursor or 0)
    except (TypeError, ValueError):
        return 0
    return min(max(offset, 0), MAX_OFFSET)


def search(*, user, query: str, types=(), limit: int = 20, cursor=None) -> SearchResults:
    """What `user` finds for `query`: counts per offered type (as filter links) and one page of
    hits of the `types` asked for (all offered when none or none known), best first."""
    query, problem = clean_query(query)
    offered = offered_types(user=user)
    selected = tuple(t.key for t in offered if t.key in set(types or ()))
    if not query or problem:
        return SearchResults(query=query, problem=problem, selected=selected)
    limit = min(max(int(limit), 1), MAX_LIMIT)
    offset = _offset(cursor)
    counts, hits = [], []
    for search_type in offered:
        tsquery = _tsquery(query, search_type.configs)
        matching = search_type.candidates(user).filter(search=tsquery)
        count = matching.order_by()[: COUNT_CAP + 1].count()
        counts.append(
            TypeCount(
                type=search_type,
                count=min(count, COUNT_CAP),
                more=count > COUNT_CAP,
                selected=search_type.key in selected,
            )
        )
        if count and (not selected or search_type.key in selected):
            hits.extend(_hits(search_type, user=user, tsquery=tsquery, wanted=offset + limit + 1))
    hits.sort(key=lambda h: (-h.rank, h.type.order, -h.pk))
    page = hits[offset : offset + limit]
    more = len(hits) > offset + limit and offset + limit <= MAX_OFFSET
    return SearchResults(
        query=query,
        hits=page,
        counts=counts,
        selected=selected,
        next_cursor=str(offset + limit) if more else None,
    )
