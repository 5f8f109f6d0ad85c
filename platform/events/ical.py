"""iCalendar (RFC 5545) for events: writing the feeds calendar apps subscribe to, and reading the
calendars that spaces subscribe to (events.imports).

`calendar_bytes` writes one VCALENDAR: every event in the wall-clock time of its own zone
(DTSTART;TZID=…), with one VTIMEZONE per zone built from zoneinfo's real transitions for the
years the events span, so that an app without a time-zone database still keeps a weekly 19:00
at 19:00 across the change to winter time. It never fails on a stored event; a rule that
icalendar cannot read is left out rather than breaking the whole feed.

`parse_calendar` reads what someone else's server sent. Anything that is not iCal at all is a
ValidationError with code "not_ical" and a message for the space's admins; inside a calendar it
is lenient: a VEVENT without UID or start is skipped and counted, over-long texts are cut to
what the model holds, unreadable optional properties are dropped. Whether an event is valid
(ends before it starts, a rule repeating every minute) is decided by events.services.validated,
as for events people make.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import html
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from events import recurrence
from events.models import Event, EventStatus

logger = logging.getLogger(__name__)

PRODID = "-//Allmende//Events//EN"
_UTC_NAMES = {"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Z"}
# Field limits of the model, so that an import cuts instead of failing on the database.
UID_LENGTH = Event._meta.get_field("uid").max_length
TITLE_LENGTH = Event._meta.get_field("title").max_length
DESCRIPTION_LENGTH = Event._meta.get_field("description").max_length
PLACE_LENGTH = Event._meta.get_field("place").max_length
URL_LENGTH = Event._meta.get_field("online_url").max_length
MAX_EXDATES = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e]")
_BLOCK_END = re.compile(r"</(p|h\d|li|pre|blockquote)>|<br\s*/?>", re.IGNORECASE)


# Writing -----------------------------------------------------------------------------------


def calendar_bytes(
    *,
    events: Iterable[Event],
    name: str,
    url_for: Callable[[Event], str] | None = None,
    description: str = "",
) -> bytes:
    """The VCALENDAR of `events` called `name`; `url_for(event)` gives each event's page
    (else its online link). Pass events with `category` selected, or each costs a query.

    One VEVENT per UID: two spaces importing the same outside calendar hold copies of the same
    events, and to a calendar app one UID is one event (the first, in `events`' order, is
    written)."""
    unique: dict[str, Event] = {}
    for event in events:
        unique.setdefault(event.uid, event)
    events = list(unique.values())
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _one_line(name))
    if description:
        calendar.add("x-wr-caldesc", _one_line(description))
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for zone_name, (first, last) in sorted(_zone_spans(events).items()):
        calendar.add_component(vtimezone(zone_name, first_year=first, last_year=last))
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    for event in events:
        calendar.add_component(_vevent(event, stamp=stamp, url_for=url_for))
    return calendar.to_ical()


def _tz_of(event: Event) -> ZoneInfo:
    try:
        return recurrence.zone(event.timezone)
    except ValidationError:
        # A zone that left the tz database since: the portal's own, rather than no feed.
        return ZoneInfo(settings.TIME_ZONE)


def _is_utc(tz: ZoneInfo) -> bool:
    return tz.key in _UTC_NAMES


def _zone_spans(events: list[Event]) -> dict[str, tuple[int, int]]:
    """For each zone used by a timed event, the first and last year its events touch; a series
    without end reaches as far as feeds do (recurrence.FEED_FUTURE)."""
    horizon = timezone.now() + recurrence.FEED_FUTURE
    spans: dict[str, tuple[int, int]] = {}
    for event in events:
        tz = _tz_of(event)
        if event.all_day or _is_utc(tz):
            continue
        last = event.series_ends_at if event.rrule else event.ends_at
        if last is None or last > horizon:
            last = max(horizon, event.ends_at)
        first_year = event.starts_at.astimezone(tz).year
        last_year = last.astimezone(tz).year
        known = spans.get(tz.key)
        if known is not None:
            first_year, last_year = min(first_year, known[0]), max(last_year, known[1])
        spans[tz.key] = (first_year, last_year)
    return spans


@functools.lru_cache(maxsize=64)
def _vtimezone_lines(zone_name: str, first_year: int, last_year: int) -> bytes:
    tz = ZoneInfo(zone_name)
    # From the day before New Year, so an event just after midnight local time is covered.
    start = datetime.datetime(first_year - 1, 12, 31, tzinfo=datetime.UTC)
    end = datetime.datetime(min(last_year, first_year + 50) + 1, 1, 1, tzinfo=datetime.UTC)
    component = icalendar.Timezone()
    component.add("tzid", zone_name)
    # The offset in force at the start, then one sub-component per kind of change with its
    # first onset as DTSTART and the later ones as RDATE.
    initial = start.astimezone(tz)
    first = icalendar.TimezoneDaylight() if initial.dst() else icalendar.TimezoneStandard()
    first.add("dtstart", initial.replace(tzinfo=None))
    first.add("tzname", initial.tzname() or zone_name)
    first.add("tzoffsetfrom", initial.utcoffset())
    first.add("tzoffsetto", initial.utcoffset())
    component.add_component(first)
    groups: dict[tuple, list[datetime.datetime]] = {}
    for instant, offset_before in _transitions(tz, start, end):
        after = instant.astimezone(tz)
        key = (bool(after.dst()), offset_before, after.utcoffset(), after.tzname())
        # Onsets are local times in the offset before the change (RFC 5545, 3.6.5): the
        # spring change in Berlin is at 02:00, the autumn one at 03:00.
        onset = (instant + offset_before).replace(tzinfo=None)
        groups.setdefault(key, []).append(onset)
    for (is_dst, offset_from, offset_to, tzname), onsets in groups.items():
        sub = icalendar.TimezoneDaylight() if is_dst else icalendar.TimezoneStandard()
        sub.add("dtstart", onsets[0])
        for onset in onsets[1:]:
            sub.add("rdate", onset)
        sub.add("tzname", tzname or zone_name)
        sub.add("tzoffsetfrom", offset_from)
        sub.add("tzoffsetto", offset_to)
        component.add_component(sub)
    return component.to_ical()


def vtimezone(zone_name: str, *, first_year: int, last_year: int) -> icalendar.Timezone:
    """The VTIMEZONE of an IANA zone with its real transitions from `first_year` to `last_year`
    (at most fifty years; cached, as scanning a zone takes a little time per year)."""
    return icalendar.Timezone.from_ical(_vtimezone_lines(zone_name, first_year, last_year))


def _transitions(tz: ZoneInfo, start: datetime.datetime, end: datetime.datetime):
    """(UTC instant, offset before) of each change of offset or name in [start, end), found
    by stepping six hours and halving down to the minute (zones change at whole minutes)."""
    step = datetime.timedelta(hours=6)
    moment = start
    previous = _state(start.astimezone(tz))
    while moment < end:
        state = _state((moment + step).astimezone(tz))
        if state != previous:
            low, high = 0, 6 * 60  # minutes after `moment`: old state at low, new at high
            while high - low > 1:
                middle = (low + high) // 2
                if _state((moment + datetime.timedelta(minutes=middle)).astimezone(tz)) == previous:
                    low = middle
                else:
                    high = middle
            yield moment + datetime.timedelta(minutes=high), previous[0]
            previous = state
        moment += step


def _state(moment: datetime.datetime) -> tuple:
    return moment.utcoffset(), moment.dst(), moment.tzname()


def _vevent(
    event: Event, *, stamp: datetime.datetime, url_for: Callable[[Event], str] | None
) -> icalendar.Event:
    tz = _tz_of(event)
    item = icalendar.Event()
    item.add("uid", event.uid)
    item.add("dtstamp", stamp)
    if event.created_at:
        item.add("created", event.created_at.astimezone(datetime.UTC).replace(microsecond=0))
    if event.updated_at:
        item.add("last-modified", event.updated_at.astimezone(datetime.UTC).replace(microsecond=0))
    item.add("sequence", event.sequence)
    if event.all_day:
        first = event.starts_at.astimezone(tz).date()
        end = max(event.ends_at.astimezone(tz).date(), first + datetime.timedelta(days=1))
        item.add("dtstart", first)
        item.add("dtend", end)
    else:
        item.add("dtstart", _wall(event.starts_at, tz))
        item.add("dtend", _wall(event.ends_at, tz))
    if event.rrule:
        rule = _rule_for_export(event.rrule, all_day=event.all_day, tz=tz)
        if rule is not None:
            item.add("rrule", rule)
            if event.exdates:
                if event.all_day:
                    item.add("exdate", sorted({m.astimezone(tz).date() for m in event.exdates}))
                else:
                    item.add("exdate", [_wall(m, tz) for m in sorted(event.exdates)])
    item.add("summary", event.title)
    text = _plain_text(event.description)
    if event.is_cancelled and event.cancel_reason:
        reason = _("Cancelled: %(reason)s") % {"reason": event.cancel_reason}
        text = f"{reason}\n\n{text}" if text else reason
    link = url_for(event) if url_for is not None else ""
    if link and event.online_url:
        online = _("Online: %(url)s") % {"url": event.online_url}
        text = f"{text}\n\n{online}" if text else online
    if text:
        item.add("description", text)
    if event.place:
        item.add("location", event.place)
    if event.latitude is not None and event.longitude is not None:
        item.add("geo", (float(event.latitude), float(event.longitude)))
    if link or event.online_url:
        item.add("url", link or event.online_url)
    if event.online_url:
        # RFC 7986: where to join. URL is the event's own page, which is not the same thing.
        item.add("conference", event.online_url, parameters={"VALUE": "URI"})
    if event.category_id is not None and event.category is not None:
        item.add("categories", [event.category.name])
    item.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    return item


def _wall(instant: datetime.datetime, tz: ZoneInfo) -> datetime.datetime:
    # UTC events are written with "Z" and need no VTIMEZONE; others with TZID=<zone>.
    moment = instant.astimezone(datetime.UTC if _is_utc(tz) else tz)
    return moment.replace(microsecond=0)


def _rule_for_export(rule: str, *, all_day: bool, tz: ZoneInfo) -> icalendar.vRecur | None:
    """The stored RRULE with UNTIL as RFC 5545 wants it next to this DTSTART: a DATE for
    all-day events, UTC for timed ones (the forms store it as local time)."""
    try:
        parsed = icalendar.vRecur.from_ical(rule)
    except (ValueError, TypeError):
        logger.warning("ical: rule %r cannot be written, left out", rule[:80])
        return None
    untils = parsed.get("UNTIL")
    if untils:
        until = untils[0]
        if all_day:
            if isinstance(until, datetime.datetime):
                until = (until.astimezone(tz) if until.tzinfo else until).date()
        else:
            if not isinstance(until, datetime.datetime):
                until = datetime.datetime.combine(until, datetime.time(23, 59, 59))
            if until.tzinfo is None:
                until = until.replace(tzinfo=tz)
            until = until.astimezone(datetime.UTC)
        parsed["UNTIL"] = [until]
    return parsed


def _plain_text(source: str) -> str:
    """The Markdown description as text with its paragraphs and line breaks kept."""
    if not source:
        return ""
    from core.richtext import render

    marked = _BLOCK_END.sub(lambda m: m.group(0) + "\n", str(render(source)))
    text = html.unescape(strip_tags(marked))
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _web_link(value) -> str:
    """A web address as given, or "" (a cut address leads nowhere, and only web links are
    shown as links)."""
    url = _one_line(str(value or ""))
    if len(url) > URL_LENGTH or not url.lower().startswith(("https://", "http://")):
        return ""
    return url


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", _CONTROL.sub("", text or "")).strip()


# Reading -----------------------------------------------------------------------------------


@dataclass
class ParsedEvent:
    """One VEVENT as the import needs it; times aware, texts cleaned and cut to the model."""

    uid: str
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    all_day: bool = False
    timezone: str = ""
    description: str = ""
    rrule: str = ""
    exdates: list[datetime.datetime] = field(default_factory=list)
    place: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    url: str = ""  # the event's page at its source
    online_url: str = ""  # where to join it (CONFERENCE), "" when it takes place in person
    status: str = EventStatus.SCHEDULED
    sequence: int = 0
    categories: list[str] = field(default_factory=list)
    # The original start of the occurrence a modified instance replaces.
    recurrence_id: datetime.datetime | None = None


class ParsedCalendar(list[ParsedEvent]):
    """The events of a calendar, how many VEVENTs could not be read (`skipped`), and the UIDs
    of those unreadable ones that had a UID (`unreadable_uids`): an import keeps their last
    good version instead of taking them for removed."""

    def __init__(self, items=(), *, skipped: int = 0, unreadable_uids=()):
        super().__init__(items)
        self.skipped = skipped
        self.unreadable_uids = frozenset(unreadable_uids)


def not_ical(message: str | None = None) -> ValidationError:
    return ValidationError(
        message
        or _(
            "This address does not lead to a calendar in iCal format. Use the calendar's "
            "iCal or subscription link, which often ends in .ics."
        ),
        code="not_ical",
    )


def parse_calendar(data: bytes, *, default_tz: str) -> ParsedCalendar:
    """The events in `data`; times without zone are read in `default_tz`. Raises a
    ValidationError (code "not_ical") for anything that is not an iCalendar file."""
    default = recurrence.zone(default_tz)
    calendars = _read(data)
    events: list[ParsedEvent] = []
    overrides: list[ParsedEvent] = []
    seen: set[str] = set()
    unreadable: set[str] = set()
    skipped = 0
    for calendar in calendars:
        for component in calendar.walk("VEVENT"):
            try:
                parsed = _event(component, default=default)
            except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
                logger.info("ical: VEVENT %r skipped: %s", str(component.get("UID", ""))[:80], exc)
                parsed = None
            if parsed is None:
                skipped += 1
                uid = _one_line(str(component.get("UID", "") or ""))
                if uid:
                    unreadable.add(_cut_uid(uid))
                continue
            if parsed.recurrence_id is not None:
                overrides.append(parsed)
            elif parsed.uid in seen:
                # The same event twice in one file: the first one counts.
                skipped += 1
            else:
                seen.add(parsed.uid)
                events.append(parsed)
    masters = {event.uid: event for event in events}
    for override in overrides:
        master = masters.get(override.uid)
        # The series skips the original date; the moved instance stands on its own.
        if master is not None and master.rrule and override.recurrence_id not in master.exdates:
            master.exdates.append(override.recurrence_id)
            master.exdates.sort()
        instance_uid = _cut_uid(f"{override.uid}/{override.recurrence_id.isoformat()}")
        if instance_uid in seen:
            skipped += 1
            continue
        seen.add(instance_uid)
        override.uid = instance_uid
        override.rrule = ""
        override.exdates = []
        override.recurrence_id = None
        events.append(override)
    if skipped:
        logger.warning("ical: %d VEVENTs without UID or start (or unreadable) skipped", skipped)
    return ParsedCalendar(events, skipped=skipped, unreadable_uids=unreadable)


def _read(data: bytes) -> list[icalendar.Calendar]:
    if not isinstance(data, bytes | bytearray):
        raise not_ical()
    head = bytes(data[:2048]).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise not_ical(_("The calendar address answered with an empty file."))
    if head[:1] in (b"<", b"{", b"["):
        kind = _("a web page") if head[:1] == b"<" else _("JSON data")
        raise not_ical(
            _(
                "The calendar address answered with %(kind)s, not with a calendar in iCal "
                "format. Use the calendar's iCal or subscription link, which often ends in .ics."
            )
            % {"kind": kind}
        )
    if b"\x00" in data or not head.upper().startswith(b"BEGIN:VCALENDAR"):
        raise not_ical()
    try:
        text = bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older exports in Latin-1 or Windows-1252: every byte reads, umlauts mostly right.
        text = bytes(data).decode("cp1252", errors="replace")
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, TypeError, KeyError, IndexError, RecursionError):
        raise not_ical(
            _("The calendar at this address cannot be read: it is not valid iCal.")
        ) from None
    calendars = [c for c in calendars if c.name == "VCALENDAR"]
    if not calendars:
        raise not_ical()
    return calendars


def _event(component, *, default: ZoneInfo) -> ParsedEvent | None:
    uid = _one_line(str(component.get("UID", "") or ""))
    start_prop = component.get("DTSTART")
    if not uid or start_prop is None or isinstance(start_prop, list):
        return None
    start_value = getattr(start_prop, "dt", None)
    if not isinstance(start_value, datetime.date):
        return None
    all_day = not isinstance(start_value, datetime.datetime)
    starts_at, zone_name = _instant(start_value, default=default)
    if not all_day and start_value.tzinfo is not None and _is_utc_value(start_value):
        # A series in UTC repeats at the same UTC time; a single UTC event is shown in the
        # portal's zone.
        zone_name = "UTC" if component.get("RRULE") is not None else default.key
    tz = ZoneInfo(zone_name)
    ends_at = _end(component, start_value=start_value, starts_at=starts_at, tz=tz)
    rrule = ""
    rule_prop = component.get("RRULE")
    if isinstance(rule_prop, list):
        rule_prop = rule_prop[0] if rule_prop else None
    if rule_prop is not None:
        try:
            rrule = rule_prop.to_ical().decode()
        except (AttributeError, ValueError, UnicodeDecodeError):
            rrule = ""
    recurrence_id = None
    rid_prop = component.get("RECURRENCE-ID")
    if rid_prop is not None and isinstance(getattr(rid_prop, "dt", None), datetime.date):
        recurrence_id, _zone = _instant(rid_prop.dt, default=tz)
    latitude = longitude = None
    geo = component.get("GEO")
    if geo is not None and hasattr(geo, "latitude"):
        try:
            latitude = Decimal(str(geo.latitude)).quantize(Decimal("0.000001"))
            longitude = Decimal(str(geo.longitude)).quantize(Decimal("0.000001"))
        except ArithmeticError:
            latitude = longitude = None
        if latitude is not None and not (abs(latitude) <= 90 and abs(longitude) <= 180):
            latitude = longitude = None
    url = _web_link(component.get("URL"))
    conference = component.get("CONFERENCE")
    if isinstance(conference, list):
        conference = conference[0] if conference else None
    online_url = _web_link(conference)
    status = str(component.get("STATUS", "") or "").strip().upper()
    return ParsedEvent(
        uid=_cut_uid(uid),
        title=_one_line(str(component.get("SUMMARY", "") or ""))[:TITLE_LENGTH],
        description=_text(component.get("DESCRIPTION"))[:DESCRIPTION_LENGTH],
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=all_day,
        timezone=zone_name,
        rrule=rrule,
        exdates=_exdates(component, tz=tz) if rrule else [],
        place=_one_line(str(component.get("LOCATION", "") or ""))[:PLACE_LENGTH],
        latitude=latitude,
        longitude=longitude,
        url=url,
        online_url=online_url,
        status=EventStatus.CANCELLED if status == "CANCELLED" else EventStatus.SCHEDULED,
        sequence=_sequence(component.get("SEQUENCE")),
        categories=_categories(component.get("CATEGORIES")),
        recurrence_id=recurrence_id,
    )


def _is_utc_value(value: datetime.datetime) -> bool:
    if value.tzinfo is datetime.UTC:
        return True
    key = getattr(value.tzinfo, "key", None)
    if key is not None:
        # Europe/London is GMT in winter, and no UTC zone for it.
        return key in _UTC_NAMES
    return value.utcoffset() == datetime.timedelta(0) and value.tzname() in ("UTC", "Z")


def _instant(value: datetime.date, *, default: ZoneInfo) -> tuple[datetime.datetime, str]:
    """An aware instant and the IANA zone to keep it in. Dates are midnight and floating times
    wall clock in `default`; a zone that is no IANA name (a custom VTIMEZONE) keeps the right
    instant but the portal's zone."""
    if not isinstance(value, datetime.datetime):
        return datetime.datetime.combine(value, datetime.time(), default), default.key
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=default), default.key
    key = getattr(value.tzinfo, "key", None)
    if key:
        try:
            return value, ZoneInfo(key).key
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return value.astimezone(default), default.key


