"""Writing events: creating, changing, rescheduling and cancelling them, RSVPs with a waiting
list, members' feed addresses and the portal's categories.

Every function is keyword-only and takes the acting member; permission and input are checked
here, never in a view. Bad input is a ValidationError per field and nothing is saved. An RSVP
locks its event's row, so concurrent answers are counted one after another and a full event
cannot be overbooked; the database keeps one RSVP per member (`event_rsvp_once`). Changing
when or where an event happens, and cancelling it, raise its iCal SEQUENCE and notify everyone
who answered.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.event_types import EventType
from core.geo import clean_coordinates
from core.services import audit_record
from events import recurrence, selectors
from events.models import (
    Event,
    EventCategory,
    EventStatus,
    FeedToken,
    Rsvp,
    RsvpStatus,
    TargetGroup,
    new_feed_token,
)

MAX_CAPACITY = 100_000
MAX_DURATION = datetime.timedelta(days=366)
# Fields whose change means the event moved: everyone who answered is told.
WHEN_AND_WHERE = ("starts_at", "ends_at", "all_day", "rrule", "exdates", "place", "online_url")


@dataclass
class EventFields:
    """What a person, the API or an import says about an event, before checking."""

    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    description: str = ""
    all_day: bool = False
    timezone: str = ""  # blank: the portal's (settings.TIME_ZONE)
    rrule: str = ""
    exdates: list[datetime.datetime] = field(default_factory=list)
    place: str = ""
    district: str = ""
    latitude: Decimal | float | str | None = None
    longitude: Decimal | float | str | None = None
    online_url: str = ""
    category_id: int | None = None
    topic_id: int | None = None
    target_group: str = TargetGroup.EVERYONE
    capacity: int | None = None


def validated(fields: EventFields) -> dict:
    """The model values for `fields`, or a ValidationError naming every bad field at once."""
    errors: dict[str, str] = {}
    title = (fields.title or "").strip()
    if not title:
        errors["title"] = _("Give the event a title.")
    elif len(title) > 200:
        errors["title"] = _("At most %(limit)d characters.") % {"limit": 200}
    if len(fields.description or "") > 10_000:
        errors["description"] = _("At most %(limit)d characters.") % {"limit": 10_000}
    try:
        tz = recurrence.zone(fields.timezone or settings.TIME_ZONE)
    except ValidationError as exc:
        errors["timezone"] = exc.messages[0]
        tz = None
    starts_at, ends_at = fields.starts_at, fields.ends_at
    if starts_at is None:
        errors["starts_at"] = _("Give a start.")
    if ends_at is None:
        errors["ends_at"] = _("Give an end.")
    if starts_at is not None and ends_at is not None and tz is not None:
        if timezone.is_naive(starts_at):
            starts_at = starts_at.replace(tzinfo=tz)
        if timezone.is_naive(ends_at):
            ends_at = ends_at.replace(tzinfo=tz)
        if fields.all_day:
            first = starts_at.astimezone(tz).date()
            last = ends_at.astimezone(tz).date()
            starts_at = datetime.datetime.combine(first, datetime.time(), tz)
            # Exclusive end: midnight after the last day (or the day itself when it is given
            # as an exclusive midnight already, as iCal does).
            end_day = (
                last
                if ends_at.astimezone(tz).time() == datetime.time() and last > first
                else last + datetime.timedelta(days=1)
            )
            ends_at = datetime.datetime.combine(end_day, datetime.time(), tz)
        if ends_at < starts_at:
            errors["ends_at"] = _("The event ends before it starts.")
        elif ends_at - starts_at > MAX_DURATION:
            errors["ends_at"] = _("An event lasts at most a year; use a repetition instead.")
    rule = (fields.rrule or "").strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[6:]
    series_ends_at = ends_at
    if rule and "starts_at" not in errors and "ends_at" not in errors and tz is not None:
        try:
            series_ends_at = recurrence.series_end(
                starts_at=starts_at, ends_at=ends_at, rule=rule, tz_name=str(tz.key)
            )
        except ValidationError as exc:
            errors["rrule"] = exc.messages[0]
    if len(rule) > 500:
        errors["rrule"] = _("At most %(limit)d characters.") % {"limit": 500}
    latitude, longitude = clean_coordinates(fields.latitude, fields.longitude, errors)
    online_url = (fields.online_url or "").strip()
    if online_url and not online_url.lower().startswith(("https://", "http://")):
        errors["online_url"] = _("Give an address starting with https://.")
    capacity = fields.capacity
    if capacity is not None and not 1 <= int(capacity) <= MAX_CAPACITY:
        errors["capacity"] = _("Between 1 and %(max)s places, or leave it empty.") % {
            "max": f"{MAX_CAPACITY:,}"
        }
    if fields.target_group not in TargetGroup.values:
        errors["target_group"] = _("Choose a target group from the list.")
    category = None
    if fields.category_id:
        category = EventCategory.objects.filter(pk=fields.category_id).first()
        if category is None:
            errors["category"] = _("Choose a category from the list.")
    topic = None
    if fields.topic_id:
        from accounts.models import Topic

        topic = Topic.objects.filter(pk=fields.topic_id).first()
        if topic is None:
            errors["topic"] = _("Choose a topic from the list.")
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "description": fields.description or "",
        "starts_at": starts_at,
        "ends_at": ends_at,
        "all_day": bool(fields.all_day),
        "timezone": str(tz.key),
        "rrule": rule,
        "exdates": [
            moment if timezone.is_aware(moment) else moment.replace(tzinfo=tz)
            for moment in fields.exdates
        ],
        "series_ends_at": series_ends_at,
        "place": (fields.place or "").strip()[:200],
        "district": (fields.district or "").strip()[:120],
        "latitude": latitude,
        "longitude": longitude,
        "online_url": online_url,
        "capacity": capacity,
        "category": category,
        "topic": topic,
        "target_group": fields.target_group,
    }


@transaction.atomic
def event_create(*, actor, fields: EventFields, space=None) -> Event:
    """A new event by `actor`, portal-wide or in `space`."""
    if not selectors.can_create(user=actor, space=space):
        raise PermissionDenied(_("Only active members can create events here."))
    values = validated(fields)
    event = Event.objects.create(space=space, organiser=actor, **values)
    audit_record(event_type=EventType.EVENT_CREATED, actor=actor, obj=event)
    return event


def _audience(event: Event, *, actor=None):
    return [rsvp.user for rsvp in event.rsvps.select_related("user") if rsvp.user != actor]


def _tell(event: Event, *, actor, event_type: EventType, title: str, excerpt: str = "") -> None:
    from notifications.services import notify

    notify(
        event_type=event_type,
        actor=actor,
        target=event,
        recipients=_audience(event, actor=actor),
        title=title,
        excerpt=excerpt,
    )


def tell_moved(event: Event, *, actor=None) -> None:
    """Tell everyone who answered (but `actor`) that `event` moved in time or place."""
    when = timezone.localtime(event.starts_at, recurrence.zone(event.timezone))
    _tell(
        event,
        actor=actor,
        event_type=EventType.EVENT_RESCHEDULED,
        title=_("“%(title)s” has moved") % {"title": event.title},
        excerpt=_("Now on %(when)s") % {"when": when.strftime("%d.%m.%Y %H:%M")},
    )


def tell_cancelled(event: Event, *, actor=None) -> None:
    """Tell everyone who answered (but `actor`) that `event` is called off, and why."""
    _tell(
        event,
        actor=actor,
        event_type=EventType.EVENT_CANCELLED,
        title=_("“%(title)s” is cancelled") % {"title": event.title},
        excerpt=event.cancel_reason,
    )


@transaction.atomic
def event_update(*, actor, event: Event, fields: EventFields) -> Event:
    """Change an event. Moving it in time or place counts as a reschedule: SEQUENCE goes up
    and everyone who answered is told."""
    if not selectors.can_manage(user=actor, event=event):
        raise PermissionDenied(_("Only the organiser and the space's admins can change it."))
    values = validated(fields)
    event = Event.objects.select_for_update().get(pk=event.pk)
    moved = any(getattr(event, name) != values[name] for name in WHEN_AND_WHERE)
    if not any(getattr(event, name) != value for name, value in values.items()):
        return event
    for name, value in values.items():
        setattr(event, name, value)
    event.sequence += 1
    event.save()
    if moved and not event.is_cancelled:
        audit_record(event_type=EventType.EVENT_RESCHEDULED, actor=actor, obj=event)
        tell_moved(event, actor=actor)
    else:
        audit_record(event_type=EventType.EVENT_EDITED, actor=actor, obj=event)
    return event


@transaction.atomic
def event_cancel(*, actor, event: Event, reason: str = "") -> Event:
    """Cancel an event (it stays, marked cancelled, so calendars learn of it)."""
    if not selectors.can_manage(user=actor, event=event):
        raise PermissionDenied(_("Only the organiser and the space's admins can cancel it."))
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise ValidationError({"reason": _("At most %(limit)d characters.") % {"limit": 500}})
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.is_cancelled:
        return event
    event.status = EventStatus.CANCELLED
    event.cancel_reason = reason
    event.sequence += 1
    event.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
    audit_record(event_type=EventType.EVENT_CANCELLED, actor=actor, obj=event)
    tell_cancelled(event, actor=actor)
    return event


def _may_answer(user, event: Event) -> None:
    if not (user is not None and user.is_authenticated and user.is_active):
        raise PermissionDenied(_("Log in to answer."))
    if not selectors.events_visible_to(user=user).filter(pk=event.pk).exists():
        raise PermissionDenied(_("This event is not open to you."))
    if event.is_cancelled:
        raise ValidationError(_("This event is cancelled."))
    if selectors.is_over(event):
        raise ValidationError(_("This event is over."))


def rsvp_set(*, user, event: Event, status: str) -> Rsvp:
    """Answer going or maybe. "Going" to a full event takes a place on the waiting list."""
    if status not in (RsvpStatus.GOING, RsvpStatus.MAYBE):
        raise ValidationError({"status": _("Answer “going” or “maybe”.")})
    _may_answer(user, event)
    try:
        with transaction.atomic():
            locked = Event.objects.select_for_update().get(pk=event.pk)
            rsvp = Rsvp.objects.filter(event=locked, user=user).first()
            if rsvp is not None and (
                rsvp.status == status
                or (rsvp.status == RsvpStatus.WAITING and status == RsvpStatus.GOING)
            ):
                return rsvp
            was_going = rsvp is not None and rsvp.status == RsvpStatus.GOING
            wanted = status
            if status == RsvpStatus.GOING and locked.capacity is not None:
                going = locked.rsvps.filter(status=RsvpStatus.GOING).count()
                if going >= locked.capacity:
                    wanted = RsvpStatus.WAITING
            if rsvp is None:
                rsvp = Rsvp.objects.create(event=locked, user=user, status=wanted)
            else:
                rsvp.status = wanted
                rsvp.save(update_fields=["status", "updated_at"])
            if was_going:
                _move_up(locked)
            audit_record(
                event_type=EventType.EVENT_RSVP_SET,
                actor=user,
                obj=locked,
                detail={"status": wanted},
            )
    except IntegrityError:
        # A concurrent answer of the same member won the insert: theirs is the one RSVP.
        return Rsvp.objects.get(event=event, user=user)
    return rsvp


def _move_up(event: Event) -> Rsvp | None:
    """Give a freed place to the longest waiting; call with the event row locked."""
    if event.capacity is None:
        return None
    going = event.rsvps.filter(status=RsvpStatus.GOING).count()
    if going >= event.capacity:
        return None
    waiting = event.rsvps.filter(status=RsvpStatus.WAITING).order_by("created_at", "pk").first()
    if waiting is None:
        return None
    waiting.status = RsvpStatus.GOING
    waiting.save(update_fields=["status", "updated_at"])
    from notifications.services import notify

    notify(
        event_type=EventType.EVENT_RSVP_MOVED_UP,
        actor=None,
        target=event,
        recipients=[waiting.user],
        title=_("A place at “%(title)s” is yours") % {"title": event.title},
    )
    return waiting


@transaction.atomic
def rsvp_withdraw(*, user, event: Event) -> None:
    """Take one's answer back; a freed place goes to the waiting list."""
    locked = Event.objects.select_for_update().get(pk=event.pk)
    rsvp = Rsvp.objects.filter(event=locked, user=user).first()
    if rsvp is None:
        return
    was_going = rsvp.status == RsvpStatus.GOING
    rsvp.delete()
    audit_record(event_type=EventType.EVENT_RSVP_WITHDRAWN, actor=user, obj=locked)
    if was_going and not locked.is_cancelled:
        _move_up(locked)


