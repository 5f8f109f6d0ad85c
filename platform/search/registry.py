"""What search can find: one entry per kind of result, registered once.

An entry names its model (which must have a generated `search` tsvector column with a GIN
index), the rows a user may find (`candidates(user)`, which starts from the kind's registered
visibility selector and only ever narrows it), whether the kind is offered to that user at all
(`available(user)`: its module is on, members only, …; cheap, no query in steady state), and
how a row becomes a hit (title, link, space, snippet source). Ideas and events register here
when they land (`search.types` holds the built-in kinds and shows how).

Registering a key twice is an ImproperlyConfigured, so two apps cannot silently shadow each
other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import QuerySet

GERMAN_AND_ENGLISH = ("german", "english")


@dataclass(frozen=True)
class SearchType:
    key: str  # the value of ?type= and of the filter links
    label: str  # one hit's type, shown on it ("Space")
    plural: str  # the filter link ("Spaces")
    model: type[models.Model]
    candidates: Callable[..., QuerySet]  # candidates(user) -> findable rows
    available: Callable[..., bool]  # available(user) -> offered at all
    title: Callable[[models.Model], str]
    url: Callable[[models.Model], str]
    space: Callable[[models.Model], models.Model | None] = lambda obj: None
    # The text column ts_headline runs over (stored Markdown source), or None for no snippet;
    # `extra_snippet(obj)` gives a plain-text snippet instead (a member's place).
    snippet_field: str | None = None
    extra_snippet: Callable[[models.Model], str] | None = None
    # The text search configurations the model's `search` column was built with.
    configs: tuple[str, ...] = GERMAN_AND_ENGLISH
    # False for a row that cannot be shown after all (a comment whose target just vanished).
    present: Callable[[models.Model], bool] = lambda obj: True
    order: int = 100  # filter link position, and tie-break between equal ranks


_registry: dict[str, SearchType] = {}


def while_module_on(feature: str) -> Callable[..., bool]:
    """`available` for a type that is offered while its module is switched on."""

    def available(user) -> bool:
        from features.selectors import enabled_here

        return enabled_here(feature)

    return available


def register(search_type: SearchType) -> None:
    if search_type.key in _registry:
        raise ImproperlyConfigured(f"Search type {search_type.key!r} is registered twice.")
    _registry[search_type.key] = search_type


def search_types() -> list[SearchType]:
    return sorted(_registry.values(), key=lambda t: (t.order, t.key))


def search_type(key: str) -> SearchType | None:
    return _registry.get(key)
