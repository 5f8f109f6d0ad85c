"""Expanding events into the occurrences a page shows, lazily and capped.

A series repeats in the wall-clock time of its own time zone: a meeting every Tuesday at 19:00
in Europe/Berlin stays at 19:00 across the change to and from daylight-saving time, so the rule
is expanded on naive local times and each occurrence is then placed in the zone. No series is
ever expanded beyond the range asked for, and no range yields more than `cap` occurrences, so a
rule without end costs what the page shows and nothing more.

`parse_rule` is the gate for rules from people, the API and imports: anything dateutil cannot
read, or a rule that would repeat more often than once an hour, is a ValidationError.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule as du
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The most occurrences a single page or feed expands (a month grid needs far fewer).
DEFAULT_CAP = 1000
# How far a feed reaches: a year back, two ahead.
FEED_PAST = datetime.timedelta(days=365)
FEED_FUTURE = datetime.timedelta(days=730)
_TOO_FREQUENT = {"SECONDLY", "MINUTELY"}


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _("“%(zone)s” is not a time zone.") % {"zone": name}, "timezone"
        ) from None


def parse_rule(rule: str, *, dtstart: datetime.datetime, tz: ZoneInfo | None = None) -> du.rrule:
    """The dateutil rule for an RRULE value, starting at the naive local `dtstart` of zone
    `tz` (which a UTC UNTIL is converted into)."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    parts = {}
    for piece in text.split(";"):
        key, _sep, value = piece.partition("=")
        parts[key.strip().upper()] = value.strip()
    if parts.get("FREQ", "").upper() in _TOO_FREQUENT:
        raise ValidationError(_("An event can repeat at most hourly."), "rrule")
    until = parts.get("UNTIL", "")
    if until.upper().endswith("Z") and tz is not None:
        # RFC 5545: UNTIL in UTC. The rule runs on naive local times, so the bound is turned
        # into the event's wall-clock time first, or a series loses its last date.
        try:
            instant = datetime.datetime.strptime(until.upper(), "%Y%m%dT%H%M%SZ")
        except ValueError:
            raise ValidationError(
                _("The repetition rule “%(rule)s” cannot be read.") % {"rule": rule[:80]}, "rrule"
            ) from None
        local = instant.replace(tzinfo=datetime.UTC).astimezone(tz).strftime("%Y%m%dT%H%M%S")
        text = ";".join(
            f"UNTIL={local}" if piece.strip().upper().startswith("UNTIL=") else piece
            for piece in text.split(";")
        )
    try:
        parsed = du.rrulestr(text, dtstart=dtstart, ignoretz=True)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError):
        raise ValidationError(
            _("The repetition rule “%(rule)s” cannot be read.") % {"rule": rule[:80]}, "rrule"
        ) from None
    if not isinstance(parsed, du.rrule):
        raise ValidationError(_("Give one repetition rule."), "rrule")
    return parsed


def _naive_local(instant: datetime.datetime, tz: ZoneInfo) -> datetime.datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


def series_end(
    *, starts_at: datetime.datetime, ends_at: datetime.datetime, rule: str, tz_name: str
) -> datetime.datetime | None:
    """The end of the last occurrence, or None for a series without end."""
    if not rule:
        return ends_at
    tz = zone(tz_name)
    local_start = _naive_local(starts_at, tz)
    parsed = parse_rule(rule, dtstart=local_start, tz=tz)
    if parsed._count is None and parsed._until is None:
        return None
    last = None
    for index, item in enumerate(parsed):
        last = item
        if index > 100_000:  # a COUNT or UNTIL this far out is as good as endless
            return None
    if last is None:
        return ends_at
    duration = ends_at - starts_at
    return last.replace(tzinfo=tz) + duration


@dataclass(frozen=True)
class Occurrence:
    event: object
    start: datetime.datetime
    end: datetime.datetime
    # The start of this occurrence in a series (RECURRENCE-ID), None for a single event.
    recurrence_id: datetime.datetime | None = None

    @property
    def key(self) -> str:
        return f"{self.event.pk}-{int(self.start.timestamp())}"


def occurrences_of(
    event,
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    cap: int = DEFAULT_CAP,
) -> Iterator[Occurrence]:
    """The occurrences of `event` that overlap [start, end), in order, at most `cap`."""
    duration = event.ends_at - event.starts_at
    if not event.rrule:
        if event.starts_at < end and (event.ends_at > start or event.starts_at >= start):
            yield Occurrence(event, event.starts_at, event.ends_at)
        return
    tz = zone(event.timezone)
    try:
        parsed = parse_rule(event.rrule, dtstart=_naive_local(event.starts_at, tz), tz=tz)
    except ValidationError:
        # A stored rule that no longer reads (a newer dateutil): show the first date only.
        if event.starts_at < end and event.ends_at > start:
            yield Occurrence(event, event.starts_at, event.ends_at)
        return
    skipped = {moment.astimezone(datetime.UTC).replace(microsecond=0) for moment in event.exdates}
    # Occurrences that began up to `duration` before the range still overlap it.
    window_start = _naive_local(start - duration, tz)
    window_end = _naive_local(end, tz)
    produced = 0
    for local in parsed.xafter(window_start, inc=True):
        if local >= window_end or produced >= cap:
            return
        begins = local.replace(tzinfo=tz)
        finishes = begins + duration
        if finishes <= start and begins < start:
            continue
        if begins.astimezone(datetime.UTC).replace(microsecond=0) in skipped:
            continue
        produced += 1
        yield Occurrence(event, begins, finishes, recurrence_id=begins)


def expand(
    events: Iterable,
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    cap: int = DEFAULT_CAP,
    per_event_cap: int | None = None,
) -> tuple[list[Occurrence], bool]:
    """All occurrences of `events` in [start, end), sorted; and whether `cap` cut the list."""
    found: list[Occurrence] = []
    for event in events:
        found.extend(
            occurrences_of(event, start=start, end=end, cap=min(per_event_cap or cap + 1, cap + 1))
        )
    found.sort(key=lambda o: (o.start, o.event.pk))
    return found[:cap], len(found) > cap


def next_occurrence(event, *, after: datetime.datetime) -> Occurrence | None:
    """The first occurrence that has not ended by `after`."""
    for occurrence in occurrences_of(event, start=after, end=after + FEED_FUTURE, cap=1):
        return occurrence
    return None
