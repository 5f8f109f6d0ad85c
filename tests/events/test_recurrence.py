"""Expanding events into occurrences, without a database: a series keeps its wall-clock time
across daylight-saving changes, exdates drop single dates, a rule without end costs only the
range asked for, and parse_rule turns unreadable or too frequent rules into ValidationErrors."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from events import recurrence

BERLIN = ZoneInfo("Europe/Berlin")
UTC = datetime.UTC


def berlin(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=BERLIN)


def event(
    *,
    pk=1,
    starts_at,
    ends_at=None,
    rrule="",
    timezone="Europe/Berlin",
    exdates=(),
):
    return SimpleNamespace(
        pk=pk,
        starts_at=starts_at,
        ends_at=ends_at or starts_at + datetime.timedelta(hours=1),
        rrule=rrule,
        timezone=timezone,
        exdates=list(exdates),
    )


def local_starts(occurrences):
    return [o.start.astimezone(BERLIN).replace(tzinfo=None) for o in occurrences]


# Wall-clock time across daylight-saving time


def test_a_weekly_series_stays_at_19_00_when_summer_time_ends():
    # Tuesday 20 October 2026, 19:00 CEST; summer time ends on Sunday 25 October.
    series = event(starts_at=berlin(2026, 10, 20, 19), rrule="FREQ=WEEKLY")
    found, cut = recurrence.expand([series], start=berlin(2026, 10, 19), end=berlin(2026, 11, 4))

    assert not cut
    assert [o.start.date() for o in found] == [
        datetime.date(2026, 10, 20),
        datetime.date(2026, 10, 27),
        datetime.date(2026, 11, 3),
    ]
    assert all(o.start.astimezone(BERLIN).hour == 19 for o in found)
    assert all(o.end.astimezone(BERLIN).hour == 20 for o in found)
    before, after = found[0], found[1]
    assert before.start.utcoffset() == datetime.timedelta(hours=2)
    assert after.start.utcoffset() == datetime.timedelta(hours=1)
    assert before.start.astimezone(UTC).hour == 17
    assert after.start.astimezone(UTC).hour == 18


def test_a_weekly_series_stays_at_19_00_when_summer_time_starts():
    # Summer time starts on Sunday 28 March 2027; the series began in October 2026.
    series = event(starts_at=berlin(2026, 10, 20, 19), rrule="FREQ=WEEKLY")
    found, _cut = recurrence.expand([series], start=berlin(2027, 3, 22), end=berlin(2027, 4, 7))

    assert [o.start.date() for o in found] == [
        datetime.date(2027, 3, 23),
        datetime.date(2027, 3, 30),
        datetime.date(2027, 4, 6),
    ]
    assert all(o.start.astimezone(BERLIN).hour == 19 for o in found)
    assert found[0].start.utcoffset() != found[1].start.utcoffset()
    assert found[0].start.astimezone(UTC).hour == 18
    assert found[1].start.astimezone(UTC).hour == 17


def test_the_wall_clock_time_is_that_of_the_event_s_own_zone():
    # 19:00 in New York is 01:00 the next morning in Berlin, also after Berlin's change.
    new_york = ZoneInfo("America/New_York")
    series = event(
        starts_at=datetime.datetime(2026, 10, 20, 19, tzinfo=new_york),
        rrule="FREQ=WEEKLY;COUNT=3",
        timezone="America/New_York",
    )
    found, _cut = recurrence.expand([series], start=berlin(2026, 10, 1), end=berlin(2026, 12, 1))

    assert [o.start.astimezone(new_york).hour for o in found] == [19, 19, 19]


# Exdates


def test_an_exdate_removes_exactly_that_occurrence():
    series = event(
        starts_at=berlin(2026, 10, 20, 19),
        rrule="FREQ=WEEKLY",
        exdates=[berlin(2026, 10, 27, 19)],
    )
    found, _cut = recurrence.expand([series], start=berlin(2026, 10, 19), end=berlin(2026, 11, 11))

    assert [o.start.date() for o in found] == [
        datetime.date(2026, 10, 20),
        datetime.date(2026, 11, 3),
        datetime.date(2026, 11, 10),
    ]


def test_an_exdate_given_in_utc_matches_the_same_instant():
    series = event(
        starts_at=berlin(2026, 10, 20, 19),
        rrule="FREQ=WEEKLY",
        # 19:00 CET on 3 November is 18:00 UTC.
        exdates=[datetime.datetime(2026, 11, 3, 18, tzinfo=UTC)],
    )
    found, _cut = recurrence.expand([series], start=berlin(2026, 10, 19), end=berlin(2026, 11, 11))

    assert datetime.date(2026, 11, 3) not in [o.start.date() for o in found]
    assert len(found) == 3


def test_an_exdate_at_another_time_of_day_removes_nothing():
    series = event(
        starts_at=berlin(2026, 10, 20, 19),
        rrule="FREQ=WEEKLY",
        exdates=[berlin(2026, 10, 27, 18)],
    )
    found, _cut = recurrence.expand([series], start=berlin(2026, 10, 19), end=berlin(2026, 11, 4))

    assert len(found) == 3


# Rules without end and the cap


def test_a_daily_rule_without_end_yields_one_occurrence_per_day_of_the_month():
    series = event(starts_at=berlin(2026, 1, 1, 9), rrule="FREQ=DAILY")
    found, cut = recurrence.expand([series], start=berlin(2026, 3, 1), end=berlin(2026, 4, 1))

    assert len(found) == 31
    assert not cut
    assert found[0].start == berlin(2026, 3, 1, 9)
    assert found[-1].start == berlin(2026, 3, 31, 9)
    # Summer time starts on 29 March: still 09:00 every day.
    assert {o.start.astimezone(BERLIN).hour for o in found} == {9}


def test_the_cap_limits_the_number_of_occurrences():
    series = event(starts_at=berlin(2026, 1, 1, 9), rrule="FREQ=DAILY")
    found, _cut = recurrence.expand(
        [series], start=berlin(2026, 3, 1), end=berlin(2026, 4, 1), cap=5
    )

    assert local_starts(found) == [datetime.datetime(2026, 3, day, 9) for day in range(1, 6)]


def test_the_cap_across_several_events_says_the_list_was_cut():
    morning = event(pk=1, starts_at=berlin(2026, 1, 1, 9), rrule="FREQ=DAILY")
    evening = event(pk=2, starts_at=berlin(2026, 1, 1, 19), rrule="FREQ=DAILY")
    found, cut = recurrence.expand(
        [evening, morning], start=berlin(2026, 3, 1), end=berlin(2026, 4, 1), cap=5
    )

    assert cut
    assert len(found) == 5
    assert [(o.event.pk, o.start.astimezone(BERLIN).hour) for o in found] == [
        (1, 9),
        (2, 19),
        (1, 9),
        (2, 19),
        (1, 9),
    ]


def test_the_cap_on_a_single_endless_series_says_the_list_was_cut():
    series = event(starts_at=berlin(2026, 1, 1, 9), rrule="FREQ=DAILY")
    found, cut = recurrence.expand(
        [series], start=berlin(2026, 3, 1), end=berlin(2026, 4, 1), cap=5
    )

    assert len(found) == 5
    assert cut


def test_the_per_event_cap_limits_each_series():
    morning = event(pk=1, starts_at=berlin(2026, 1, 1, 9), rrule="FREQ=DAILY")
    evening = event(pk=2, starts_at=berlin(2026, 1, 1, 19), rrule="FREQ=DAILY")
    found, cut = recurrence.expand(
        [morning, evening],
        start=berlin(2026, 3, 1),
        end=berlin(2026, 4, 1),
        per_event_cap=2,
    )

    assert not cut
    assert [o.event.pk for o in found] == [1, 2, 1, 2]


def test_occurrences_of_stops_at_the_cap():
    series = event(starts_at=berlin(2026, 1, 1, 9), rrule="FREQ=HOURLY")
    found = list(
        recurrence.occurrences_of(series, start=berlin(2026, 1, 1), end=berlin(2100, 1, 1), cap=3)
    )

    assert [o.start for o in found] == [
        berlin(2026, 1, 1, 9),
        berlin(2026, 1, 1, 10),
        berlin(2026, 1, 1, 11),
    ]
    assert all(o.recurrence_id == o.start for o in found)


# Occurrences at the edges of the range


def test_an_occurrence_that_began_before_the_range_but_ends_inside_is_included():
    # Every day 22:00 to 02:00: the night of 28 February reaches into March.
    series = event(
        starts_at=berlin(2026, 1, 1, 22),
        ends_at=berlin(2026, 1, 2, 2),
        rrule="FREQ=DAILY",
    )
    found, _cut = recurrence.expand([series], start=berlin(2026, 3, 1), end=berlin(2026, 3, 3))

    assert [o.start for o in found] == [
        berlin(2026, 2, 28, 22),
        berlin(2026, 3, 1, 22),
        berlin(2026, 3, 2, 22),
    ]
    assert found[0].end == berlin(2026, 3, 1, 2)


def test_an_occurrence_that_ended_before_the_range_is_not_included():
    series = event(
        starts_at=berlin(2026, 1, 1, 20),
        ends_at=berlin(2026, 1, 1, 23),
        rrule="FREQ=DAILY",
    )
    found, _cut = recurrence.expand([series], start=berlin(2026, 3, 1), end=berlin(2026, 3, 3))

    assert [o.start for o in found] == [berlin(2026, 3, 1, 20), berlin(2026, 3, 2, 20)]


def test_an_occurrence_that_ends_exactly_at_the_start_of_the_range_is_not_included():
    series = event(
        starts_at=berlin(2026, 1, 1, 22),
        ends_at=berlin(2026, 1, 2, 0),
        rrule="FREQ=DAILY",
    )
    found, _cut = recurrence.expand([series], start=berlin(2026, 3, 1), end=berlin(2026, 3, 2))

    assert [o.start for o in found] == [berlin(2026, 3, 1, 22)]


def test_an_occurrence_starting_at_the_end_of_the_range_is_not_included():
    series = event(starts_at=berlin(2026, 1, 1, 0), rrule="FREQ=DAILY")
    found, _cut = recurrence.expand([series], start=berlin(2026, 3, 1), end=berlin(2026, 3, 3))

    assert [o.start for o in found] == [berlin(2026, 3, 1), berlin(2026, 3, 2)]


def test_a_series_is_not_shown_before_its_first_date():
    series = event(starts_at=berlin(2026, 3, 15, 9), rrule="FREQ=DAILY")
    found, _cut = recurrence.expand([series], start=berlin(2026, 3, 1), end=berlin(2026, 3, 18))

    assert [o.start.day for o in found] == [15, 16, 17]


# Single events


def test_a_single_event_inside_the_range_is_its_only_occurrence():
    single = event(starts_at=berlin(2026, 3, 10, 18), ends_at=berlin(2026, 3, 10, 20))
    found, cut = recurrence.expand([single], start=berlin(2026, 3, 1), end=berlin(2026, 4, 1))

    assert not cut
    assert len(found) == 1
    assert found[0].start == single.starts_at
    assert found[0].end == single.ends_at
    assert found[0].recurrence_id is None
    assert found[0].key == f"1-{int(single.starts_at.timestamp())}"


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        (berlin(2026, 2, 10, 18), berlin(2026, 2, 10, 20)),  # a month before
        (berlin(2026, 4, 1, 0), berlin(2026, 4, 1, 2)),  # starts as the range ends
        (berlin(2026, 2, 28, 22), berlin(2026, 3, 1, 0)),  # ends as the range starts
    ],
)
def test_a_single_event_outside_the_range_is_not_shown(starts_at, ends_at):
    single = event(starts_at=starts_at, ends_at=ends_at)
    found, _cut = recurrence.expand([single], start=berlin(2026, 3, 1), end=berlin(2026, 4, 1))

    assert found == []


def test_a_single_event_that_began_before_the_range_and_ends_inside_is_shown():
    single = event(starts_at=berlin(2026, 2, 28, 22), ends_at=berlin(2026, 3, 1, 2))
    found, _cut = recurrence.expand([single], start=berlin(2026, 3, 1), end=berlin(2026, 4, 1))

    assert [o.start for o in found] == [single.starts_at]


def test_single_events_and_series_are_sorted_together():
    single = event(pk=7, starts_at=berlin(2026, 3, 2, 12))
    series = event(pk=3, starts_at=berlin(2026, 3, 1, 9), rrule="FREQ=DAILY;COUNT=3")
    found, _cut = recurrence.expand(
        [single, series], start=berlin(2026, 3, 1), end=berlin(2026, 4, 1)
    )

    assert [(o.event.pk, o.start) for o in found] == [
        (3, berlin(2026, 3, 1, 9)),
        (3, berlin(2026, 3, 2, 9)),
        (7, berlin(2026, 3, 2, 12)),
        (3, berlin(2026, 3, 3, 9)),
    ]


# series_end


def series_end_of(series):
    return recurrence.series_end(
        starts_at=series.starts_at,
        ends_at=series.ends_at,
        rule=series.rrule,
        tz_name=series.timezone,
    )


def test_a_series_with_count_ends_with_its_last_occurrence():
    series = event(
        starts_at=berlin(2026, 10, 20, 19),
        ends_at=berlin(2026, 10, 20, 21),
        rrule="FREQ=WEEKLY;COUNT=3",
    )

    # The third Tuesday, 3 November, is after the change to winter time.
    assert series_end_of(series) == berlin(2026, 11, 3, 21)
    assert series_end_of(series).astimezone(BERLIN).hour == 21


def test_a_series_with_until_ends_with_its_last_occurrence():
    series = event(
        starts_at=berlin(2026, 1, 1, 9),
        ends_at=berlin(2026, 1, 1, 10),
        rrule="FREQ=DAILY;UNTIL=20260105T235959",
    )

    assert series_end_of(series) == berlin(2026, 1, 5, 10)


def test_a_series_with_a_utc_until_keeps_the_occurrence_before_it():
    # 08:30 UTC is 09:30 in Berlin: the 09:00 occurrence on 5 January is still in the series.
    series = event(
        starts_at=berlin(2026, 1, 1, 9),
        ends_at=berlin(2026, 1, 1, 10),
        rrule="FREQ=DAILY;UNTIL=20260105T083000Z",
    )

    assert series_end_of(series) == berlin(2026, 1, 5, 10)


def test_a_series_without_end_has_no_end():
    series = event(starts_at=berlin(2026, 1, 1, 9), rrule="FREQ=DAILY")

    assert series_end_of(series) is None


def test_a_single_event_ends_when_it_ends():
    single = event(starts_at=berlin(2026, 1, 1, 9), ends_at=berlin(2026, 1, 1, 11))

    assert series_end_of(single) == berlin(2026, 1, 1, 11)


def test_a_series_end_rejects_an_unknown_time_zone():
    series = event(
        starts_at=berlin(2026, 1, 1, 9), rrule="FREQ=DAILY;COUNT=2", timezone="Mars/Olympus"
    )

    with pytest.raises(ValidationError):
        series_end_of(series)


# parse_rule


@pytest.mark.parametrize("rule", ["FREQ=NOPE", "hello", "FREQ=DAILY;COUNT=many", ""])
def test_an_unreadable_rule_is_a_validation_error(rule):
    with pytest.raises(ValidationError) as raised:
        recurrence.parse_rule(rule, dtstart=datetime.datetime(2026, 1, 1, 9))

    assert raised.value.code == "rrule"


@pytest.mark.parametrize(
    "rule",
    ["FREQ=MINUTELY", "FREQ=SECONDLY", "RRULE:FREQ=MINUTELY;COUNT=5", "freq=secondly"],
)
def test_a_rule_more_frequent_than_hourly_is_a_validation_error(rule):
    with pytest.raises(ValidationError) as raised:
        recurrence.parse_rule(rule, dtstart=datetime.datetime(2026, 1, 1, 9))

    assert raised.value.code == "rrule"


@pytest.mark.parametrize("rule", ["FREQ=HOURLY", "RRULE:FREQ=WEEKLY;BYDAY=TU,TH"])
def test_a_readable_rule_is_accepted(rule):
    parsed = recurrence.parse_rule(rule, dtstart=datetime.datetime(2026, 1, 1, 9))

    assert parsed[0] == datetime.datetime(2026, 1, 1, 9)


def test_a_stored_rule_that_no_longer_reads_shows_only_the_first_date():
    broken = event(starts_at=berlin(2026, 3, 10, 18), rrule="FREQ=NOPE")
    found, _cut = recurrence.expand([broken], start=berlin(2026, 3, 1), end=berlin(2026, 4, 1))

    assert [o.start for o in found] == [broken.starts_at]


# next_occurrence


def test_next_occurrence_is_the_first_not_ended_by_after():
    series = event(
        starts_at=berlin(2026, 1, 1, 9), ends_at=berlin(2026, 1, 1, 10), rrule="FREQ=DAILY"
    )

    running = recurrence.next_occurrence(series, after=berlin(2026, 3, 10, 9, 30))
    assert running.start == berlin(2026, 3, 10, 9)

    just_ended = recurrence.next_occurrence(series, after=berlin(2026, 3, 10, 10))
    assert just_ended.start == berlin(2026, 3, 11, 9)

    before_the_first = recurrence.next_occurrence(series, after=berlin(2025, 6, 1))
    assert before_the_first.start == berlin(2026, 1, 1, 9)


def test_next_occurrence_skips_exdates():
    series = event(
        starts_at=berlin(2026, 1, 1, 9),
        rrule="FREQ=DAILY",
        exdates=[berlin(2026, 3, 11, 9)],
    )

    found = recurrence.next_occurrence(series, after=berlin(2026, 3, 10, 12))
    assert found.start == berlin(2026, 3, 12, 9)


def test_next_occurrence_of_a_finished_series_is_none():
    series = event(starts_at=berlin(2026, 1, 1, 9), rrule="FREQ=DAILY;COUNT=3")

    assert recurrence.next_occurrence(series, after=berlin(2026, 1, 3, 12)) is None


def test_next_occurrence_of_a_single_event():
    single = event(starts_at=berlin(2026, 3, 10, 18), ends_at=berlin(2026, 3, 10, 20))

    assert recurrence.next_occurrence(single, after=berlin(2026, 3, 1)).start == single.starts_at
    assert recurrence.next_occurrence(single, after=berlin(2026, 3, 10, 19)) is not None
    assert recurrence.next_occurrence(single, after=berlin(2026, 3, 10, 20)) is None
