"""The iCal feed of events (events.ical.calendar_bytes) read back with icalendar, and the
reader of other calendars (events.ical.parse_calendar) on what real exports contain."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil import rrule as du
from django.core.exceptions import ValidationError

from events import ical, services
from events.models import EventStatus
from events.services import EventFields
from tests.events.conftest import BERLIN, at
from tests.events.factories import event_of


def _read(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def _vevents(data: bytes) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in _read(data).walk("VEVENT")}


def test_a_feed_is_a_valid_calendar_with_one_vevent_per_event(people):
    first = event_of(organiser=people.organiser, starts_at=at(2026, 11, 3, 19), title="Plenum")
    second = event_of(organiser=people.organiser, starts_at=at(2026, 11, 4, 10), title="Kochen")

    data = ical.calendar_bytes(events=[first, second], name="Termine in Lindenau")

    calendar = _read(data)
    assert calendar["VERSION"] == "2.0" and calendar["METHOD"] == "PUBLISH"
    assert calendar["PRODID"] == ical.PRODID and calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["X-WR-CALNAME"] == "Termine in Lindenau"
    assert calendar["X-WR-TIMEZONE"] == "Europe/Berlin"
    found = _vevents(data)
    assert set(found) == {first.uid, second.uid}
    plenum = found[first.uid]
    assert plenum["SUMMARY"] == "Plenum" and plenum["STATUS"] == "CONFIRMED"
    assert plenum.decoded("DTSTART") == at(2026, 11, 3, 19)
    assert plenum.decoded("DTEND") == at(2026, 11, 3, 21)
    assert b"DTSTART;TZID=Europe/Berlin:20261103T190000" in data
    assert "DTSTAMP" in plenum and "LAST-MODIFIED" in plenum and plenum["SEQUENCE"] == 0
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_a_weekly_series_keeps_its_wall_clock_time_across_the_dst_change(people):
    # Tuesdays at 19:00 from 13 October 2026; summer time ends on 25 October.
    event = event_of(
        organiser=people.organiser,
        starts_at=at(2026, 10, 13, 19),
        rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=4",
        exdates=[at(2026, 10, 27, 19)],
    )

    data = ical.calendar_bytes(events=[event], name="Serie")

    vevent = _vevents(data)[event.uid]
    start = vevent.decoded("DTSTART")
    assert start.tzinfo.key == "Europe/Berlin"
    rule = du.rrulestr(vevent["RRULE"].to_ical().decode(), dtstart=start)
    assert [(o.date().isoformat(), o.hour) for o in rule] == [
        ("2026-10-13", 19),
        ("2026-10-20", 19),
        ("2026-10-27", 19),
        ("2026-11-03", 19),
    ]
    assert [o.astimezone(datetime.UTC).hour for o in rule] == [17, 17, 18, 18]
    assert b"EXDATE;TZID=Europe/Berlin:20261027T190000" in data
    zone = _read(data).walk("VTIMEZONE")[0]
    kinds = {(sub.name, sub.decoded("DTSTART")) for sub in zone.subcomponents}
    # The real transitions of 2026, each at the local time before it.
    assert ("DAYLIGHT", datetime.datetime(2026, 3, 29, 2, 0)) in kinds
    assert ("STANDARD", datetime.datetime(2026, 10, 25, 3, 0)) in kinds
    daylight = next(s for s in zone.walk("DAYLIGHT"))
    assert daylight["TZOFFSETFROM"].td == datetime.timedelta(hours=1)
    assert daylight["TZOFFSETTO"].td == datetime.timedelta(hours=2)


def test_a_series_until_a_local_date_gets_a_utc_until(people):
    event = event_of(
        organiser=people.organiser,
        starts_at=at(2026, 10, 13, 19),
        rrule="FREQ=WEEKLY;UNTIL=20261103T190000",
    )
    rule = _vevents(ical.calendar_bytes(events=[event], name="x"))[event.uid]["RRULE"]
    assert rule["UNTIL"] == [datetime.datetime(2026, 11, 3, 18, tzinfo=datetime.UTC)]


def test_uid_stays_and_sequence_counts_a_move(people):
    event = event_of(organiser=people.organiser, starts_at=at(2026, 11, 3, 19), title="Plenum")
    before = _vevents(ical.calendar_bytes(events=[event], name="x"))[event.uid]

    moved = services.event_update(
        actor=people.organiser,
        event=event,
        fields=EventFields(
            title="Plenum", starts_at=at(2026, 11, 5, 18), ends_at=at(2026, 11, 5, 20)
        ),
    )

    after = _vevents(ical.calendar_bytes(events=[moved], name="x"))[event.uid]
    assert before["SEQUENCE"] == 0 and after["SEQUENCE"] == 1
    assert after.decoded("DTSTART") == at(2026, 11, 5, 18)


def test_a_cancelled_event_is_status_cancelled_with_its_reason(people):
    event = event_of(organiser=people.organiser, starts_at=at(2026, 11, 3, 19))
    event = services.event_cancel(actor=people.organiser, event=event, reason="Krank")

    vevent = _vevents(ical.calendar_bytes(events=[event], name="x"))[event.uid]

    assert vevent["STATUS"] == "CANCELLED" and vevent["SEQUENCE"] == 1
    assert "Krank" in vevent["DESCRIPTION"]


def test_an_all_day_event_is_written_as_dates_with_an_exclusive_end(people):
    event = services.event_create(
        actor=people.organiser,
        fields=EventFields(
            title="Stadtteilfest",
            starts_at=at(2026, 7, 4, 0),
            ends_at=at(2026, 7, 5, 0),
            all_day=True,
        ),
    )
    data = ical.calendar_bytes(events=[event], name="x")

    vevent = _vevents(data)[event.uid]
    assert vevent.decoded("DTSTART") == datetime.date(2026, 7, 4)
    assert vevent.decoded("DTEND") == datetime.date(2026, 7, 5)
    assert b"DTSTART;VALUE=DATE:20260704" in data
    # Only dates: no zone is needed.
    assert _read(data).walk("VTIMEZONE") == []


def test_texts_with_commas_semicolons_newlines_and_umlauts_survive(people):
    title = "Kaffee, Kuchen; Gespräch über Bäume"
    place = "Bürgerhaus, Saal 2; Eingang Hof"
    event = event_of(
        organiser=people.organiser,
        starts_at=at(2026, 11, 3, 19),
        title=title,
        place=place,
        description="Erste Zeile, mit Komma;\n\nZweiter Absatz: Grüße",
    )

    data = ical.calendar_bytes(events=[event], name="Grünflächen, Bäume; Höfe")

    assert "SUMMARY:Kaffee\\, Kuchen\\; Gespräch über Bäume".encode() in data
    vevent = _vevents(data)[event.uid]
    assert vevent["SUMMARY"] == title and vevent["LOCATION"] == place
    assert vevent["DESCRIPTION"] == "Erste Zeile, mit Komma;\n\nZweiter Absatz: Grüße"
    assert _read(data)["X-WR-CALNAME"] == "Grünflächen, Bäume; Höfe"
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))


def test_geo_url_and_category_are_written(people):
    category = services.category_save(actor=people.moderator, name="Workshop")
    event = event_of(
        organiser=people.organiser,
        starts_at=at(2026, 11, 3, 19),
        latitude="54.323300",
        longitude="10.122800",
        online_url="https://meet.example/abc",
        category_id=category.pk,
    )

    plain = _vevents(ical.calendar_bytes(events=[event], name="x"))[event.uid]
    linked = _vevents(
        ical.calendar_bytes(
            events=[event], name="x", url_for=lambda e: f"https://b.example/events/{e.pk}/"
        )
    )[event.uid]

    assert (plain["GEO"].latitude, plain["GEO"].longitude) == (54.3233, 10.1228)
    assert plain["URL"] == "https://meet.example/abc"
    assert plain["CATEGORIES"].cats == ["Workshop"]
    assert linked["URL"] == f"https://b.example/events/{event.pk}/"
    assert "https://meet.example/abc" in linked["DESCRIPTION"]
    assert linked["CONFERENCE"] == "https://meet.example/abc"


def test_an_imported_event_is_online_only_when_its_calendar_says_where_to_join(people):
    in_person = event_of(organiser=people.organiser, starts_at=at(2026, 11, 3, 19))
    online = event_of(
        organiser=people.organiser,
        title="Videokonferenz",
        starts_at=at(2026, 11, 4, 19),
        online_url="https://meet.example/abc",
    )
    body = ical.calendar_bytes(
        events=[in_person, online], name="x", url_for=lambda e: f"https://b.example/{e.pk}/"
    )
    parsed = {e.uid: e for e in ical.parse_calendar(body, default_tz="Europe/Berlin")}
    # The page link is no place to join: only CONFERENCE makes an event online.
    assert parsed[in_person.uid].url == f"https://b.example/{in_person.pk}/"
    assert parsed[in_person.uid].online_url == ""
    assert parsed[online.uid].online_url == "https://meet.example/abc"


# Reading -----------------------------------------------------------------------------------


def _calendar(*vevents: str, extra: str = "") -> bytes:
    body = "".join(f"BEGIN:VEVENT\n{v.strip()}\nEND:VEVENT\n" for v in vevents)
    text = f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//EN\n{extra}{body}END:VCALENDAR\n"
    return text.replace("\n", "\r\n").encode()


def _parse(data: bytes) -> dict[str, ical.ParsedEvent]:
    return {event.uid: event for event in ical.parse_calendar(data, default_tz="Europe/Berlin")}


def test_times_with_zone_utc_floating_and_dates_are_read(db):
    parsed = _parse(
        _calendar(
            "UID:zoned\nSUMMARY:A\nDTSTART;TZID=Europe/Berlin:20261103T190000\n"
            "DTEND;TZID=Europe/Berlin:20261103T210000",
            "UID:utc\nSUMMARY:B\nDTSTART:20261103T180000Z\nDURATION:PT90M",
            "UID:floating\nSUMMARY:C\nDTSTART:20261103T190000",
            "UID:day\nSUMMARY:D\nDTSTART;VALUE=DATE:20261103",
            "UID:windows\nSUMMARY:E\nDTSTART;TZID=W. Europe Standard Time:20261103T190000\n"
            "DTEND;TZID=W. Europe Standard Time:20261103T200000",
            "UID:london\nSUMMARY:F\nDTSTART;TZID=Europe/London:20261103T190000\n"
            "DTEND;TZID=Europe/London:20261103T200000",
        )
    )
    assert parsed["zoned"].starts_at == at(2026, 11, 3, 19)
    assert parsed["zoned"].ends_at == at(2026, 11, 3, 21)
    assert parsed["zoned"].timezone == "Europe/Berlin"
    assert parsed["utc"].starts_at == at(2026, 11, 3, 19)
    assert parsed["utc"].ends_at == at(2026, 11, 3, 20, 30)
    assert parsed["floating"].starts_at == at(2026, 11, 3, 19)
    # No end and no duration: a time ends when it starts, a date lasts the day (RFC 5545).
    assert parsed["floating"].ends_at == parsed["floating"].starts_at
    assert parsed["day"].all_day and parsed["day"].starts_at == at(2026, 11, 3)
    assert parsed["day"].ends_at == at(2026, 11, 4)
    assert parsed["windows"].timezone == "Europe/Berlin"
    london = parsed["london"]
    assert london.timezone == "Europe/London"
    assert london.starts_at == datetime.datetime(2026, 11, 3, 19, tzinfo=ZoneInfo("Europe/London"))


def test_a_moved_instance_becomes_its_own_event_and_an_exception_of_the_series(db):
    parsed = _parse(
        _calendar(
            "UID:series\nSUMMARY:Plenum\nDTSTART;TZID=Europe/Berlin:20261013T190000\n"
            "DTEND;TZID=Europe/Berlin:20261013T210000\nRRULE:FREQ=WEEKLY;COUNT=5\n"
            "EXDATE;TZID=Europe/Berlin:20261020T190000",
            "UID:series\nRECURRENCE-ID;TZID=Europe/Berlin:20261027T190000\nSUMMARY:Plenum (Saal 2)\n"
            "DTSTART;TZID=Europe/Berlin:20261028T180000\nDTEND;TZID=Europe/Berlin:20261028T200000\n"
            "SEQUENCE:2",
        )
    )
    series = parsed["series"]
    assert series.rrule == "FREQ=WEEKLY;COUNT=5"
    assert series.exdates == [at(2026, 10, 20, 19), at(2026, 10, 27, 19)]
    moved = parsed["series/2026-10-27T19:00:00+01:00"]
    assert moved.title == "Plenum (Saal 2)" and moved.rrule == "" and moved.sequence == 2
    assert moved.starts_at == at(2026, 10, 28, 18)


def test_vevents_without_uid_or_start_are_skipped_and_counted(db):
    parsed = ical.parse_calendar(
        _calendar(
            "SUMMARY:no uid\nDTSTART:20261103T190000Z",
            "UID:nostart\nSUMMARY:no start",
            "UID:fine\nSUMMARY:fine\nDTSTART:20261103T190000Z",
            "UID:fine\nSUMMARY:twice\nDTSTART:20261104T190000Z",
        ),
        default_tz="Europe/Berlin",
    )
    assert [e.uid for e in parsed] == ["fine"] and parsed[0].title == "fine"
    assert parsed.skipped == 3


def test_over_long_texts_are_cut_not_fatal(db):
    parsed = _parse(
        _calendar(
            f"UID:long\nSUMMARY:{'T' * 300}\nLOCATION:{'O' * 300}\nDESCRIPTION:{'d' * 12_000}\n"
            f"URL:https://example.org/{'x' * 600}\nGEO:91;10\nSEQUENCE:nope\n"
            "DTSTART:20261103T190000Z\nSTATUS:CANCELLED\nCATEGORIES:Workshop,Kinder"
        )
    )
    event = parsed["long"]
    assert len(event.title) == 200 and len(event.place) == 200
    assert len(event.description) == 10_000
    assert event.url == "" and event.latitude is None and event.sequence == 0
    assert event.status == EventStatus.CANCELLED
    assert event.categories == ["Workshop", "Kinder"]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"<!DOCTYPE html><html><body>Termine</body></html>", "a web page"),
        (b'{"events": []}', "JSON data"),
        (b"", "empty file"),
        (b"   \r\n", "empty file"),
        (bytes(range(256)) * 4, "not lead to a calendar in iCal format"),
        (b"BEGIN:VCARD\r\nVERSION:4.0\r\nEND:VCARD\r\n", "not lead to a calendar"),
        (b"BEGIN:VCALENDAR\r\nthis is not a content line\r\n", "not valid iCal"),
    ],
)
def test_what_is_not_ical_is_refused_with_a_clear_message(db, english, data, says):
    with pytest.raises(ValidationError) as refused:
        ical.parse_calendar(data, default_tz="Europe/Berlin")
    assert refused.value.code == "not_ical"
    assert says in refused.value.messages[0]


def test_a_feed_reads_back_as_the_same_events(people):
    event = event_of(
        organiser=people.organiser,
        starts_at=at(2026, 10, 13, 19),
        title="Plenum, offen",
        place="Bürgerhaus",
        rrule="FREQ=WEEKLY;COUNT=4",
        exdates=[at(2026, 10, 27, 19)],
    )
    back = _parse(ical.calendar_bytes(events=[event], name="x"))[event.uid]
    assert (back.title, back.place, back.timezone) == (
        "Plenum, offen",
        "Bürgerhaus",
        "Europe/Berlin",
    )
    assert (back.starts_at, back.ends_at) == (event.starts_at, event.ends_at)
    assert back.rrule == "FREQ=WEEKLY;COUNT=4" and back.exdates == [at(2026, 10, 27, 19)]
    assert back.starts_at.tzinfo == BERLIN


def test_one_uid_is_one_vevent_when_two_spaces_import_the_same_calendar(people):
    first = event_of(organiser=people.organiser, title="Erste Kopie", starts_at=at(2026, 11, 3, 19))
    second = event_of(organiser=people.organiser, title="Zweite", starts_at=at(2026, 11, 4, 19))
    second.uid = first.uid  # as two imported copies of one outside event have
    body = ical.calendar_bytes(events=[first, second], name="x")
    summaries = [str(c["SUMMARY"]) for c in icalendar.Calendar.from_ical(body).walk("VEVENT")]
    assert summaries == ["Erste Kopie"]
