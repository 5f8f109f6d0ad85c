"""Creating events and answering them: bad input is refused field by field with nothing saved,
and a full event puts further "going" answers on the waiting list."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.event_types import EventType
from core.models import AuditEvent
from events import services
from events.models import Event, Rsvp, RsvpStatus
from events.services import EventFields
from spaces.models import SpaceVisibility
from tests.events.conftest import at
from tests.events.factories import event_of
from tests.spaces.factories import space_of


def _fields(**overrides) -> EventFields:
    values = {
        "title": "Repair-Café",
        "starts_at": at(2027, 3, 6, 14),
        "ends_at": at(2027, 3, 6, 17),
    }
    values.update(overrides)
    return EventFields(**values)


def test_a_member_creates_a_portal_event_and_it_is_audited(people):
    event = services.event_create(actor=people.organiser, fields=_fields(place="Stadtteilzentrum"))
    assert event.space is None and event.organiser == people.organiser
    assert event.series_ends_at == event.ends_at
    assert event.uid.endswith("@allmende") and event.sequence == 0
    assert AuditEvent.objects.filter(
        event_type=EventType.EVENT_CREATED, object_id=str(event.pk)
    ).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"title": "  "}, "title", "title"),
        ({"ends_at": at(2027, 3, 6, 13)}, "ends_at", "ends before it starts"),
        ({"latitude": "91", "longitude": "10"}, "latitude", "between"),
        ({"latitude": "54.3", "longitude": "200"}, "longitude", "between"),
        ({"latitude": "54.3"}, "longitude", "both latitude and longitude"),
        ({"latitude": "north", "longitude": "10"}, "latitude", "number"),
        ({"rrule": "FREQ=NOPE"}, "rrule", "cannot be read"),
        ({"rrule": "FREQ=MINUTELY"}, "rrule", "hourly"),
        ({"capacity": 0}, "capacity", "Between 1"),
        ({"online_url": "javascript:alert(1)"}, "online_url", "https://"),
        ({"timezone": "Mars/Olympus"}, "timezone", "time zone"),
        ({"target_group": "robots"}, "target_group", "target group"),
        ({"category_id": 999_999}, "category", "category"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(people, english, overrides, field, words):
    with pytest.raises(ValidationError) as raised:
        services.event_create(actor=people.organiser, fields=_fields(**overrides))
    messages = raised.value.message_dict
    assert field in messages, messages
    assert words in " ".join(messages[field])
    assert not Event.objects.exists()


def test_several_mistakes_are_reported_at_once(people, english):
    with pytest.raises(ValidationError) as raised:
        services.event_create(
            actor=people.organiser,
            fields=_fields(title="", ends_at=at(2027, 3, 5, 10), capacity=0),
        )
    assert {"title", "ends_at", "capacity"} <= raised.value.message_dict.keys()


def test_a_series_without_end_is_stored_without_a_last_date(people):
    event = services.event_create(
        actor=people.organiser, fields=_fields(rrule="RRULE:FREQ=WEEKLY;BYDAY=SA")
    )
    assert event.rrule == "FREQ=WEEKLY;BYDAY=SA"
    assert event.series_ends_at is None
    bounded = services.event_create(
        actor=people.organiser, fields=_fields(rrule="FREQ=WEEKLY;COUNT=3")
    )
    assert bounded.series_ends_at == at(2027, 3, 20, 17)


def test_an_all_day_event_covers_whole_days(people):
    event = services.event_create(
        actor=people.organiser,
        fields=_fields(all_day=True, starts_at=at(2027, 6, 12, 10), ends_at=at(2027, 6, 13, 10)),
    )
    assert event.starts_at == at(2027, 6, 12, 0)
    assert event.ends_at == at(2027, 6, 14, 0)


def test_space_events_are_for_the_space_s_members(people, english):
    space = space_of(admin=people.organiser)
    event = event_of(organiser=people.organiser, space=space, starts_at=at(2027, 1, 10, 18))
    assert event.space == space
    with pytest.raises(PermissionDenied):
        event_of(organiser=people.other, space=space, starts_at=at(2027, 1, 11, 18))


def test_a_full_event_puts_the_next_on_the_waiting_list(people):
    event = event_of(organiser=people.organiser, starts_at=at(2027, 2, 1, 18), capacity=1)
    first = services.rsvp_set(user=people.member, event=event, status=RsvpStatus.GOING)
    second = services.rsvp_set(user=people.other, event=event, status=RsvpStatus.GOING)
    assert first.status == RsvpStatus.GOING
    assert second.status == RsvpStatus.WAITING
    # "Maybe" takes no place: anyone may say it.
    maybe = services.rsvp_set(user=people.moderator, event=event, status=RsvpStatus.MAYBE)
    assert maybe.status == RsvpStatus.MAYBE
    # Asking to go again while waiting keeps the place in the queue.
    again = services.rsvp_set(user=people.other, event=event, status=RsvpStatus.GOING)
    assert again.pk == second.pk and again.status == RsvpStatus.WAITING
    assert Rsvp.objects.filter(event=event).count() == 3


def test_answering_twice_changes_the_one_answer(people):
    event = event_of(organiser=people.organiser, starts_at=at(2027, 2, 1, 18))
    services.rsvp_set(user=people.member, event=event, status=RsvpStatus.GOING)
    services.rsvp_set(user=people.member, event=event, status=RsvpStatus.MAYBE)
    assert list(Rsvp.objects.filter(event=event).values_list("status", flat=True)) == ["maybe"]
    services.rsvp_withdraw(user=people.member, event=event)
    assert not Rsvp.objects.filter(event=event).exists()


def test_cancelled_past_and_invisible_events_take_no_answers(people, english):
    past = event_of(organiser=people.organiser, starts_at=at(2020, 1, 1, 18))
    with pytest.raises(ValidationError, match="over"):
        services.rsvp_set(user=people.member, event=past, status=RsvpStatus.GOING)
    private = space_of(visibility=SpaceVisibility.PRIVATE, admin=people.organiser)
    hidden = event_of(organiser=people.organiser, space=private, starts_at=at(2027, 5, 1, 18))
    with pytest.raises(PermissionDenied):
        services.rsvp_set(user=people.other, event=hidden, status=RsvpStatus.GOING)
    with pytest.raises(ValidationError):
        services.rsvp_set(user=people.member, event=hidden, status="perhaps")
    assert not Rsvp.objects.exists()


def test_only_the_organiser_or_moderators_may_change_an_event(people, english):
    event = event_of(organiser=people.organiser, starts_at=at(2027, 2, 1, 18))
    with pytest.raises(PermissionDenied):
        services.event_update(actor=people.other, event=event, fields=_fields(title="Gekapert"))
    changed = services.event_update(
        actor=people.moderator,
        event=event,
        fields=_fields(
            title="Repair-Café im Frühling",
            starts_at=at(2027, 2, 1, 18),
            ends_at=at(2027, 2, 1, 20),
        ),
    )
    assert changed.title == "Repair-Café im Frühling"
    assert changed.sequence == 1


def test_an_unchanged_save_keeps_the_sequence(people):
    event = event_of(organiser=people.organiser, starts_at=at(2027, 2, 1, 18), title="Gleich")
    same = services.event_update(
        actor=people.organiser,
        event=event,
        fields=_fields(title="Gleich", starts_at=at(2027, 2, 1, 18), ends_at=at(2027, 2, 1, 20)),
    )
    assert same.sequence == 0


def test_a_feed_address_is_renewed_and_the_old_one_stops_working(people):
    from events.selectors import user_for_feed_token

    token = services.feed_token_get_or_create(user=people.member)
    old = token.token
    assert user_for_feed_token(old) == people.member
    services.feed_token_rotate(user=people.member)
    assert user_for_feed_token(old) is None
    assert user_for_feed_token("") is None


def test_categories_are_kept_by_staff_with_unique_names(people, english):
    category = services.category_save(actor=people.moderator, name="Workshop")
    assert category.slug == "workshop"
    with pytest.raises(ValidationError, match="already"):
        services.category_save(actor=people.moderator, name="workshop")
    with pytest.raises(PermissionDenied):
        services.category_save(actor=people.member, name="Fest")


def test_reminders_wait_until_a_day_before(people):
    event = event_of(organiser=people.organiser, starts_at=at(2027, 2, 1, 18))
    services.rsvp_set(user=people.member, event=event, status=RsvpStatus.GOING)
    assert services.send_reminders(now=at(2027, 1, 30, 12)) == 0
    # The notification itself links the event page, which lands with the calendar pages;
    # until then this test stops at "nothing early".
    assert Rsvp.objects.get(user=people.member).reminded_for is None
