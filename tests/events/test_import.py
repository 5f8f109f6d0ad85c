"""Calendar subscriptions against a real server on 127.0.0.1 (tests/events/ical_server.py) and
the real database of portal B: who may subscribe, what an import makes of a calendar and of a
second run, that every failure changes no event and tells the space's admins why, and the
tasks that run imports and reminders."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.event_types import EventType
from core.models import AuditEvent
from events import ical, imports, services, tasks
from events.models import CalendarSubscription, Event, EventStatus, Rsvp, RsvpStatus
from events.services import EventFields
from tests.events.conftest import at
from tests.events.factories import event_of
from tests.events.ical_server import serving
from tests.spaces.factories import space_of


@pytest.fixture
def server():
    with serving() as running:
        yield running


@pytest.fixture
def spaces(people):
    """The association's own space (source of the calendar) and the district group that
    subscribes to it; the organiser administers the group."""
    source = space_of(name="Verein", admin=people.other)
    group = space_of(name="Stadtteilgruppe", admin=people.organiser, members=[people.member])
    return source, group


def _calendar_of(events) -> bytes:
    return ical.calendar_bytes(events=events, name="Verein")


def _imported(subscription) -> dict[str, Event]:
    return {e.uid: e for e in Event.objects.filter(source=subscription)}


def _subscribe(server, people, group, path: str = "/calendar.ics") -> CalendarSubscription:
    return imports.subscription_create(actor=people.organiser, space=group, url=server.url(path))


def test_a_round_trip_keeps_uids_and_a_second_run_updates_and_removes(server, people, spaces):
    source, group = spaces
    plenum = event_of(organiser=people.other, space=source, starts_at=at(2026, 11, 3, 19))
    fest = event_of(
        organiser=people.other, space=source, starts_at=at(2026, 11, 7, 14), title="Fest"
    )
    series = event_of(
        organiser=people.other,
        space=source,
        starts_at=at(2026, 10, 13, 19),
        title="Stammtisch",
        rrule="FREQ=WEEKLY;COUNT=4",
    )
    server.calendar = _calendar_of([plenum, fest, series])
    subscription = _subscribe(server, people, group)

    result = imports.import_subscription(subscription=subscription)

    assert (result.created, result.updated, result.removed, result.error) == (3, 0, 0, "")
    found = _imported(subscription)
    # The same UIDs as our own events in this portal: the constraints keep them apart.
    assert set(found) == {plenum.uid, fest.uid, series.uid}
    copy = found[plenum.uid]
    assert copy.space == group and copy.organiser is None and copy.is_imported
    assert (copy.starts_at, copy.ends_at) == (plenum.starts_at, plenum.ends_at)
    assert found[series.uid].rrule == "FREQ=WEEKLY;COUNT=4"
    assert found[series.uid].series_ends_at == at(2026, 11, 3, 21)
    subscription.refresh_from_db()
    assert subscription.last_error == "" and subscription.last_created == 3
    assert subscription.last_success_at is not None
    assert AuditEvent.objects.filter(event_type=EventType.EVENT_CALENDAR_IMPORTED).count() == 1

    moved = services.event_update(
        actor=people.other,
        event=plenum,
        fields=EventFields(
            title="Plenum", starts_at=at(2026, 11, 4, 19), ends_at=at(2026, 11, 4, 21)
        ),
    )
    server.calendar = _calendar_of([moved, series])

    again = imports.import_subscription(subscription=subscription)

    assert (again.created, again.updated, again.removed) == (0, 1, 1)
    found = _imported(subscription)
    assert set(found) == {plenum.uid, series.uid}
    assert found[plenum.uid].pk == copy.pk and found[plenum.uid].starts_at == at(2026, 11, 4, 19)
    assert found[plenum.uid].sequence == 1
    assert Event.objects.filter(source=None).count() == 3  # our own events are untouched

    unchanged = imports.import_subscription(subscription=subscription)
    assert (unchanged.created, unchanged.updated, unchanged.removed) == (0, 0, 0)


def test_an_invalid_event_is_skipped_and_counted_not_fatal(server, people, spaces):
    _source, group = spaces
    server.calendar = (
        (
            "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//x//EN\n"
            "BEGIN:VEVENT\nUID:ok\nSUMMARY:Gut\nDTSTART:20261103T180000Z\nDTEND:20261103T200000Z\n"
            "END:VEVENT\n"
            "BEGIN:VEVENT\nUID:backwards\nSUMMARY:Rückwärts\nDTSTART:20261103T180000Z\n"
            "DTEND:20261103T170000Z\nEND:VEVENT\n"
            "BEGIN:VEVENT\nUID:minutely\nSUMMARY:Zu oft\nDTSTART:20261103T180000Z\n"
            "RRULE:FREQ=MINUTELY\nEND:VEVENT\n"
            "BEGIN:VEVENT\nUID:cancelled\nSUMMARY:Abgesagt\nDTSTART:20261104T180000Z\n"
            "STATUS:CANCELLED\nEND:VEVENT\n"
            "END:VCALENDAR\n"
        )
        .replace("\n", "\r\n")
        .encode()
    )
    subscription = _subscribe(server, people, group)

    result = imports.import_subscription(subscription=subscription)

    assert (result.created, result.skipped, result.error) == (2, 2, "")
    found = _imported(subscription)
    assert set(found) == {"ok", "cancelled"}
    assert found["cancelled"].status == EventStatus.CANCELLED


def test_too_many_events_import_nothing(server, people, spaces, english, monkeypatch):
    source, group = spaces
    events = [
        event_of(organiser=people.other, space=source, starts_at=at(2026, 11, day, 19))
        for day in (3, 4)
    ]
    server.calendar = _calendar_of(events)
    subscription = _subscribe(server, people, group)
    monkeypatch.setattr(imports, "MAX_EVENTS", 1)

    result = imports.import_subscription(subscription=subscription)

    assert "more than 1 events" in result.error
    assert not Event.objects.filter(source=subscription).exists()


# Failures ----------------------------------------------------------------------------------


@pytest.fixture
def imported_once(server, people, spaces):
    """A subscription that imported one event, so a failure can be seen to keep it."""
    source, group = spaces
    event = event_of(organiser=people.other, space=source, starts_at=at(2026, 11, 3, 19))
    server.calendar = _calendar_of([event])
    subscription = _subscribe(server, people, group)
    assert imports.import_subscription(subscription=subscription).ok
    subscription.refresh_from_db()
    return subscription


def _snapshot(subscription) -> list:
    return sorted(
        Event.objects.filter(source=subscription).values_list("uid", "title", "starts_at")
    )


def _assert_failed(subscription, *, says: str, **options) -> None:
    before = _snapshot(subscription)
    succeeded_at = subscription.last_success_at

    result = imports.import_subscription(subscription=subscription, **options)

    assert says in result.error, result.error
    assert _snapshot(subscription) == before and before
    subscription.refresh_from_db()
    assert says in subscription.last_error
    assert subscription.last_run_at > succeeded_at
    assert subscription.last_success_at == succeeded_at


def _point(subscription, url: str) -> None:
    # Straight on the row: subscription_create would refuse some of these addresses itself.
    CalendarSubscription.objects.filter(pk=subscription.pk).update(url=url)
    subscription.refresh_from_db()


def test_a_web_page_is_not_a_calendar(server, imported_once, english):
    _point(imported_once, server.url("/html"))
    _assert_failed(imported_once, says="answered with a web page, not with a calendar")


def test_an_empty_answer_keeps_the_imported_events(server, imported_once, english):
    server.calendar = _calendar_of([])
    _assert_failed(imported_once, says="answered without any events")


def test_an_unreadable_entry_keeps_its_last_good_version(server, imported_once):
    [kept] = Event.objects.filter(source=imported_once)
    broken = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//x//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:{kept.uid}\r\nDTSTART:nonsense\r\nSUMMARY:x\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    server.calendar = broken.encode()
    result = imports.import_subscription(subscription=imported_once)
    assert result.ok and result.removed == 0 and result.skipped == 1
    assert Event.objects.filter(pk=kept.pk, title=kept.title).exists()


def test_a_failure_inside_the_transaction_changes_nothing(
    server, imported_once, people, spaces, monkeypatch, english
):
    source, _group = spaces
    event_of(organiser=people.other, space=source, title="Neu", starts_at=at(2026, 11, 4, 19))
    server.calendar = _calendar_of(list(Event.objects.filter(space=source)))
    before = _snapshot(imported_once)

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Event.objects, "bulk_update", broken)
    with pytest.raises(RuntimeError):
        imports.import_subscription(subscription=imported_once)
    assert _snapshot(imported_once) == before  # "Neu" was created, then rolled back
    imported_once.refresh_from_db()
    assert "error on our side" in imported_once.last_error


def test_a_huge_answer_is_cut_at_the_limit(server, imported_once, english):
    _point(imported_once, server.url("/huge"))
    started = time.monotonic()
    _assert_failed(imported_once, says="is larger than 5.0")
    # The limit stops the reading; fifty megabytes were never taken in.
    assert time.monotonic() - started < 10


def test_a_server_that_never_answers_times_out(server, imported_once, english):
    _point(imported_once, server.url("/never"))
    started = time.monotonic()
    _assert_failed(imported_once, says="did not answer within 0.5 second", timeout=0.5)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("url", ["{base}/calendar.ics", "http://169.254.169.254/latest/meta-data/"])
def test_private_addresses_are_refused_where_not_allowed(
    server, imported_once, english, settings, url
):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    _point(imported_once, url.format(base=server.base))
    requests = len(server.requests)
    _assert_failed(imported_once, says="private or local address")
    assert len(server.requests) == requests


def test_subscribing_to_a_private_address_is_refused_where_not_allowed(
    server, people, spaces, english, settings
):
    _source, group = spaces
    settings.OUTBOUND_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError) as refused:
        _subscribe(server, people, group)
    assert "private or local address" in refused.value.message_dict["url"][0]
    settings.OUTBOUND_ALLOW_PRIVATE = True
    assert _subscribe(server, people, group).pk  # positive control


# Who may subscribe -------------------------------------------------------------------------


def test_a_plain_member_cannot_subscribe_the_space(server, people, spaces):
    _source, group = spaces
    with pytest.raises(PermissionDenied):
        imports.subscription_create(actor=people.member, space=group, url=server.url())
    assert not CalendarSubscription.objects.exists()
    # Positive control: the space's admin and a portal moderator may.
    assert _subscribe(server, people, group).created_by == people.organiser
    other = space_of(name="Anderer Raum")
    assert imports.subscription_create(actor=people.moderator, space=other, url=server.url())
    assert AuditEvent.objects.filter(event_type=EventType.EVENT_CALENDAR_SUBSCRIBED).count() == 2


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://example.org/cal.ics", "https://"),
        ("", "Give the address"),
        ("https://" + "x" * 600 + ".example", "At most 500"),
    ],
)
def test_bad_addresses_are_refused(people, spaces, english, url, says):
    _source, group = spaces
    with pytest.raises(ValidationError) as refused:
        imports.subscription_create(actor=people.organiser, space=group, url=url)
    assert says in refused.value.message_dict["url"][0]


def test_a_calendar_once_per_space_and_at_most_five(server, people, spaces, english):
    _source, group = spaces
    _subscribe(server, people, group)
    with pytest.raises(ValidationError) as twice:
        _subscribe(server, people, group)
    assert "already subscribes" in twice.value.message_dict["url"][0]
    for n in range(4):
        _subscribe(server, people, group, path=f"/calendar.ics?n={n}")
    with pytest.raises(ValidationError) as sixth:
        _subscribe(server, people, group, path="/calendar.ics?n=5")
    assert "at most 5 calendars" in sixth.value.messages[0]


def test_webcal_addresses_are_taken_as_https(people, spaces):
    _source, group = spaces
    subscription = imports.subscription_create(
        actor=people.organiser, space=group, url="webcal://127.0.0.1/verein.ics"
    )
    assert subscription.url == "https://127.0.0.1/verein.ics"


def test_removing_a_subscription_removes_its_events(imported_once, people):
    assert Event.objects.filter(source=imported_once).exists()
    with pytest.raises(PermissionDenied):
        imports.subscription_delete(actor=people.member, subscription=imported_once)

    imports.subscription_delete(actor=people.organiser, subscription=imported_once)

    assert not CalendarSubscription.objects.exists()
    assert not Event.objects.exclude(source=None).exists()
    assert Event.objects.filter(source=None).count() == 1  # the source's own event stays
    assert AuditEvent.objects.filter(event_type=EventType.EVENT_CALENDAR_UNSUBSCRIBED).exists()


# Tasks -------------------------------------------------------------------------------------


def test_import_calendars_runs_every_subscription_and_one_failure_stops_none(
    server, people, spaces, english
):
    source, group = spaces
    event = event_of(organiser=people.other, space=source, starts_at=at(2026, 11, 3, 19))
    server.calendar = _calendar_of([event])
    broken = _subscribe(server, people, group, path="/html")
    working = _subscribe(server, people, group)

    outcome = tasks.import_calendars.apply().get()

    assert outcome == {"succeeded": 1, "failed": 1}
    broken.refresh_from_db()
    working.refresh_from_db()
    assert "web page" in broken.last_error and broken.last_success_at is None
    assert working.last_error == "" and set(_imported(working)) == {event.uid}


def test_import_subscription_now_imports_one_and_skips_a_removed_one(server, people, spaces):
    source, group = spaces
    event = event_of(organiser=people.other, space=source, starts_at=at(2026, 11, 3, 19))
    server.calendar = _calendar_of([event])
    subscription = _subscribe(server, people, group)

    assert (
        tasks.import_subscription_now.apply(kwargs={"subscription_id": subscription.pk}).get() == ""
    )
    assert set(_imported(subscription)) == {event.uid}
    assert tasks.import_subscription_now.apply(kwargs={"subscription_id": 999_999}).get() == ""


def test_the_reminder_task_reminds_once(people):
    soon = timezone.now().replace(microsecond=0) + datetime.timedelta(hours=3)
    event = event_of(organiser=people.organiser, starts_at=soon, title="Morgen")
    services.rsvp_set(user=people.member, event=event, status=RsvpStatus.GOING)

    assert tasks.send_reminders.apply().get() == 1
    assert tasks.send_reminders.apply().get() == 0
    assert Rsvp.objects.get(user=people.member).reminded_for == soon


def test_those_going_to_an_imported_event_hear_that_it_moved(server, people, spaces):
    from notifications.models import Notification

    source, group = spaces
    plenum = event_of(organiser=people.other, space=source, starts_at=at(2027, 3, 2, 19))
    server.calendar = _calendar_of([plenum])
    subscription = _subscribe(server, people, group)
    imports.import_subscription(subscription=subscription)
    copy = _imported(subscription)[plenum.uid]
    services.rsvp_set(user=people.member, event=copy, status=RsvpStatus.GOING)
    moved = services.event_update(
        actor=people.other,
        event=plenum,
        fields=EventFields(
            title="Treffen", starts_at=at(2027, 3, 3, 19), ends_at=at(2027, 3, 3, 21)
        ),
    )
    server.calendar = _calendar_of([moved])

    imports.import_subscription(subscription=subscription)

    told = Notification.objects.get(recipient=people.member)
    assert told.event_type == EventType.EVENT_RESCHEDULED and told.target_id == copy.pk


def test_import_soon_imports_after_the_subscription_is_saved(
    server, people, spaces, django_capture_on_commit_callbacks
):
    source, group = spaces
    event = event_of(organiser=people.other, space=source, starts_at=at(2026, 11, 3, 19))
    server.calendar = _calendar_of([event])

    with django_capture_on_commit_callbacks(execute=True):
        subscription = _subscribe(server, people, group)
        imports.import_soon(subscription=subscription)
        assert not _imported(subscription)

    assert set(_imported(subscription)) == {event.uid}


def test_the_beat_entries_name_these_tasks(settings):
    from celery import current_app

    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    ours = {"events.tasks.import_calendars_everywhere", "events.tasks.send_reminders_everywhere"}
    assert ours <= names
    assert ours <= set(current_app.tasks)
    assert tasks.import_calendars.required_feature == "events"
