"""Reads of notifications and delivery settings.

Notifications are private to their recipient: every read here starts from
`notifications_of(user=...)`, so another member's notification is the same 404 as a missing one.
Nothing here fails for a visitor; they simply have no notifications.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.event_types import EventType
from notifications.models import Delivery, Notification, NotificationSetting

# The kinds a member may set one by one, in the order the settings page shows them. Other
# kinds (rare, or about administration) follow the member's default.
CONFIGURABLE_TYPES: tuple[EventType, ...] = (
    EventType.THREAD_CREATED,
    EventType.COMMENT_CREATED,
    EventType.COMMENT_REPLIED,
    EventType.MEMBER_MENTIONED,
    EventType.SPACE_JOIN_REQUESTED,
    EventType.SPACE_JOIN_APPROVED,
    EventType.SPACE_INVITED,
    EventType.DOCUMENT_UPLOADED,
    EventType.REPORT_RESOLVED,
    EventType.MEMBER_WARNED,
    EventType.PROPOSAL_SUBMITTED,
    EventType.PROPOSAL_STATUS_CHANGED,
    EventType.EVENT_RESCHEDULED,
    EventType.EVENT_CANCELLED,
    EventType.EVENT_RSVP_MOVED_UP,
    EventType.EVENT_REMINDER,
)
# Until a member saves their settings: what is addressed to them personally comes at once,
# everything else in the daily digest. Once saved, the stored rows are the whole answer.
DEFAULT_DELIVERY = Delivery.DAILY
BUILT_IN_OVERRIDES: dict[str, str] = {
    EventType.MEMBER_MENTIONED: Delivery.IMMEDIATE,
    EventType.COMMENT_REPLIED: Delivery.IMMEDIATE,
    # A date that moved, fell through or comes tomorrow is no news for tomorrow's digest.
    EventType.EVENT_RESCHEDULED: Delivery.IMMEDIATE,
    EventType.EVENT_CANCELLED: Delivery.IMMEDIATE,
    EventType.EVENT_RSVP_MOVED_UP: Delivery.IMMEDIATE,
    EventType.EVENT_REMINDER: Delivery.IMMEDIATE,
}
PAGE_SIZE = 25
UNREAD_SHOWN_UP_TO = 99


def notifications_of(*, user) -> QuerySet[Notification]:
    """The user's own notifications, newest first; none for a visitor."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(*, user) -> int:
    """How many unread notifications the user has, counted up to UNREAD_SHOWN_UP_TO + 1 (the
    bell says "99+" beyond): one query, bounded whatever the backlog."""
    unread = notifications_of(user=user).filter(read_at__isnull=True)
    return unread.order_by()[: UNREAD_SHOWN_UP_TO + 1].count()


@dataclass(frozen=True)
class Page:
    items: list[Notification]
    next_cursor: str | None


def encode_cursor(notification: Notification) -> str:
    stamp = int(notification.created_at.timestamp() * 1_000_000)
    return f"{stamp}-{notification.pk}"


def _decode_cursor(cursor: str) -> tuple[datetime.datetime, int] | None:
    try:
        stamp, pk = (int(part) for part in cursor.split("-", 1))
        moment = datetime.datetime.fromtimestamp(stamp / 1_000_000, tz=datetime.UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return moment, pk


def notification_page(*, user, cursor: str = "", size: int = PAGE_SIZE) -> Page | None:
    """One page of the user's notifications after `cursor` (keyset over created_at and id,
    never OFFSET: page 1,000 costs what page 1 costs). None for a cursor that is not one."""
    rows = notifications_of(user=user)
    if cursor:
        decoded = _decode_cursor(cursor)
        if decoded is None:
            return None
        moment, pk = decoded
        # Microseconds survive the round trip exactly: the cursor row itself is excluded.
        rows = rows.filter(Q(created_at__lt=moment) | Q(created_at=moment, pk__lt=pk))
    items = list(rows[: size + 1])
    more = len(items) > size
    items = items[:size]
    return Page(items=items, next_cursor=encode_cursor(items[-1]) if more else None)


def stored_settings(*, user_ids) -> dict[int, dict[str, str]]:
    """Each user's stored rows ({event_type or "": delivery}), in one query."""
    found: dict[int, dict[str, str]] = {}
    rows = NotificationSetting.objects.filter(user_id__in=list(user_ids)).values_list(
        "user_id", "event_type", "delivery"
    )
    for user_id, event_type, delivery in rows:
        found.setdefault(user_id, {})[event_type] = delivery
    return found


def effective_delivery(stored: dict[str, str], event_type: str) -> str:
    """How a notification of `event_type` reaches a member whose stored rows are `stored`."""
    if event_type in stored:
        return stored[event_type]
    if "" in stored:
        return stored[""]
    return BUILT_IN_OVERRIDES.get(event_type, DEFAULT_DELIVERY)


def delivery_of(*, user, event_type: str) -> str:
    return effective_delivery(stored_settings(user_ids=[user.pk]).get(user.pk, {}), event_type)


@dataclass(frozen=True)
class SettingsView:
    default: str
    overrides: dict[str, str]  # configurable type -> delivery, "" = as the default


def settings_of(*, user) -> SettingsView:
    """The settings page's current values: built-in ones for a member who never saved."""
    stored = stored_settings(user_ids=[user.pk]).get(user.pk, {})
    if "" not in stored:
        return SettingsView(
            default=DEFAULT_DELIVERY,
            overrides={str(t): BUILT_IN_OVERRIDES.get(t, "") for t in CONFIGURABLE_TYPES},
        )
    return SettingsView(
        default=stored[""],
        overrides={str(t): stored.get(t, "") for t in CONFIGURABLE_TYPES},
    )


def digest_window_start(now: datetime.datetime | None = None) -> datetime.datetime:
    """Notifications older than this are no longer mailed in a digest (they stay in the
    list): two weeks covers a weekly digest and a missed run without rescanning forever the
    backlog of members who take no mail."""
    return (now or timezone.now()) - datetime.timedelta(days=14)