def feed_token_get_or_create(*, user) -> FeedToken:
    if not (user is not None and user.is_authenticated and user.is_active):
        raise PermissionDenied(_("Log in to get your calendar address."))
    token, _created = FeedToken.objects.get_or_create(user=user)
    return token


@transaction.atomic
def feed_token_rotate(*, user) -> FeedToken:
    """A new secret address; the old one stops working at once."""
    token = feed_token_get_or_create(user=user)
    token.token = new_feed_token()
    token.created_at = timezone.now()
    token.save(update_fields=["token", "created_at"])
    audit_record(event_type=EventType.EVENT_FEED_TOKEN_ROTATED, actor=user, obj=token)
    return token


def _require_staff(actor) -> None:
    from spaces.selectors import is_portal_staff

    if not is_portal_staff(actor):
        raise PermissionDenied(_("Only the portal's moderators and admins can do this."))


@transaction.atomic
def category_save(*, actor, name: str, category: EventCategory | None = None) -> EventCategory:
    _require_staff(actor)
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise ValidationError({"name": _("Give a name of at most 80 characters.")})
    clash = EventCategory.objects.filter(name__iexact=name)
    if category is not None:
        clash = clash.exclude(pk=category.pk)
    if clash.exists():
        raise ValidationError({"name": _("There is a category of that name already.")})
    if category is None:
        base = slugify(name)[:70] or "category"
        slug, n = base, 2
        while EventCategory.objects.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        category = EventCategory.objects.create(name=name, slug=slug)
    else:
        category.name = name
        category.save(update_fields=["name"])
    audit_record(event_type=EventType.EVENT_CATEGORY_SAVED, actor=actor, obj=category)
    return category


