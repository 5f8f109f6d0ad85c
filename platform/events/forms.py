"""Forms of the calendar pages: they parse what was typed into events.services.EventFields;
the rules (ends after start, coordinates, capacity, the recurrence's limits) are in
events.services.validated, so the API and the import obey the same ones.

Nobody types RFC 5545 here: "repeats" is a short list (weekly, every two weeks, monthly on
the same weekday ...) with an end by date or by count and dates that are left out, and
`rule_from` turns it into the RRULE value. A rule the list cannot say (an imported event's,
or one from the API) is kept as it is ("keep"), never silently changed by an edit.
"""

from __future__ import annotations

import datetime
import functools
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.forms import coordinate_field
from events.models import Event, TargetGroup
from events.services import EventFields

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
MAX_EXCEPTIONS = 100

REPEATS = [
    ("", _("does not repeat")),
    ("daily", _("every day")),
    ("weekly", _("every week")),
    ("biweekly", _("every two weeks")),
    ("monthly_weekday", _("every month on the same weekday (e.g. the first Tuesday)")),
    ("monthly_date", _("every month on the same date")),
    ("yearly", _("every year")),
]


@functools.cache
def _timezones() -> tuple[tuple[str, str], ...]:
    """The zones people pick from: the portal's first, then every IANA zone by name. Read
    once per process: available_timezones() walks the zone files on disk, and the form is
    built on every keystroke of the collision hints."""
    names = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))
    first = settings.TIME_ZONE
    return ((first, first), *((n, n.replace("_", " ")) for n in names if n != first))


