"""Which events a person may see, and the calendars, lists, hints and feeds built from them.

`events_visible_to(user=...)` is registered with core.visibility; every page, feed, map layer,
search result, API answer and notification about an event starts from it:
- the `events` module off: nothing;
- a portal-wide event (no space): like the portal itself (a members-only portal shows
  visitors nothing);
- a space's event: exactly as visible as its space (spaces.selectors.spaces_visible_to);
- hidden by moderation: only the portal's moderators and admins, the organiser, and the
  space's admins.
`events_listed_for` is what listings, calendars, feeds, the map and the API show: visible,
and a private space's events only to that space's members. Invisible is the same 404 as
missing (`event_for`).
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from core.distinct import distinct_values
from events import recurrence
from events.models import (
    Event,
    EventStatus,
    FeedToken,
    RsvpStatus,
    TargetGroup,
)
from features.selectors import enabled_here

FEATURE = "events"
# Collision hints: places closer than this count as the same area.
NEARBY_KM = 2.0
COLLISION_LIMIT = 20


def _is_member(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _scoped(user, spaces) -> QuerySet[Event]:
    from spaces.models import MembershipStatus, SpaceMembership, SpaceRole
    from spaces.selectors import is_portal_staff

    events = Event.objects.all()
    if not enabled_here(FEATURE):
        return events.none()
    if not _is_member(user):
        from accounts.selectors import membership_policy

        if membership_policy().members_only:
            return events.none()
        return events.filter(Q(space__isnull=True) | Q(space__in=spaces), hidden_at__isnull=True)
    events = events.filter(Q(space__isnull=True) | Q(space__in=spaces))
    if is_portal_staff(user):
        return events
    administered = SpaceMembership.objects.filter(
        user=user, role=SpaceRole.ADMIN, status=MembershipStatus.ACTIVE
    ).values("space_id")
    return events.filter(Q(hidden_at__isnull=True) | Q(organiser=user) | Q(space__in=administered))


def events_visible_to(*, user) -> QuerySet[Event]:
    from spaces.selectors import spaces_visible_to

    return _scoped(user, spaces_visible_to(user=user))


def events_listed_for(*, user) -> QuerySet[Event]:
    from spaces.selectors import spaces_listed_for

    return _scoped(user, spaces_listed_for(user=user)).filter(hidden_at__isnull=True)


def space_of(event: Event):
    return event.space


def event_for(*, user, pk: int) -> Event:
    return get_object_or_404(
        events_visible_to(user=user).select_related("space", "category", "organiser", "topic"),
        pk=pk,
    )


def in_range(events: QuerySet[Event], *, start: datetime.datetime, end: datetime.datetime):
    """Events with an occurrence that may touch [start, end): a narrowing by columns only;
    recurrence.expand decides exactly."""
    return events.filter(starts_at__lt=end).filter(
        Q(series_ends_at__isnull=True) | Q(series_ends_at__gte=start)
    )


def with_counts(events: QuerySet[Event]) -> QuerySet[Event]:
    return events.select_related("space", "category", "topic").annotate(
        going_count=Count("rsvps", filter=Q(rsvps__status=RsvpStatus.GOING), distinct=True),
    )


@dataclass
class Filters:
    category_id: int | None = None
    target_group: str = ""
    space_slug: str = ""
    district: str = ""
    topic_id: int | None = None
    include_cancelled: bool = True


def filtered(events: QuerySet[Event], filters: Filters) -> QuerySet[Event]:
    if filters.category_id:
        events = events.filter(category_id=filters.category_id)
    if filters.target_group in TargetGroup.values:
        events = events.filter(target_group=filters.target_group)
    if filters.space_slug:
        events = events.filter(space__slug=filters.space_slug)
    if filters.district:
        events = events.filter(district__iexact=filters.district)
    if filters.topic_id:
        events = events.filter(topic_id=filters.topic_id)
    if not filters.include_cancelled:
        events = events.exclude(status=EventStatus.CANCELLED)
    return events


def occurrences_for(
    *,
    user,
    start: datetime.datetime,
    end: datetime.datetime,
    filters: Filters | None = None,
    cap: int = recurrence.DEFAULT_CAP,
    with_text: bool = True,
) -> tuple[list[recurrence.Occurrence], bool]:
    """What a calendar view shows for [start, end): one query, whatever the number of events;
    (occurrences, whether the cap cut them). `with_text=False` leaves out the descriptions
    (and their search vectors), which a calendar grid does not show: a busy month loads
    hundreds of events, and those columns were most of the bytes read and decoded."""
    events = in_range(events_listed_for(user=user), start=start, end=end)
    events = with_counts(filtered(events, filters or Filters()))
    if not with_text:
        events = events.defer("description", "search")
    return recurrence.expand(list(events), start=start, end=end, cap=cap)


@dataclass
class MonthDay:
    date: datetime.date
    in_month: bool
    is_today: bool
    occurrences: list = field(default_factory=list)
    more: int = 0  # occurrences left out of a month cell (month_grid's `per_day`)


# What the month grid reads of an event: occurrence_link and recurrence.expand.
MONTH_FIELDS = (
    "pk",
    "title",
    "starts_at",
    "ends_at",
    "all_day",
    "status",
    "rrule",
    "exdates",
    "timezone",
    "series_ends_at",
)

# Occurrences a day of the month view shows; the rest are counted and linked to the agenda, so
# that a busy portal's month stays a page of at most 42 × 3 entries.
MONTH_PER_DAY = 3


@dataclass
class Month:
    weeks: list[list[MonthDay]]
    count: int  # dates in the grid's range, all of them, shown or not
    cut: bool  # a series had more dates than a page expands (recurrence.DEFAULT_CAP)


# For each day of the grid, how many single events touch it and which `per_day` of them start
# first; and how many single events the whole range has (day 0). `visible` is the visibility
# selector's query, materialised once: every day reads the same few hundred rows.
_MONTH_SINGLES_SQL = """
WITH visible (id, starts_at, ends_at) AS MATERIALIZED ({visible})
SELECT day.n,
       (SELECT count(*) FROM visible v WHERE v.starts_at < day.e AND v.ends_at > day.s),
       ARRAY(SELECT v.id FROM visible v WHERE v.starts_at < day.e AND v.ends_at > day.s
             ORDER BY v.starts_at, v.id LIMIT %s)