def send_reminders(
    *, now: datetime.datetime | None = None, ahead=datetime.timedelta(hours=24)
) -> int:
    """Remind everyone going or maybe of an occurrence starting within `ahead`, once each."""
    from notifications.services import notify

    now = now or timezone.now()
    events = (
        selectors.in_range(
            Event.objects.filter(status=EventStatus.SCHEDULED, hidden_at__isnull=True),
            start=now,
            end=now + ahead,
        )
        .filter(rsvps__status__in=(RsvpStatus.GOING, RsvpStatus.MAYBE))
        .distinct()
    )
    sent = 0
    for event in events:
        occurrence = next(
            (
                o
                for o in recurrence.occurrences_of(event, start=now, end=now + ahead, cap=5)
                if o.start >= now
            ),
            None,
        )
        if occurrence is None:
            continue
        with transaction.atomic():
            due = list(
                Rsvp.objects.select_for_update()
                .filter(event=event, status__in=(RsvpStatus.GOING, RsvpStatus.MAYBE))
                .exclude(reminded_for=occurrence.start)
                .select_related("user")
            )
            if not due:
                continue
            when = occurrence.start.astimezone(recurrence.zone(event.timezone))
            notify(
                event_type=EventType.EVENT_REMINDER,
                actor=None,
                target=event,
                recipients=[rsvp.user for rsvp in due],
                title=_("Reminder: “%(title)s”") % {"title": event.title},
                excerpt=when.strftime("%d.%m.%Y %H:%M"),
            )
            Rsvp.objects.filter(pk__in=[rsvp.pk for rsvp in due]).update(
                reminded_for=occurrence.start
            )
            sent += len(due)
    return sent