def rule_from(repeats: str, *, start: datetime.datetime, until, count) -> str:
    """The RRULE value for a choice of REPEATS, ending on `until` (a date, inclusive) or after
    `count` dates; "" for no repetition."""
    if not repeats:
        return ""
    parts = {
        "daily": ["FREQ=DAILY"],
        "weekly": ["FREQ=WEEKLY"],
        "biweekly": ["FREQ=WEEKLY", "INTERVAL=2"],
        "monthly_date": ["FREQ=MONTHLY"],
        "yearly": ["FREQ=YEARLY"],
    }.get(repeats)
    if repeats == "monthly_weekday":
        # The n-th weekday of the month; the fifth is "the last" (not every month has one).
        nth = (start.day - 1) // 7 + 1
        parts = ["FREQ=MONTHLY", f"BYDAY={-1 if nth == 5 else nth}{_WEEKDAYS[start.weekday()]}"]
    if parts is None:
        return ""
    if until:
        # The end of the chosen day in the event's zone, written as UTC (RFC 5545 wants UTC
        # for an UNTIL next to a DTSTART with a zone).
        end_of_day = datetime.datetime.combine(until, datetime.time(23, 59, 59), start.tzinfo)
        parts.append("UNTIL=" + end_of_day.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ"))
    elif count:
        parts.append(f"COUNT={count}")
    return ";".join(parts)


def preset_of(rule: str) -> str:
    """Which REPEATS choice `rule` is, ignoring its end; "keep" when none says it."""
    if not rule:
        return ""
    body = ";".join(
        p for p in rule.upper().split(";") if not p.startswith(("UNTIL=", "COUNT=", "WKST="))
    )
    if body.startswith("FREQ=MONTHLY;BYDAY="):
        return "monthly_weekday"
    return {
        "FREQ=DAILY": "daily",
        "FREQ=WEEKLY": "weekly",
        "FREQ=WEEKLY;INTERVAL=2": "biweekly",
        "FREQ=MONTHLY": "monthly_date",
        "FREQ=YEARLY": "yearly",
    }.get(body, "keep")


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_FORMAT)


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Light formatting: **bold**, *italic*, lists and links."),
    )
    space = forms.TypedChoiceField(
        label=_("Organised by"), required=False, coerce=int, empty_value=None
    )
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=LocalDateTimeInput,
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=LocalDateTimeInput,
    )
    all_day = forms.BooleanField(
        label=_("All day"),
        required=False,
        help_text=_("The times are ignored; the event lasts from the first to the last day."),
    )
    timezone = forms.ChoiceField(label=_("Time zone"))
    repeats = forms.ChoiceField(label=_("Repeats"), required=False)
    repeat_until = forms.DateField(
        label=_("Repeats until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    # Text with a numeric keyboard, not type=number: number fields change their value on a
    # scroll wheel and, last typed in Chromium, swallowed the click on "Create".
    repeat_count = forms.IntegerField(
        label=_("or this many times (optional)"),
        required=False,
        min_value=1,
        max_value=1000,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    exceptions = forms.CharField(
        label=_("Except on (optional)"),
        required=False,
        max_length=2000,
        help_text=_("Dates that do not take place, e.g. 2026-12-24, 2026-12-31."),
    )
    place = forms.CharField(label=_("Address or place (optional)"), required=False, max_length=200)
    district = forms.CharField(label=_("District (optional)"), required=False, max_length=120)
    latitude = coordinate_field(_("Latitude (optional)"))
    longitude = coordinate_field(_("Longitude (optional)"))
    online_url = forms.CharField(label=_("Online link (optional)"), required=False, max_length=500)
    category = forms.TypedChoiceField(
        label=_("Category (optional)"), required=False, coerce=int, empty_value=None
    )
    topic = forms.TypedChoiceField(
        label=_("Topic (optional)"), required=False, coerce=int, empty_value=None
    )
    target_group = forms.ChoiceField(
        label=_("Target group"), choices=TargetGroup.choices, initial=TargetGroup.EVERYONE
    )
    capacity = forms.IntegerField(
        label=_("Places (optional)"),
        required=False,
        min_value=1,
        help_text=_("Once this many are going, further answers go on a waiting list."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(
        self, *args, spaces=(), categories=(), topics=(), event: Event | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.event = event
        spaces = list(spaces)
        if event is not None or not spaces:
            del self.fields["space"]  # an event keeps its organising space
        else:
            self.fields["space"].choices = [("", _("the whole portal"))] + [
                (s.pk, s.name) for s in spaces
            ]
        self.fields["timezone"].choices = list(_timezones())
        self.fields["timezone"].initial = settings.TIME_ZONE
        repeats = list(REPEATS)
        if event is not None and preset_of(event.rrule) == "keep":
            repeats.insert(
                1, ("keep", _("keep the current repetition (%(rule)s)") % {"rule": event.rrule})
            )
        self.fields["repeats"].choices = repeats
        self.fields["category"].choices = [("", _("no category"))] + [
            (c.pk, c.name) for c in categories
        ]
        self.fields["topic"].choices = [("", _("no topic"))] + [(t.pk, t.name) for t in topics]

    def clean_exceptions(self) -> list[datetime.date]:
        text = self.cleaned_data["exceptions"]
        dates = []
        for chunk in text.replace(";", ",").replace("\n", ",").split(","):
            chunk = chunk.strip()
            if not chunk:
                continue
            try:
                dates.append(datetime.date.fromisoformat(chunk))
            except ValueError:
                raise forms.ValidationError(
                    _("“%(value)s” is not a date; write dates like 2026-12-24.") % {"value": chunk}
                ) from None
        if len(dates) > MAX_EXCEPTIONS:
            raise forms.ValidationError(_("At most %(limit)d dates.") % {"limit": MAX_EXCEPTIONS})
        return dates

    def clean(self):
        data = super().clean()
        if data.get("repeat_until") and data.get("repeat_count"):
            self.add_error("repeat_count", _("Give an end date or a number of times, not both."))
        return data

    def fields_for_service(self) -> EventFields:
        """EventFields in the chosen zone: the typed wall-clock times belong to it."""
        data = self.cleaned_data
        zone = ZoneInfo(data["timezone"])
        starts_at = data["starts_at"].replace(tzinfo=None).replace(tzinfo=zone)
        ends_at = data["ends_at"].replace(tzinfo=None).replace(tzinfo=zone)
        repeats = data.get("repeats") or ""
        if repeats == "keep" and self.event is not None:
            rule = self.event.rrule
        else:
            rule = rule_from(
                repeats,
                start=starts_at,
                until=data.get("repeat_until"),
                count=data.get("repeat_count"),
            )
        exdates = (
            [datetime.datetime.combine(day, starts_at.timetz()) for day in data["exceptions"]]
            if rule
            else []
        )
        return EventFields(
            title=data["title"],
            description=data["description"],
            starts_at=starts_at,
            ends_at=ends_at,
            all_day=data["all_day"],
            timezone=data["timezone"],
            rrule=rule,
            exdates=exdates,
            place=data["place"],
            district=data["district"],
            latitude=data["latitude"] or None,
            longitude=data["longitude"] or None,
            online_url=data["online_url"],
            category_id=data["category"],
            topic_id=data["topic"],
            target_group=data["target_group"],
            capacity=data["capacity"],
        )


def initial_for(event: Event) -> dict:
    """The form's values for editing `event`, in its own zone."""
    zone = ZoneInfo(event.timezone)
    starts = event.starts_at.astimezone(zone)
    ends = event.ends_at.astimezone(zone)
    if event.all_day:
        # Shown inclusive: the last day, not the midnight after it.
        ends = ends - datetime.timedelta(days=1)
    preset = preset_of(event.rrule)
    until = count = None
    for part in event.rrule.upper().split(";"):
        if part.startswith("COUNT="):
            count = int(part[6:])
        elif part.startswith("UNTIL="):
            value = part[6:]
            moment = datetime.datetime.strptime(value[:8], "%Y%m%d")
            if value.endswith("Z") and len(value) > 8:
                moment = (
                    datetime.datetime.strptime(value, "%Y%m%dT%H%M%SZ")
                    .replace(tzinfo=datetime.UTC)
                    .astimezone(zone)
                )
            until = moment.date()
    return {
        "title": event.title,
        "description": event.description,
        "starts_at": starts.replace(tzinfo=None),
        "ends_at": ends.replace(tzinfo=None),
        "all_day": event.all_day,
        "timezone": event.timezone,
        "repeats": preset,
        "repeat_until": until if preset != "keep" else None,
        "repeat_count": count if preset != "keep" else None,
        "exceptions": ", ".join(
            moment.astimezone(zone).date().isoformat() for moment in event.exdates
        ),
        "place": event.place,
        "district": event.district,
        "latitude": event.latitude if event.latitude is not None else "",
        "longitude": event.longitude if event.longitude is not None else "",
        "online_url": event.online_url,
        "category": event.category_id,
        "topic": event.topic_id,
        "target_group": event.target_group,
        "capacity": event.capacity,
    }


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (told to everyone who answered)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)


class SubscriptionForm(forms.Form):
    url = forms.CharField(
        label=_("Address of the calendar (iCal)"),
        max_length=500,
        help_text=_("The address of an .ics calendar, e.g. your own website's events."),
        widget=forms.URLInput(attrs={"inputmode": "url"}),
    )
