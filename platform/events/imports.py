"""Calendars a space subscribes to: adding and removing the subscription, and importing its
events (events.tasks runs the import twice an hour and on the "import now" button).

An import fetches the calendar through core.outbound (size limit, one deadline, no private
addresses in production), reads it (events.ical) and only then, in one transaction, makes the
space's imported events what the calendar says: new UIDs are created, changed ones updated (a
change of time or place raises SEQUENCE), UIDs that vanished are deleted. Every imported event
passes events.services.validated like one a person makes; one that does not is skipped and
counted. A failure to fetch or read changes no event at all: the subscription records the
time and the message for the space's admins, and the next run tries again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.event_types import EventType
from core.outbound import OutboundError, fetch, validate_url
from core.services import audit_record
from events import ical, selectors, services
from events.models import CalendarSubscription, Event, EventCategory, EventStatus, Rsvp
from events.services import EventFields

logger = logging.getLogger(__name__)

MAX_SUBSCRIPTIONS = 5  # per space
MAX_BYTES = 5 * 1024 * 1024
FETCH_TIMEOUT = 20.0  # seconds for connecting and reading the whole calendar
MAX_EVENTS = 2000  # per calendar, after resolving modified instances
URL_LENGTH = CalendarSubscription._meta.get_field("url").max_length
ACCEPT = "text/calendar, application/ics;q=0.9, text/plain;q=0.5, */*;q=0.1"
AUDIT_LABEL = "calendar import"
_OUTCOME_FIELDS = [
    "last_run_at",
    "last_success_at",
    "last_error",
    "last_created",
    "last_updated",
    "last_removed",
]
_IMPORTED_FIELDS = (
    "title",
    "description",
    "starts_at",
    "ends_at",
    "all_day",
    "timezone",
    "rrule",
    "exdates",
    "series_ends_at",
    "place",
    "latitude",
    "longitude",
    "online_url",
    "category",
    "status",
)


@dataclass(frozen=True)
class ImportResult:
    """What one run did; `error` is the message shown to the space's admins, "" on success."""

    created: int = 0
    updated: int = 0
    removed: int = 0
    skipped: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def can_manage_subscriptions(*, user, space) -> bool:
    """The space's admins and the portal's moderators and admins, while events are on."""
    from spaces.selectors import is_portal_staff, is_space_admin

    if not selectors.can_create(user=user, space=None):
        return False
    return is_portal_staff(user) or is_space_admin(user=user, space=space)


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    # Calendar apps hand out webcal:// links for the same https:// address.
    if url.lower().startswith("webcals://"):
        url = "https://" + url[len("webcals://") :]
    elif url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    if not url:
        raise ValidationError({"url": _("Give the address of the calendar.")})
    if len(url) > URL_LENGTH:
        raise ValidationError({"url": _("At most %(limit)d characters.") % {"limit": URL_LENGTH}})
    if not url.lower().startswith(("https://", "http://")):
        raise ValidationError({"url": _("Give an address starting with https://.")})
    return url


def subscription_create(*, actor, space, url: str) -> CalendarSubscription:
    """Subscribe `space` to the iCal calendar at `url`. Raises PermissionDenied unless `actor`
    administers the space or the portal, and a ValidationError for an address that is not a
    web address, cannot be fetched from here, is subscribed already, or one too many."""
    if not can_manage_subscriptions(user=actor, space=space):
        raise PermissionDenied(_("Only the space's admins can subscribe it to calendars."))
    url = _clean_url(url)
    try:
        # Resolves the host once: a private address is refused before anything is saved.
        validate_url(url)
    except OutboundError as exc:
        raise ValidationError({"url": exc.message}) from None
    try:
        with transaction.atomic():
            # The space's row serialises two admins adding the fifth and sixth at once.
            type(space).objects.select_for_update().filter(pk=space.pk).first()
            existing = CalendarSubscription.objects.filter(space=space)
            if existing.filter(url=url).exists():
                raise ValidationError({"url": _("This space already subscribes to this calendar.")})
            if existing.count() >= MAX_SUBSCRIPTIONS:
                raise ValidationError(
                    ngettext(
                        "A space can subscribe to at most %(limit)d calendar.",
                        "A space can subscribe to at most %(limit)d calendars.",
                        MAX_SUBSCRIPTIONS,
                    )
                    % {"limit": MAX_SUBSCRIPTIONS}
                )
            subscription = CalendarSubscription.objects.create(
                space=space, url=url, created_by=actor
            )
            audit_record(
                event_type=EventType.EVENT_CALENDAR_SUBSCRIBED,
                actor=actor,
                obj=subscription,
                detail={"space": space.pk, "url": url},
            )
    except IntegrityError:
        raise ValidationError(
            {"url": _("This space already subscribes to this calendar.")}
        ) from None
    return subscription