def _end(
    component, *, start_value: datetime.date, starts_at: datetime.datetime, tz: ZoneInfo
) -> datetime.datetime:
    """DTEND, else DTSTART + DURATION, else as RFC 5545 says: a day for a date, the start
    itself for a time."""
    end_prop = component.get("DTEND")
    end_value = getattr(end_prop, "dt", None) if not isinstance(end_prop, list) else None
    all_day = not isinstance(start_value, datetime.datetime)
    if isinstance(end_value, datetime.date):
        if all_day:
            day = end_value.date() if isinstance(end_value, datetime.datetime) else end_value
            return datetime.datetime.combine(day, datetime.time(), tz)
        if not isinstance(end_value, datetime.datetime):
            end_value = datetime.datetime.combine(end_value, datetime.time())
        return _instant(end_value, default=tz)[0]
    duration_prop = component.get("DURATION")
    duration = getattr(duration_prop, "dt", None)
    if isinstance(duration, datetime.timedelta):
        if all_day:
            days = max(duration.days, 1)
            return datetime.datetime.combine(
                start_value + datetime.timedelta(days=days), datetime.time(), tz
            )
        # Wall-clock arithmetic, as RFC 5545 wants for durations in days (a day may be 23 h).
        local = starts_at.astimezone(tz).replace(tzinfo=None) + duration
        return local.replace(tzinfo=tz)
    if all_day:
        return datetime.datetime.combine(
            start_value + datetime.timedelta(days=1), datetime.time(), tz
        )
    return starts_at


