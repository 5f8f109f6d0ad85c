"""The one way to ask "may this person see this thing?" for every kind of member content.

Each content model registers once (in its app's `visibility` module, imported by the app's
`ready()`): a `selector(user=...)` that returns the rows the user may see, which is the only
query any view, feed, search, API, export or notification may start from, and `space_of(obj)`,
the space the object lives in (or None), which moderation uses to find who may moderate it.

`visible(model, user)` and `can_see(user, obj)` answer through the registered selector, so
nothing can decide visibility a second time, differently. Asking about an unregistered model is
an ImproperlyConfigured: a module that forgot to register fails loudly instead of showing all.
Callers turn "not visible" into the same 404 as "missing".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import QuerySet

Selector = Callable[..., QuerySet]


@dataclass(frozen=True)
class ContentKind:
    model: type[models.Model]
    selector: Selector
    space_of: Callable[[models.Model], models.Model | None]
    feature: str  # the module the content belongs to: off means nothing of it is visible


_registry: dict[str, ContentKind] = {}


def register(
    model: type[models.Model],
    *,
    selector: Selector,
    space_of: Callable[[models.Model], models.Model | None],
    feature: str,
) -> None:
    label = model._meta.label_lower
    if label in _registry:
        raise ImproperlyConfigured(f"{label} registers its visibility twice.")
    _registry[label] = ContentKind(model, selector, space_of, feature)


def kind_of(model_or_obj) -> ContentKind:
    label = model_or_obj._meta.label_lower
    try:
        return _registry[label]
    except KeyError:
        raise ImproperlyConfigured(
            f"{label} has no visibility selector; register it in its app's visibility module."
        ) from None


def registered() -> dict[str, ContentKind]:
    return dict(_registry)


def visible(model: type[models.Model], user) -> QuerySet:
    """The rows of `model` that `user` may see (the registered selector)."""
    return kind_of(model).selector(user=user)


def can_see(user, obj: models.Model) -> bool:
    if obj is None or obj.pk is None:
        return False
    return visible(type(obj), user).filter(pk=obj.pk).exists()


def space_of(obj: models.Model):
    return kind_of(obj).space_of(obj)
