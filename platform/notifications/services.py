"""Writes of notifications and follows. The interface other apps call:

- `notify(event_type=, actor=, target=, recipients=, title=, excerpt="", url=None)`: tell
  `recipients` that `event_type` happened to `target`. The actor is never notified of their
  own doing; a recipient who may not see `target` (core.visibility) gets nothing; the same
  recipient named twice gets one notification. Returns the notifications made. Delivery by
  mail follows each recipient's settings (after commit, in a task).
- `notify_followers(...)`: the same for everyone who follows `followed` (default: `target`).
- `follow(user=, target=)` / `unfollow(user=, target=)`: idempotent.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction

from core import visibility
from core.event_types import EventType
from notifications.models import Follow, Notification


def _visible_recipients(recipients: Iterable, target: models.Model, actor) -> list:
    seen: dict[int, object] = {}
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        if actor is not None and user.pk == actor.pk:
            continue
        seen[user.pk] = user
    if not seen:
        return []
    kind = visibility.kind_of(target)
    return [
        user for user in seen.values() if kind.selector(user=user).filter(pk=target.pk).exists()
    ]


def notify(
    *,
    event_type: EventType | str,
    actor,
    target: models.Model,
    recipients: Iterable,
    title: str,
    excerpt: str = "",
    url: str | None = None,
) -> list[Notification]:
    event_type = EventType(event_type)
    users = _visible_recipients(recipients, target, actor)
    if not users:
        return []
    target_type = ContentType.objects.get_for_model(target)
    made = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                event_type=event_type,
                actor=actor if actor is not None and actor.is_authenticated else None,
                target_type=target_type,
                target_id=target.pk,
                title=title[:200],
                excerpt=excerpt[:300],
                url=url or target.get_absolute_url(),
            )
            for user in users
        ]
    )
    from notifications import delivery

    delivery.deliver_on_commit([n.pk for n in made])
    return made


def followers_of(target: models.Model):
    from accounts.models import User

    target_type = ContentType.objects.get_for_model(target)
    return User.objects.filter(
        is_active=True,
        follows__target_type=target_type,
        follows__target_id=target.pk,
    )


def notify_followers(
    *,
    event_type: EventType | str,
    actor,
    target: models.Model,
    title: str,
    excerpt: str = "",
    url: str | None = None,
    followed: models.Model | None = None,
    also: Iterable = (),
) -> list[Notification]:
    recipients = list(followers_of(followed if followed is not None else target)) + list(also)
    return notify(
        event_type=event_type,
        actor=actor,
        target=target,
        recipients=recipients,
        title=title,
        excerpt=excerpt,
        url=url,
    )


def follow(*, user, target: models.Model) -> Follow:
    target_type = ContentType.objects.get_for_model(target)
    try:
        with transaction.atomic():
            follow, _created = Follow.objects.get_or_create(
                user=user, target_type=target_type, target_id=target.pk
            )
    except IntegrityError:  # the same follow at the same moment from another request
        follow = Follow.objects.get(user=user, target_type=target_type, target_id=target.pk)
    return follow


def unfollow(*, user, target: models.Model) -> None:
    target_type = ContentType.objects.get_for_model(target)
    Follow.objects.filter(user=user, target_type=target_type, target_id=target.pk).delete()


def is_following(*, user, target: models.Model) -> bool:
    if not user.is_authenticated:
        return False
    target_type = ContentType.objects.get_for_model(target)
    return Follow.objects.filter(user=user, target_type=target_type, target_id=target.pk).exists()