def _exdates(component, *, tz: ZoneInfo) -> list[datetime.datetime]:
    props = component.get("EXDATE")
    if props is None:
        return []
    if not isinstance(props, list):
        props = [props]
    found: set[datetime.datetime] = set()
    for prop in props:
        for item in getattr(prop, "dts", []) or []:
            value = getattr(item, "dt", None)
            if isinstance(value, datetime.date):
                found.add(_instant(value, default=tz)[0])
            if len(found) >= MAX_EXDATES:
                break
    return sorted(found)


def _text(prop) -> str:
    if prop is None:
        return ""
    if isinstance(prop, list):
        prop = prop[0] if prop else ""
    text = _CONTROL.sub("", str(prop)).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def _sequence(prop) -> int:
    try:
        value = int(prop)
    except (TypeError, ValueError):
        return 0
    return min(max(value, 0), 2_147_483_647)


def _categories(prop) -> list[str]:
    if prop is None:
        return []
    props = prop if isinstance(prop, list) else [prop]
    names: list[str] = []
    for item in props:
        for value in getattr(item, "cats", []) or []:
            text = _one_line(str(value))
            if text and text not in names:
                names.append(text)
    return names[:20]


def _cut_uid(uid: str) -> str:
    """The UID as the model holds it: a longer one is cut and given a hash of the whole, so
    two long UIDs that share their beginning stay two."""
    if len(uid) <= UID_LENGTH:
        return uid
    digest = hashlib.sha256(uid.encode()).hexdigest()[:16]
    return f"{uid[: UID_LENGTH - 17]}#{digest}"
