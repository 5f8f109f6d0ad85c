"""Who sees which events, the hints about clashing dates, and the month grid, which costs the
same number of queries with 10 events or 500."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.distinct import distinct_values
from events import selectors, services
from events.models import Event
from events.selectors import Filters
from spaces.models import SpaceVisibility
from tests.events.conftest import BERLIN, at
from tests.events.factories import bulk_events, event_of
from tests.spaces.factories import space_of


def test_a_private_space_s_events_are_seen_and_listed_only_by_its_members(people):
    private = space_of(
        visibility=SpaceVisibility.PRIVATE, admin=people.organiser, members=[people.member]
    )
    public = space_of(visibility=SpaceVisibility.PUBLIC, admin=people.organiser)
    secret = event_of(organiser=people.organiser, space=private, starts_at=at(2027, 1, 5, 18))
    open_event = event_of(organiser=people.organiser, space=public, starts_at=at(2027, 1, 6, 18))
    portal_wide = event_of(organiser=people.organiser, starts_at=at(2027, 1, 7, 18))

    def listed(user):
        return set(selectors.events_listed_for(user=user))

    assert listed(people.member) == {secret, open_event, portal_wide}
    assert listed(people.other) == {open_event, portal_wide}
    assert listed(AnonymousUser()) == {open_event, portal_wide}
    # Moderators reach the private space's event by its page, but lists leave it out.
    assert selectors.events_visible_to(user=people.moderator).filter(pk=secret.pk).exists()
    assert secret not in listed(people.moderator)


def test_a_hidden_event_stays_with_its_organiser_and_the_moderators(people):
    event = event_of(organiser=people.organiser, starts_at=at(2027, 1, 5, 18))
    Event.objects.filter(pk=event.pk).update(hidden_at=at(2027, 1, 1, 0))
    assert not selectors.events_visible_to(user=people.other).filter(pk=event.pk).exists()
    assert selectors.events_visible_to(user=people.organiser).filter(pk=event.pk).exists()
    assert selectors.events_visible_to(user=people.moderator).filter(pk=event.pk).exists()
    assert not selectors.events_listed_for(user=people.moderator).filter(pk=event.pk).exists()


def _clash_reasons(people, **asked):
    found = selectors.collisions(user=people.member, **asked)
    return {clash.occurrence.event.title: clash.reasons for clash in found}


def test_clashes_need_overlapping_time_and_something_in_common(people):
    workshop = services.category_save(actor=people.moderator, name="Workshop")
    event_of(
        organiser=people.organiser,
        title="Klimafest",
        starts_at=at(2027, 5, 8, 14),
        hours=4,
        district="Gaarden",
        latitude="54.3150",
        longitude="10.1500",
        category_id=workshop.pk,
        target_group="families",
    )
    event_of(
        organiser=people.organiser,
        title="Anderswo",
        starts_at=at(2027, 5, 8, 14),
        district="Holtenau",
    )
    same_slot = {"starts_at": at(2027, 5, 8, 15), "ends_at": at(2027, 5, 8, 17)}

    assert _clash_reasons(people, **same_slot, district="gaarden") == {"Klimafest": ("area",)}
    # 400 m away counts as the same area, 20 km does not.
    near = _clash_reasons(
        people, **same_slot, latitude=Decimal("54.3180"), longitude=Decimal("10.1530")
    )
    assert near == {"Klimafest": ("nearby",)}
    assert _clash_reasons(people, **same_slot, latitude=54.5, longitude=10.3) == {}
    assert _clash_reasons(people, **same_slot, category_id=workshop.pk) == {
        "Klimafest": ("category",)
    }
    assert _clash_reasons(people, **same_slot, target_group="families") == {
        "Klimafest": ("target_group",)
    }
    # "Everyone" is no specific audience and clashes with nothing by itself.
    assert _clash_reasons(people, **same_slot, target_group="everyone") == {}
    # Same area, but the next day: no clash.
    assert (
        _clash_reasons(
            people, starts_at=at(2027, 5, 9, 15), ends_at=at(2027, 5, 9, 17), district="Gaarden"
        )
        == {}
    )
    # Back to back is no overlap.
    assert (
        _clash_reasons(
            people, starts_at=at(2027, 5, 8, 18), ends_at=at(2027, 5, 8, 20), district="Gaarden"
        )
        == {}
    )


def test_an_occurrence_of_a_series_clashes_and_a_cancelled_event_does_not(people):
    series = event_of(
        organiser=people.organiser,
        title="Plenum",
        starts_at=at(2027, 1, 5, 19),
        rrule="FREQ=WEEKLY",
        district="Gaarden",
    )
    found = _clash_reasons(
        people, starts_at=at(2027, 3, 30, 19, 30), ends_at=at(2027, 3, 30, 21), district="Gaarden"
    )
    assert found == {"Plenum": ("area",)}
    services.event_cancel(actor=people.organiser, event=series)
    assert (
        _clash_reasons(
            people,
            starts_at=at(2027, 3, 30, 19, 30),
            ends_at=at(2027, 3, 30, 21),
            district="Gaarden",
        )
        == {}
    )


def _tuesday_plenum(people, *, hour: int) -> None:
    event_of(
        organiser=people.organiser,
        title="Plenum",
        starts_at=at(2027, 2, 2, hour),
        rrule="FREQ=WEEKLY;BYDAY=TU",
    )


def test_a_month_shows_series_and_single_events_on_their_days(people):
    _tuesday_plenum(people, hour=19)
    event_of(organiser=people.organiser, title="Fest", starts_at=at(2027, 2, 13, 12))
    month = selectors.month_of(
        user=people.member,
        first=datetime.date(2027, 2, 1),
        tz=BERLIN,
        today=at(2027, 2, 13, 0).date(),
    )
    assert not month.cut
    weeks = month.weeks
    days = {day.date: [o.event.title for o in day.occurrences] for week in weeks for day in week}
    # The grid runs Monday 1 February to Sunday 28 February 2027: four Tuesdays and the fest.
    assert [d.day for d, titles in sorted(days.items()) if "Plenum" in titles] == [2, 9, 16, 23]
    assert days[datetime.date(2027, 2, 13)] == ["Fest"]
    assert all(len(week) == 7 for week in weeks) and weeks[0][0].date.weekday() == 0
    assert month.count == 5
    today = [day for week in weeks for day in week if day.is_today]
    assert [day.date for day in today] == [datetime.date(2027, 2, 13)]


def test_filters_narrow_the_calendar(people):
    space = space_of(admin=people.organiser, slug="klimagruppe")
    event_of(
        organiser=people.organiser, space=space, title="In der Gruppe", starts_at=at(2027, 2, 3, 18)
    )
    event_of(organiser=people.organiser, title="Portalweit", starts_at=at(2027, 2, 4, 18))
    occurrences, _cut = selectors.occurrences_for(
        user=people.member,
        start=at(2027, 2, 1, 0),
        end=at(2027, 3, 1, 0),
        filters=Filters(space_slug="klimagruppe"),
    )
    assert [o.event.title for o in occurrences] == ["In der Gruppe"]


def _month_queries(user) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        occurrences, _cut = selectors.occurrences_for(
            user=user, start=at(2027, 2, 1, 0), end=at(2027, 3, 1, 0)
        )
        for occurrence in occurrences:
            _ = (occurrence.event.space, occurrence.event.category, occurrence.event.going_count)
    return len(queries), len(occurrences)


def test_the_month_costs_the_same_queries_with_10_or_500_events(people):
    space = space_of(admin=people.organiser)
    bulk_events(organiser=people.organiser, space=space, count=10, prefix="Termin")
    _month_queries(people.member)  # the portal's modules and rules, read once and cached
    few_queries, few = _month_queries(people.member)
    bulk_events(organiser=people.organiser, space=space, count=490, prefix="Mehr", hour=14)
    many_queries, many = _month_queries(people.member)
    assert (few, many) == (10, 500)
    assert many_queries == few_queries


def _month(user, **filters) -> dict:
    month = selectors.month_of(
        user=user,
        first=datetime.date(2027, 2, 1),
        tz=BERLIN,
        today=datetime.date(2027, 2, 1),
        filters=Filters(**filters),
    )
    return {day.date: day for week in month.weeks for day in week}


def test_a_busy_day_of_the_month_shows_its_first_few_and_counts_the_rest(people):
    for hour in range(8, 8 + selectors.MONTH_PER_DAY + 2):
        event_of(organiser=people.organiser, title=f"Um {hour}", starts_at=at(2027, 2, 10, hour))
    event_of(organiser=people.organiser, title="Allein", starts_at=at(2027, 2, 11, 18))
    days = _month(people.member)
    busy, quiet = days[datetime.date(2027, 2, 10)], days[datetime.date(2027, 2, 11)]
    assert [o.event.title for o in busy.occurrences] == ["Um 8", "Um 9", "Um 10"]
    assert busy.more == 2
    assert ([o.event.title for o in quiet.occurrences], quiet.more) == (["Allein"], 0)


def test_a_day_shows_the_first_starting_of_series_and_single_events_together(people):
    _tuesday_plenum(people, hour=9)
    # Three days long, from the Monday: on Tuesday it began first of all.
    event_of(
        organiser=people.organiser, title="Aktionstage", starts_at=at(2027, 2, 8, 10), hours=72
    )
    for hour in (8, 12, 18):
        event_of(organiser=people.organiser, title=f"Um {hour}", starts_at=at(2027, 2, 9, hour))
    days = _month(people.member)
    tuesday = days[datetime.date(2027, 2, 9)]
    assert [o.event.title for o in tuesday.occurrences] == ["Aktionstage", "Um 8", "Plenum"]
    assert tuesday.more == 2
    assert [o.event.title for o in days[datetime.date(2027, 2, 10)].occurrences] == ["Aktionstage"]
    # It ends at 10:00 on the Thursday, which it still touches; Friday it does not.
    assert [o.event.title for o in days[datetime.date(2027, 2, 11)].occurrences] == ["Aktionstage"]
    assert days[datetime.date(2027, 2, 12)].occurrences == []
    assert [o.event.title for o in days[datetime.date(2027, 2, 16)].occurrences] == ["Plenum"]


def test_the_month_shows_only_what_the_viewer_may_see_and_what_the_filters_keep(people):
    secret = space_of(visibility=SpaceVisibility.PRIVATE, admin=people.organiser)
    event_of(organiser=people.organiser, space=secret, title="Intern", starts_at=at(2027, 2, 3, 18))
    group = space_of(admin=people.organiser, slug="klimagruppe")
    event_of(organiser=people.organiser, space=group, title="Gruppe", starts_at=at(2027, 2, 3, 19))
    event_of(organiser=people.organiser, title="Offen", starts_at=at(2027, 2, 3, 20))
    third = datetime.date(2027, 2, 3)
    assert [o.event.title for o in _month(people.member)[third].occurrences] == ["Gruppe", "Offen"]
    # Positive control: the private space's admin sees its event too.
    titles = [o.event.title for o in _month(people.organiser)[third].occurrences]
    assert titles == ["Intern", "Gruppe", "Offen"]
    filtered = _month(people.member, space_slug="klimagruppe")[third]
    assert ([o.event.title for o in filtered.occurrences], filtered.more) == (["Gruppe"], 0)


def test_a_month_of_more_dates_than_a_page_expands_still_fills_its_last_days(people):
    space = space_of(admin=people.organiser)
    bulk_events(organiser=people.organiser, space=space, count=1200, prefix="Viel")
    days = _month(people.member)
    last = days[datetime.date(2027, 2, 27)]  # bulk_events fill 1 to 27 February
    assert len(last.occurrences) == selectors.MONTH_PER_DAY and last.more > 0
    total = sum(len(day.occurrences) + day.more for day in days.values())
    assert total == 1200


def test_the_calendar_offers_the_districts_of_the_events_a_person_may_see(people):
    private = space_of(
        visibility=SpaceVisibility.PRIVATE, admin=people.organiser, members=[people.member]
    )
    event_of(
        organiser=people.organiser, space=private, starts_at=at(2027, 1, 5, 18), district="Wik"
    )
    for n, district in enumerate(["Mitte", "Gaarden", "Mitte", "", "Holtenau"]):
        event_of(organiser=people.organiser, starts_at=at(2027, 1, 6 + n, 18), district=district)
    hidden = event_of(organiser=people.other, starts_at=at(2027, 2, 1, 18), district="Düsternbrook")
    Event.objects.filter(pk=hidden.pk).update(hidden_at=at(2027, 1, 1, 0))

    # Positive control: the private space's member is offered its district.
    assert selectors.districts(user=people.member) == ["Gaarden", "Holtenau", "Mitte", "Wik"]
    assert selectors.districts(user=people.other) == ["Gaarden", "Holtenau", "Mitte"]
    assert selectors.districts(user=AnonymousUser()) == ["Gaarden", "Holtenau", "Mitte"]


def test_the_district_filter_costs_one_query_and_stops_at_its_limit(people):
    for n in range(6):
        event_of(organiser=people.organiser, starts_at=at(2027, 3, 1 + n, 18), district=f"D{n}")
    listed = selectors.events_listed_for(user=people.other)
    with CaptureQueriesContext(connection) as queries:
        first = distinct_values(listed, "district", limit=4)
    assert first == ["D0", "D1", "D2", "D3"]
    assert len(queries) == 1