FROM unnest(%s::timestamptz[], %s::timestamptz[]) WITH ORDINALITY AS day (s, e, n)
UNION ALL
SELECT 0, (SELECT count(*) FROM visible v
           WHERE v.starts_at < %s AND (v.ends_at > %s OR v.starts_at >= %s)), NULL
"""


def month_of(
    *,
    user,
    first: datetime.date,
    tz,
    today: datetime.date,
    filters: Filters | None = None,
    per_day: int = MONTH_PER_DAY,
) -> Month:
    """The month view: weeks (Monday first) covering the month of `first`, each day with its
    first `per_day` occurrences (by start) and the number left out as `more`.

    Two queries whatever the number of events. A busy portal's month has hundreds of single
    events but the grid shows at most 42 × `per_day`: which ones, and how many each day has,
    is decided in SQL (`_MONTH_SINGLES_SQL`), and only the shown ones are loaded. Series are
    loaded whole and expanded in Python (recurrence), as their dates exist nowhere as rows.
    A day's entries are the same as days_of would give: an occurrence touches every day from
    its start to the moment before its end."""
    grid_start = first - datetime.timedelta(days=first.weekday())
    next_month = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    count = (next_month - grid_start).days
    count += -count % 7
    bounds = [
        datetime.datetime.combine(grid_start + datetime.timedelta(days=i), datetime.time(), tz)
        for i in range(count + 1)
    ]
    start, end = bounds[0], bounds[-1]

    listed = filtered(
        in_range(events_listed_for(user=user), start=start, end=end), filters or Filters()
    )
    visible_sql, visible_params = (
        listed.filter(rrule="").order_by().values_list("pk", "starts_at", "ends_at").query
    ).sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            _MONTH_SINGLES_SQL.format(visible=visible_sql),
            [*visible_params, per_day, bounds[:-1], bounds[1:], end, start, start],
        )
        rows = {n: (touching, ids or []) for n, touching, ids in cursor.fetchall()}
    shown = {pk for _touching, ids in rows.values() for pk in ids}
    # The series and the single events shown, in one query, with only what a grid entry
    # (events.templatetags.occurrences) and the expansion of a series read: no joined space,
    # category or topic, no RSVP count (half the month view's time in loading rows).
    events = listed.filter(~Q(rrule="") | Q(pk__in=shown)).only(*MONTH_FIELDS)
    loaded, series_events = {}, []
    for event in events:
        if event.rrule:
            series_events.append(event)
        else:
            loaded[event.pk] = event
    series, cut = recurrence.expand(series_events, start=start, end=end)

    days = days_of(series, first=grid_start, count=count, tz=tz, today=today)
    for number, day in enumerate(days, start=1):
        touching, ids = rows[number]
        of_series = len(day.occurrences)
        day.occurrences.extend(
            recurrence.Occurrence(loaded[pk], loaded[pk].starts_at, loaded[pk].ends_at)
            for pk in ids
            if pk in loaded  # deleted between the two reads
        )
        day.occurrences.sort(key=lambda o: (o.start, o.event.pk))
        day.in_month = day.date.month == first.month
        day.more = max(of_series + touching - per_day, 0)
        del day.occurrences[per_day:]
    return Month(
        weeks=[days[i : i + 7] for i in range(0, count, 7)],
        count=rows[0][0] + len(series),
        cut=cut,
    )


def days_of(
    occurrences: list[recurrence.Occurrence],
    *,
    first: datetime.date,
    count: int,
    tz,
    today: datetime.date,
) -> list[MonthDay]:
    """`count` days from `first`, each with the occurrences touching it (week and agenda)."""
    days = [
        MonthDay(
            first + datetime.timedelta(days=i), True, first + datetime.timedelta(days=i) == today
        )
        for i in range(count)
    ]
    by_date = {day.date: day for day in days}
    for occurrence in occurrences:
        day = occurrence.start.astimezone(tz).date()
        last = (occurrence.end - datetime.timedelta(microseconds=1)).astimezone(tz).date()
        while day <= last:
            if day in by_date:
                by_date[day].occurrences.append(occurrence)
            day += datetime.timedelta(days=1)
    return days


def is_over(event: Event, *, now: datetime.datetime | None = None) -> bool:
    """Its last date has ended (a series without end never is). `series_ends_at` is the end
    of the last occurrence, the event's own end for a single one (events.services.validated)."""
    from django.utils import timezone

    return event.series_ends_at is not None and event.series_ends_at < (now or timezone.now())


