"""What can be commented on, and who may comment: the one list of comment targets.

An app whose content takes comments registers its model once, in its `visibility` module
(`register_target(Thread, key="thread", can_comment=..., space_lookup="space")`). The target
must also be registered with core.visibility: a comment is visible exactly when its target is.

- `key` names the target type in forms and the API (`target_type=thread`);
- `can_comment(user, obj)` says whether `user` may write on `obj` (seeing it is checked apart);
- `space_lookup` is the ORM path from the target to its space ("space"), or None for content
  outside spaces; it lets the comment selectors find hidden comments a space admin may see
  with one subquery instead of asking per object;
- `on_comment(comment)` runs inside the creating transaction (a thread's last activity).

Looking up an unregistered key is a LookupError, which views turn into the same 404 as a
missing target; registering a model or key twice is an ImproperlyConfigured.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import models


@dataclass(frozen=True)
class Target:
    model: type[models.Model]
    key: str
    can_comment: Callable[[object, models.Model], bool]
    space_lookup: str | None = None
    on_comment: Callable[[models.Model], None] | None = None


_by_key: dict[str, Target] = {}
_by_label: dict[str, Target] = {}


def register_target(
    model: type[models.Model],
    *,
    key: str,
    can_comment: Callable[[object, models.Model], bool],
    space_lookup: str | None = None,
    on_comment: Callable[[models.Model], None] | None = None,
) -> None:
    label = model._meta.label_lower
    if key in _by_key or label in _by_label:
        raise ImproperlyConfigured(f"{label} ({key}) is registered as a comment target twice.")
    target = Target(model, key, can_comment, space_lookup, on_comment)
    _by_key[key] = target
    _by_label[label] = target


def target_for_key(key: str) -> Target:
    try:
        return _by_key[key]
    except KeyError:
        raise LookupError(f"{key!r} is not a comment target.") from None


def target_of(model_or_obj) -> Target:
    try:
        return _by_label[model_or_obj._meta.label_lower]
    except KeyError:
        raise LookupError(f"{model_or_obj._meta.label_lower} is not a comment target.") from None


def targets() -> list[Target]:
    return list(_by_key.values())