@transaction.atomic
def subscription_delete(*, actor, subscription: CalendarSubscription) -> None:
    """End a subscription; the events imported from it go with it."""
    if not can_manage_subscriptions(user=actor, space=subscription.space):
        raise PermissionDenied(_("Only the space's admins can remove its calendars."))
    removed = subscription.events.count()
    audit_record(
        event_type=EventType.EVENT_CALENDAR_UNSUBSCRIBED,
        actor=actor,
        obj=subscription,
        detail={"space": subscription.space_id, "url": subscription.url, "events": removed},
    )
    subscription.delete()


def import_soon(*, subscription: CalendarSubscription) -> None:
    """Import `subscription` in the background once the current transaction commits (the
    "import now" after subscribing); the outcome appears on the subscription."""
    from tenants.celery import enqueue_on_commit

    enqueue_on_commit("events.tasks.import_subscription_now", subscription_id=subscription.pk)


def import_subscription(
    *,
    subscription: CalendarSubscription,
    timeout: float = FETCH_TIMEOUT,
    max_bytes: int = MAX_BYTES,
) -> ImportResult:
    """Fetch and import `subscription`'s calendar; the outcome is also stored on it.

    A fetch or read failure is returned (and stored) as `error`, with no event changed. Other
    exceptions (a bug, the database) are stored as a general message and raised."""
    try:
        result = _import(subscription, timeout=timeout, max_bytes=max_bytes)
    except ValidationError as exc:
        message = " ".join(exc.messages)
        logger.info("calendar import %s failed: %s", subscription.pk, message)
        _record(subscription, error=message)
        return ImportResult(error=message)
    except Exception:
        logger.exception("calendar import %s from %s failed", subscription.pk, subscription.url)
        _record(
            subscription,
            error=_("The import failed because of an error on our side; nothing was changed."),
        )
        raise
    return result


def _record(subscription: CalendarSubscription, *, error: str) -> None:
    # An update by pk: the subscription may have been removed while its calendar was fetched.
    now = timezone.now()
    CalendarSubscription.objects.filter(pk=subscription.pk).update(
        last_run_at=now, last_error=error
    )
    subscription.last_run_at, subscription.last_error = now, error


def _import(subscription: CalendarSubscription, *, timeout: float, max_bytes: int) -> ImportResult:
    # The network first, then the transaction: no lock is held while a server dawdles.
    got = fetch(
        subscription.url,
        max_bytes=max_bytes,
        timeout=timeout,
        accept=ACCEPT,
        purpose="calendar subscription",
    )
    parsed = ical.parse_calendar(got.body, default_tz=settings.TIME_ZONE)
    if len(parsed) > MAX_EVENTS:
        raise ValidationError(
            _(
                "The calendar has more than %(limit)s events; nothing was imported. Subscribe "
                "to a calendar with fewer events, for example only the coming ones."
            )
            % {"limit": MAX_EVENTS},
            code="too_many_events",
        )
    wanted, skipped = _validated(parsed)
    with transaction.atomic():
        locked = CalendarSubscription.objects.select_for_update().filter(pk=subscription.pk).first()
        if locked is None:
            return ImportResult(error=_("The subscription was removed during the import."))
        if not parsed and not parsed.unreadable_uids and locked.events.exists():
            # A calendar that had events and now answers with none is far more often a
            # server having a bad moment than an organisation cancelling everything at once;
            # removing all would also drop everyone's answers without a word.
            raise ValidationError(
                _(
                    "The calendar answered without any events; the imported events are kept. "
                    "If it really is empty now, unsubscribe to remove them."
                ),
                code="empty_calendar",
            )
        seen = {item.uid for item in parsed} | parsed.unreadable_uids
        created, updated, removed = _write(locked, wanted, seen=seen)
        now = timezone.now()
        locked.last_run_at = locked.last_success_at = now
        locked.last_error = ""
        locked.last_created, locked.last_updated, locked.last_removed = created, updated, removed
        locked.save(update_fields=_OUTCOME_FIELDS)
        if created or updated or removed:
            audit_record(
                event_type=EventType.EVENT_CALENDAR_IMPORTED,
                actor_label=AUDIT_LABEL,
                obj=locked,
                detail={
                    "created": created,
                    "updated": updated,
                    "removed": removed,
                    "skipped": skipped,
                },
            )
    for name in _OUTCOME_FIELDS:
        setattr(subscription, name, getattr(locked, name))
    return ImportResult(created=created, updated=updated, removed=removed, skipped=skipped)