def not_over(events: QuerySet[Event], *, now: datetime.datetime) -> QuerySet[Event]:
    """The same rule as is_over, in SQL."""
    return events.filter(Q(series_ends_at__isnull=True) | Q(series_ends_at__gte=now))


def can_answer(*, user, event: Event) -> bool:
    """Whether the RSVP buttons make sense: a member, a scheduled event that is not over."""
    return _is_member(user) and not event.is_cancelled and not is_over(event)


def describe_rule(event: Event) -> str:
    """The repetition in words ("every week, until 31.12.2026"); "" for a single event."""
    from django.utils import formats
    from django.utils.translation import gettext as _

    if not event.rrule:
        return ""
    from events.forms import REPEATS, preset_of

    preset = preset_of(event.rrule)
    words = dict(REPEATS).get(preset)
    text = str(words) if words else _("repeats (%(rule)s)") % {"rule": event.rrule}
    if preset == "monthly_weekday":
        text = _("every month on the same weekday")
    if event.series_ends_at is not None:
        last = event.series_ends_at.astimezone(recurrence.zone(event.timezone)).date()
        text = _("%(repeats)s, until %(date)s") % {
            "repeats": text,
            "date": formats.date_format(last, "SHORT_DATE_FORMAT"),
        }
    return text


def can_manage(*, user, event: Event) -> bool:
    """Edit, reschedule, cancel: the organiser, the space's admins, the portal's moderators
    and admins; an imported event only through its source calendar."""
    from spaces.selectors import can_moderate, is_portal_staff

    if not _is_member(user) or event.is_imported:
        return False
    if event.organiser_id == user.pk or is_portal_staff(user):
        return True
    return event.space is not None and can_moderate(user=user, space=event.space)


def can_create(*, user, space=None) -> bool:
    """Portal-wide events: every active member; a space's events: its active members."""
    from spaces.selectors import can_contribute

    if not _is_member(user) or not enabled_here(FEATURE):
        return False
    return space is None or can_contribute(user=user, space=space)


