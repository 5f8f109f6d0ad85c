"""Writes of notifications and follows. The interface other apps call:

- `notify(event_type=, actor=, target=, recipients=, title=, excerpt="", url=None)`: tell
  `recipients` that `event_type` happened to `target`. The actor is never notified of their
  own doing; a recipient who may not see `target` (core.visibility) gets nothing; the same
  recipient named twice gets one notification. Returns the notifications made. Delivery by
  mail follows each recipient's settings (after commit, in a task).
- `notify_followers(...)`: the same for everyone who follows `followed` (default: `target`).
- `follow(user=, target=)` / `unfollow(user=, target=)`: idempotent.

And this app's own writes: marking read, delivery settings, unsubscribing. They raise
ValidationError for a delivery that is not one, and change only the acting member's rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Value
from django.utils import timezone
from django.utils.translation import gettext as _

from core import visibility
from core.event_types import EventType
from core.services import audit_record
from notifications.models import Delivery, Follow, Notification, NotificationSetting
from notifications.selectors import CONFIGURABLE_TYPES

# Recipients whose visibility one query checks (a UNION ALL of that many selector queries).
VISIBILITY_BATCH = 100


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
    users = list(seen.values())
    visible: set[int] = set()
    # One query per batch of recipients instead of one per recipient: each recipient's own
    # selector, narrowed to the target and tagged with their id, all in one UNION ALL.
    for start in range(0, len(users), VISIBILITY_BATCH):
        batch = users[start : start + VISIBILITY_BATCH]
        parts = [
            kind.selector(user=user)
            .filter(pk=target.pk)
            .order_by()
            .annotate(notified_user_pk=Value(user.pk, output_field=models.IntegerField()))
            .values_list("notified_user_pk", flat=True)
            for user in batch
        ]
        query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        visible.update(query)
    return [user for user in users if user.pk in visible]


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


def notification_mark_read(*, notification: Notification) -> Notification:
    """Mark one notification read (again: no change)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, user) -> int:
    """Mark all of the user's notifications read; returns how many were unread."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def _checked_delivery(value: str, field: str, *, blank: bool = False) -> str:
    if (blank and value == "") or value in Delivery.values:
        return value
    raise ValidationError({field: _("Choose one of the offered ways of delivery.")})


@transaction.atomic
def notification_settings_update(*, user, default: str, overrides: dict[str, str]) -> None:
    """Store how `user` wants notifications: `default` for every kind, and for the configurable
    kinds an override each ("" = as the default). Kinds not offered are refused."""
    default = _checked_delivery(default, "default")
    unknown = set(overrides) - {str(t) for t in CONFIGURABLE_TYPES}
    if unknown:
        raise ValidationError(
            _("These kinds of notification cannot be set: %(kinds)s")
            % {"kinds": ", ".join(sorted(unknown))}
        )
    cleaned = {
        event_type: _checked_delivery(value, event_type, blank=True)
        for event_type, value in overrides.items()
    }
    rows = {"": default} | {event_type: v for event_type, v in cleaned.items() if v}
    NotificationSetting.objects.filter(user=user).exclude(event_type__in=list(rows)).delete()
    for event_type, delivery in rows.items():
        NotificationSetting.objects.update_or_create(
            user=user, event_type=event_type, defaults={"delivery": delivery}
        )
    audit_record(
        event_type=EventType.NOTIFICATION_SETTINGS_CHANGED,
        actor=user,
        obj=user,
        detail={"default": default, "overrides": {k: v for k, v in cleaned.items() if v}},
    )


@transaction.atomic
def notifications_unsubscribe(*, user) -> None:
    """No more notification e-mails for `user` (the one-click link in every mail): delivery
    none for every kind. The notifications still show in the portal."""
    NotificationSetting.objects.filter(user=user).exclude(event_type="").delete()
    NotificationSetting.objects.update_or_create(
        user=user, event_type="", defaults={"delivery": Delivery.NONE}
    )
    audit_record(event_type=EventType.NOTIFICATIONS_UNSUBSCRIBED, actor=user, obj=user)