def _validated(parsed: ical.ParsedCalendar) -> tuple[dict[str, dict], int]:
    """The model values of every importable event by UID, and how many were not importable."""
    # Read once; the service would look up the category of each of up to MAX_EVENTS events.
    categories = {c.name.casefold(): c for c in EventCategory.objects.all()}
    wanted: dict[str, dict] = {}
    skipped = parsed.skipped
    for item in parsed:
        category = next(
            (categories[n.casefold()] for n in item.categories if n.casefold() in categories),
            None,
        )
        try:
            values = services.validated(
                EventFields(
                    title=item.title,
                    description=item.description,
                    starts_at=item.starts_at,
                    ends_at=item.ends_at,
                    all_day=item.all_day,
                    timezone=item.timezone,
                    rrule=item.rrule,
                    exdates=item.exdates,
                    place=item.place,
                    latitude=item.latitude,
                    longitude=item.longitude,
                    online_url=item.online_url,
                )
            )
        except ValidationError as exc:
            logger.info("calendar import: %r skipped: %s", item.uid[:80], exc.messages)
            skipped += 1
            continue
        values["category"] = category
        values["status"] = item.status
        values["sequence"] = item.sequence
        wanted[item.uid] = values
    return wanted, skipped


def _write(
    subscription: CalendarSubscription, wanted: dict[str, dict], *, seen: set[str]
) -> tuple[int, int, int]:
    existing = {event.uid: event for event in subscription.events.all()}
    now = timezone.now()
    new_events, changed, moved_events = [], [], []
    for uid, values in wanted.items():
        remote_sequence = values.pop("sequence")
        event = existing.get(uid)
        if event is None:
            new_events.append(
                Event(
                    uid=uid,
                    space_id=subscription.space_id,
                    organiser=None,
                    source=subscription,
                    sequence=remote_sequence,
                    **values,
                )
            )
            continue
        differs = [name for name in _IMPORTED_FIELDS if _differs(event, name, values[name])]
        if not differs:
            continue
        # Moved or called off: calendars learn of it by SEQUENCE, people by a notification.
        moved = any(name in services.WHEN_AND_WHERE or name == "status" for name in differs)
        was_cancelled = event.is_cancelled
        for name in _IMPORTED_FIELDS:
            setattr(event, name, values[name])
        event.sequence = max(event.sequence + (1 if moved else 0), remote_sequence)
        if event.status == EventStatus.SCHEDULED:
            event.cancel_reason = ""
        event.updated_at = now
        changed.append(event)
        if moved and not was_cancelled:
            moved_events.append(event)
    Event.objects.bulk_create(new_events, batch_size=500)
    Event.objects.bulk_update(
        changed,
        [*_IMPORTED_FIELDS, "sequence", "cancel_reason", "updated_at"],
        batch_size=500,
    )
    _tell_about(moved_events)
    # Events that failed validation this time keep their last good version (they are in `seen`).
    gone = [event.pk for uid, event in existing.items() if uid not in seen]
    if gone:
        Event.objects.filter(pk__in=gone).delete()
    return len(new_events), len(changed), len(gone)


def _tell_about(events: list[Event]) -> None:
    """Tell those who answered an imported event that it moved or was called off, with the
    notices of our own events (events.services); only answered events cost queries."""
    answered = set(
        Rsvp.objects.filter(event__in=[e.pk for e in events]).values_list("event_id", flat=True)
    )
    for event in events:
        if event.pk in answered:
            (services.tell_cancelled if event.is_cancelled else services.tell_moved)(event)


def _differs(event: Event, name: str, new) -> bool:
    if name == "category":  # by id: no query for the category of every event
        return event.category_id != (new.pk if new is not None else None)
    current = getattr(event, name)
    if isinstance(current, list) or isinstance(new, list):
        return sorted(current or []) != sorted(new or [])
    return current != new