# Collision hints ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clash:
    occurrence: recurrence.Occurrence
    reasons: tuple[str, ...]  # "area", "nearby", "category", "target_group"


def distance_km(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance (haversine); good to metres at a city's scale."""
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    dphi = phi2 - phi1
    dlambda = math.radians(float(lon2) - float(lon1))
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def collisions(
    *,
    user,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    district: str = "",
    latitude=None,
    longitude=None,
    category_id: int | None = None,
    target_group: str = "",
    exclude_pk: int | None = None,
    radius_km: float = NEARBY_KM,
) -> list[Clash]:
    """Scheduled events the viewer can see that overlap [starts_at, ends_at) in time and share
    the district, lie within `radius_km`, or share the category or a specific target group."""
    if ends_at <= starts_at:
        ends_at = starts_at + datetime.timedelta(minutes=1)
    events = in_range(events_listed_for(user=user), start=starts_at, end=ends_at).exclude(
        status=EventStatus.CANCELLED
    )
    if exclude_pk:
        events = events.exclude(pk=exclude_pk)
    found, _cut = recurrence.expand(
        list(events.select_related("space", "category")), start=starts_at, end=ends_at, cap=200
    )
    clashes = []
    for occurrence in found:
        other = occurrence.event
        reasons = []
        if district and other.district and other.district.casefold() == district.casefold():
            reasons.append("area")
        if (
            latitude is not None
            and longitude is not None
            and other.latitude is not None
            and other.longitude is not None
            and distance_km(latitude, longitude, other.latitude, other.longitude) <= radius_km
        ):
            reasons.append("nearby")
        if category_id and other.category_id == category_id:
            reasons.append("category")
        if (
            target_group
            and target_group != TargetGroup.EVERYONE
            and other.target_group == target_group
        ):
            reasons.append("target_group")
        if reasons:
            clashes.append(Clash(occurrence, tuple(reasons)))
    return clashes[:COLLISION_LIMIT]


def collisions_for(*, user, values: dict, exclude_pk: int | None = None, dates: int = 10):
    """Collision hints for validated event values (events.services.validated): the first
    `dates` occurrences of a series are each checked, so a weekly meeting that clashes in its
    third week is caught too. One query per date checked."""
    probe = Event(**{k: v for k, v in values.items() if k not in ("category", "topic")})
    probe.category_id = values["category"].pk if values.get("category") else None
    probe.pk = exclude_pk
    horizon = values["starts_at"] + datetime.timedelta(days=366)
    dates_checked = (
        recurrence.occurrences_of(probe, start=values["starts_at"], end=horizon, cap=dates)
        if probe.rrule
        else None
    )
    windows = (
        [(o.start, o.end) for o in dates_checked]
        if dates_checked
        else [(values["starts_at"], values["ends_at"])]
    )
    seen: set[str] = set()
    found: list[Clash] = []
    for start, end in windows:
        for clash in collisions(
            user=user,
            starts_at=start,
            ends_at=end,
            district=values.get("district") or "",
            latitude=values.get("latitude"),
            longitude=values.get("longitude"),
            category_id=probe.category_id,
            target_group=values.get("target_group") or "",
            exclude_pk=exclude_pk,
        ):
            if clash.occurrence.key not in seen:
                seen.add(clash.occurrence.key)
                found.append(clash)
    return found[:COLLISION_LIMIT]


# Pages ----------------------------------------------------------------------------------------


def organising_spaces(*, user):
    """The spaces `user` may organise an event for: those they may write in."""
    from spaces.models import Space
    from spaces.selectors import member_spaces

    if not _is_member(user) or not enabled_here("spaces"):
        return Space.objects.none()
    return member_spaces(user=user).filter(archived_at__isnull=True).order_by("name", "pk")


def categories():
    from events.models import EventCategory

    return EventCategory.objects.all()


def topics():
    from accounts.models import Topic

    return Topic.objects.all()


def districts(*, user) -> list[str]:
    """The districts of listed events, for the filter (one query, one index probe a
    district whatever the number of events: core.distinct)."""
    return distinct_values(events_listed_for(user=user), "district", limit=200)


def upcoming(*, user, filters: Filters | None = None, now=None) -> QuerySet[Event]:
    """Listed events that are not over yet (a series until its last date), soonest first,
    with their counts: the list view, the space's page, the RSS feed and the API."""
    return upcoming_of(filtered(events_listed_for(user=user), filters or Filters()), now=now)


def upcoming_of(events: QuerySet[Event], *, now=None) -> QuerySet[Event]:
    """`events` that are not over yet, soonest first, with their counts."""
    from django.utils import timezone

    events = not_over(events, now=now or timezone.now())
    return with_counts(events).select_related("organiser").order_by("starts_at", "pk")


def has_public_feed(*, space) -> bool:
    """A space's own iCal feed exists for spaces whose events anyone may read."""
    from django.contrib.auth.models import AnonymousUser

    from spaces.selectors import spaces_listed_for

    return spaces_listed_for(user=AnonymousUser()).filter(pk=space.pk).exists()


def own_events(*, user) -> QuerySet[Event]:
    """A member's own calendar (their page and their secret feed): what they organise, what
    they answered, and their spaces' events; all as listed to them."""
    if not _is_member(user):
        return Event.objects.none()
    from spaces.selectors import member_spaces

    return (
        events_listed_for(user=user)
        .filter(
            Q(organiser=user)
            | Q(rsvps__user=user)
            | Q(space__in=member_spaces(user=user).values("pk"))
        )
        .distinct()
    )


def in_feed_window(events: QuerySet[Event], *, now=None) -> QuerySet[Event]:
    """What a calendar feed carries: events touching [now - FEED_PAST, now + FEED_FUTURE)."""
    from django.utils import timezone

    now = now or timezone.now()
    return in_range(
        events, start=now - recurrence.FEED_PAST, end=now + recurrence.FEED_FUTURE
    ).select_related("category", "space")


@dataclass(frozen=True)
class Answers:
    going: int
    maybe: int
    waiting: int
    mine: str  # the viewer's answer, "" for none
    position: int | None  # the viewer's place on the waiting list

    def places_left(self, capacity: int | None) -> int | None:
        return None if capacity is None else max(capacity - self.going, 0)


def answers(*, user, event: Event) -> Answers:
    """The counts of an event's answers and the viewer's own (two queries)."""
    from events.models import Rsvp

    counts = dict(
        Rsvp.objects.filter(event=event)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    mine, position = "", None
    if _is_member(user):
        rsvp = Rsvp.objects.filter(event=event, user=user).first()
        if rsvp is not None:
            mine = rsvp.status
            if rsvp.status == RsvpStatus.WAITING:
                position = (
                    Rsvp.objects.filter(event=event, status=RsvpStatus.WAITING)
                    .filter(
                        Q(created_at__lt=rsvp.created_at)
                        | Q(created_at=rsvp.created_at, pk__lt=rsvp.pk)
                    )
                    .count()
                    + 1
                )
    return Answers(
        going=counts.get(RsvpStatus.GOING, 0),
        maybe=counts.get(RsvpStatus.MAYBE, 0),
        waiting=counts.get(RsvpStatus.WAITING, 0),
        mine=mine,
        position=position,
    )


def attendees(*, user, event: Event):
    """Who answered, for those who run the event (names are not public)."""
    from events.models import Rsvp

    if not can_manage(user=user, event=event):
        return Rsvp.objects.none()
    return (
        Rsvp.objects.filter(event=event)
        .select_related("user")
        .order_by("status", "created_at", "pk")
    )


def subscriptions_of(*, space):
    from events.models import CalendarSubscription

    return CalendarSubscription.objects.filter(space=space).order_by("created_at", "pk")


def can_subscribe(*, user, space) -> bool:
    """Subscribing a space to an outside calendar: its admins and the portal's staff (the
    rule is events.imports.can_manage_subscriptions, which the services apply)."""
    from events.imports import can_manage_subscriptions

    return enabled_here(FEATURE) and can_manage_subscriptions(user=user, space=space)


# Feeds ----------------------------------------------------------------------------------------


def user_for_feed_token(token: str):
    """The active member whose feed `token` is, or None (unknown, revoked, blocked)."""
    if not token or len(token) > 64:
        return None
    row = FeedToken.objects.select_related("user").filter(token=token).first()
    if row is None or not row.user.is_active:
        return None
    return row.user
