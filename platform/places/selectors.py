"""What the map and its directory show: groups, projects, upcoming events and ideas with a place.

Every layer starts from its module's *listed* selector (`spaces_listed_for`,
`events_listed_for`, the ideas' visibility selector minus hidden and archived ideas), so the
map can show nothing that the module's own lists would not: a private space's project and its
events appear only for that space's members, and a module that is switched off yields an
empty layer (its selector returns nothing). Only rows with both coordinates are drawn. The
number of queries is fixed per layer, whatever the number of rows (`map_items`).

`Filters.from_params` reads the page's query string leniently: unknown or malformed values
are ignored, never an error, so a shared link with a stale filter still opens.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from core.distinct import distinct_values
from core.forms import int_or_none
from features.selectors import enabled_here
from places.models import MapSettings

# The kinds of items, in the order the directory lists them, with their labels.
KINDS: dict[str, object] = {
    "space": _("Groups and initiatives"),
    "project": _("Projects"),
    "event": _("Upcoming events"),
    "idea": _("Ideas"),
}
KIND_SINGULAR: dict[str, object] = {
    "space": _("group"),
    "project": _("project"),
    "event": _("event"),
    "idea": _("idea"),
}
# Which module each kind comes from: a kind whose module is off is not offered as a filter.
KIND_FEATURE = {"space": "spaces", "project": "spaces", "event": "events", "idea": "ideas"}
# Events are shown from today on, up to this far ahead unless the filter says otherwise.
EVENT_HORIZON = datetime.timedelta(days=180)
# A range longer than this is cut: expanding a series over decades would cost time, not value.
MAX_EVENT_RANGE = datetime.timedelta(days=3 * 366)


@dataclass(frozen=True)
class Filters:
    type: str = ""  # one of KINDS, or "" for all
    topic_id: int | None = None
    district: str = ""
    date_from: datetime.date | None = None  # events only: on or after this day
    date_to: datetime.date | None = None  # events only: on or before this day

    @classmethod
    def from_params(cls, params) -> Filters:
        kind = (params.get("type") or "").strip()
        date_from = _date_or_none(params.get("from"))
        date_to = _date_or_none(params.get("to"))
        if date_from and date_to and date_to < date_from:
            date_to = None
        return cls(
            type=kind if kind in KINDS else "",
            topic_id=int_or_none(params.get("topic")),
            district=(params.get("district") or "").strip()[:120],
            date_from=date_from,
            date_to=date_to,
        )

    def as_params(self) -> dict[str, str]:
        """The query string that gives these filters back (links, the GeoJSON address)."""
        params = {
            "type": self.type,
            "topic": str(self.topic_id or ""),
            "district": self.district,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        }
        return {key: value for key, value in params.items() if value}

    def wants(self, kind: str) -> bool:
        return not self.type or self.type == kind


def _date_or_none(value) -> datetime.date | None:
    try:
        return parse_date((value or "").strip())
    except ValueError:  # well formed but impossible, like 2026-02-30
        return None


@dataclass(frozen=True)
class MapItem:
    kind: str  # one of KINDS
    id: int
    title: str
    url: str
    lat: float
    lon: float
    place: str = ""
    district: str = ""
    topic: str = ""
    when: datetime.datetime | None = None  # events: the next occurrence in the range

    @property
    def kind_label(self) -> str:
        return str(KIND_SINGULAR[self.kind])


def _url(name: str, pk_or_slug) -> str:
    key = "slug" if isinstance(pk_or_slug, str) else "pk"
    return reverse(name, kwargs={key: pk_or_slug})


def _has_place(queryset: QuerySet) -> QuerySet:
    return queryset.filter(latitude__isnull=False, longitude__isnull=False)


def _space_items(*, user, filters: Filters) -> list[MapItem]:
    from spaces.models import SpaceKind
    from spaces.selectors import spaces_listed_for

    kinds = [
        kind
        for kind, wanted in ((SpaceKind.GROUP, "space"), (SpaceKind.PROJECT, "project"))
        if filters.wants(wanted)
    ]
    if not kinds:
        return []
    spaces = _has_place(spaces_listed_for(user=user)).filter(
        kind__in=kinds, archived_at__isnull=True
    )
    if filters.topic_id:
        spaces = spaces.filter(topics__pk=filters.topic_id).distinct()
    if filters.district:
        spaces = spaces.filter(place__iexact=filters.district)
    spaces = (
        spaces.only("pk", "kind", "name", "slug", "place", "latitude", "longitude")
        .prefetch_related("topics")
        .order_by("name", "pk")
    )
    return [
        MapItem(
            kind="project" if space.kind == SpaceKind.PROJECT else "space",
            id=space.pk,
            title=space.name,
            url=_url("spaces:detail", space.slug),
            lat=float(space.latitude),
            lon=float(space.longitude),
            place=space.place,
            district=space.place,
            topic=", ".join(topic.name for topic in space.topics.all()),
        )
        for space in spaces
    ]


def event_range(filters: Filters, *, now: datetime.datetime) -> tuple[datetime.datetime, ...]:
    """[start, end) of the events shown: from now (or the filter's first day) to the horizon
    (or the end of the filter's last day), in the portal's time zone."""
    zone = timezone.get_current_timezone()
    start = now
    if filters.date_from:
        start = max(
            now, datetime.datetime.combine(filters.date_from, datetime.time.min, tzinfo=zone)
        )
    if filters.date_to:
        end = datetime.datetime.combine(
            filters.date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
        )
    else:
        end = start + EVENT_HORIZON
    return start, min(end, start + MAX_EVENT_RANGE)


# What the map and the recurrence expansion read of an event.
_EVENT_COLUMNS = (
    "pk", "title", "place", "district", "latitude", "longitude", "starts_at", "ends_at",
    "timezone", "rrule", "exdates", "series_ends_at", "topic__name",
)  # fmt: skip


def _event_items(*, user, filters: Filters, now: datetime.datetime) -> list[MapItem]:
    from events import recurrence
    from events.models import EventStatus
    from events.selectors import events_listed_for, in_range

    if not filters.wants("event"):
        return []
    start, end = event_range(filters, now=now)
    if end <= start:
        return []
    # A cancelled event is no reason to go anywhere; the calendar still lists it.
    events = in_range(_has_place(events_listed_for(user=user)), start=start, end=end).exclude(
        status=EventStatus.CANCELLED
    )
    if filters.topic_id:
        events = events.filter(topic_id=filters.topic_id)
    if filters.district:
        events = events.filter(district__iexact=filters.district)
    events = events.select_related("topic").only(*_EVENT_COLUMNS).order_by("starts_at", "pk")
    items = []
    for event in events:
        # The column narrowing above may keep a series none of whose dates falls in the range.
        upcoming = next(iter(recurrence.occurrences_of(event, start=start, end=end, cap=1)), None)
        if upcoming is None:
            continue
        items.append(
            MapItem(
                kind="event",
                id=event.pk,
                title=event.title,
                url=_url("events:detail", event.pk),
                lat=float(event.latitude),
                lon=float(event.longitude),
                place=event.place,
                district=event.district,
                topic=event.topic.name if event.topic else "",
                when=upcoming.start,
            )
        )
    items.sort(key=lambda item: (item.when, item.id))
    return items


def _idea_items(*, user, filters: Filters) -> list[MapItem]:
    from ideas.models import IdeaStatus
    from ideas.selectors import ideas_visible_to

    if not filters.wants("idea"):
        return []
    # As the marketplace lists them: hidden ideas (which moderators may open) and archived
    # ones stay off the map.
    ideas = (
        _has_place(ideas_visible_to(user=user))
        .filter(hidden_at__isnull=True)
        .exclude(status=IdeaStatus.ARCHIVED)
    )
    if filters.topic_id:
        ideas = ideas.filter(topic_id=filters.topic_id)
    if filters.district:
        ideas = ideas.filter(place__iexact=filters.district)
    ideas = (
        ideas.select_related("topic")
        .only("pk", "title", "place", "latitude", "longitude", "topic__name")
        .order_by("-created_at", "-pk")
    )
    return [
        MapItem(
            kind="idea",
            id=idea.pk,
            title=idea.title,
            url=_url("ideas:detail", idea.pk),
            lat=float(idea.latitude),
            lon=float(idea.longitude),
            place=idea.place,
            district=idea.place,
            topic=idea.topic.name if idea.topic else "",
        )
        for idea in ideas
    ]


def map_items(
    *, user, filters: Filters | None = None, now: datetime.datetime | None = None
) -> list[MapItem]:
    """Everything the map shows `user` for `filters`, grouped by kind in the order of KINDS.
    At most two queries per layer (spaces and their topics, events, ideas), whatever the size."""
    filters = filters or Filters()
    now = now or timezone.now()
    spaces = _space_items(user=user, filters=filters)
    return [
        *(item for item in spaces if item.kind == "space"),
        *(item for item in spaces if item.kind == "project"),
        *_event_items(user=user, filters=filters, now=now),
        *_idea_items(user=user, filters=filters),
    ]


def grouped(items: list[MapItem]) -> list[tuple[str, object, list[MapItem]]]:
    """(kind, label, items) per kind that has items, in the order of KINDS (the directory)."""
    return [
        (kind, label, [item for item in items if item.kind == kind])
        for kind, label in KINDS.items()
        if any(item.kind == kind for item in items)
    ]


def as_geojson(items: list[MapItem]) -> dict:
    """A GeoJSON FeatureCollection (RFC 7946): positions are [longitude, latitude]."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": f"{item.kind}-{item.id}",
                "geometry": {"type": "Point", "coordinates": [item.lon, item.lat]},
                "properties": {
                    "kind": item.kind,
                    "kind_label": item.kind_label,
                    "id": item.id,
                    "title": item.title,
                    "url": item.url,
                    "place": item.place,
                    "district": item.district,
                    "topic": item.topic,
                    "when": item.when.isoformat() if item.when else None,
                },
            }
            for item in items
        ],
    }


def offered_kinds() -> list[tuple[str, object]]:
    """The kinds whose module is on here, for the type filter."""
    return [(kind, label) for kind, label in KINDS.items() if enabled_here(KIND_FEATURE[kind])]


def districts(*, user) -> list[str]:
    """The districts and places named by what the map can show `user`, for the filter; one
    spelling per name (case-insensitive), sorted."""
    from events.selectors import events_listed_for
    from ideas.selectors import ideas_visible_to
    from spaces.selectors import spaces_listed_for

    sources = (
        (spaces_listed_for(user=user).filter(archived_at__isnull=True), "place"),
        (events_listed_for(user=user), "district"),
        (ideas_visible_to(user=user).filter(hidden_at__isnull=True), "place"),
    )
    names: dict[str, str] = {}
    for queryset, column in sources:
        for name in distinct_values(_has_place(queryset), column):
            names.setdefault(name.casefold(), name)
    return sorted(names.values(), key=str.casefold)


def topics():
    from accounts.models import Topic

    return Topic.objects.all()


def map_settings() -> MapSettings:
    """This portal's map settings, made with the defaults on first use."""
    settings, _created = MapSettings.objects.get_or_create(pk=1)
    return settings
