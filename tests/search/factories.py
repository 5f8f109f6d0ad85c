"""Content to search for, made directly in a portal's schema (the services have their own
tests), and switching modules by hand. Use inside `tenant_context(portal)`."""

from __future__ import annotations

import itertools

from accounts.models import Profile, Visibility
from comments.models import Comment
from discussions.models import Thread
from features.models import FeatureSwitch
from features.selectors import forget_portal_features

_numbers = itertools.count(1)


def thread_in(space, *, title: str | None = None, body: str = "Text", author, **fields) -> Thread:
    return Thread.objects.create(
        space=space, title=title or f"Thread {next(_numbers)}", body=body, author=author, **fields
    )


def comment_on(target, *, body: str, author, **fields) -> Comment:
    return Comment.objects.create(target=target, body=body, author=author, **fields)


def listed(member, *, place: str = "", place_visibility: str = Visibility.MEMBERS) -> Profile:
    """Put `member` in the member directory, with a place seen by `place_visibility`."""
    return Profile.objects.create(
        user=member, listed=True, place=place, visibility={"place": place_visibility}
    )


def set_feature(portal, key: str, enabled: bool) -> None:
    """Switch module `key` by writing the row directly (the service forgets the cache only on
    commit, which a test transaction never reaches)."""
    FeatureSwitch.objects.update_or_create(
        portal=portal, feature=key, defaults={"enabled": enabled}
    )
    forget_portal_features([portal.pk])
