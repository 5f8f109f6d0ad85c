"""Two answers at the same moment: the same member twice (a double click) makes one RSVP, and
two members for the last place of a full event make one "going" and one "waiting". The first
session holds its transaction open while the second starts. Runs on committed data and cleans
up after itself."""

from __future__ import annotations

from core.models import AuditEvent
from events import services
from events.models import Event, Rsvp, RsvpStatus
from tests.accounts.factories import member_of
from tests.concurrency import hold_and_wait
from tests.conftest import in_portal
from tests.events.conftest import at
from tests.events.factories import event_of


def _cleanup(portal, event, users):
    with in_portal(portal):
        AuditEvent.objects.filter(actor__in=users).delete()
        Event.objects.filter(pk=event.pk).delete()
        for user in users:
            user.delete()


def test_the_same_answer_twice_at_once_makes_one_rsvp(committed, portal_b, events_on):
    with in_portal(portal_b):
        organiser = member_of(portal_b, email="race-event-organiser@beta.example")
        fan = member_of(portal_b, email="race-event-fan@beta.example")
        event = event_of(organiser=organiser, starts_at=at(2030, 1, 5, 18))

    def session():
        with in_portal(portal_b):
            return services.rsvp_set(user=fan, event=event, status=RsvpStatus.GOING)

    try:
        first, second = hold_and_wait(session, session)
        assert first.pk == second.pk
        with in_portal(portal_b):
            assert Rsvp.objects.filter(event=event, user=fan).count() == 1
    finally:
        _cleanup(portal_b, event, [organiser, fan])


def test_two_members_for_the_last_place_make_one_going_and_one_waiting(
    committed, portal_b, events_on
):
    with in_portal(portal_b):
        organiser = member_of(portal_b, email="race-place-organiser@beta.example")
        one = member_of(portal_b, email="race-place-one@beta.example")
        two = member_of(portal_b, email="race-place-two@beta.example")
        event = event_of(organiser=organiser, starts_at=at(2030, 1, 6, 18), capacity=1)

    def answer(user):
        def session():
            with in_portal(portal_b):
                return services.rsvp_set(user=user, event=event, status=RsvpStatus.GOING)

        return session

    try:
        first, second = hold_and_wait(answer(one), answer(two))
        assert sorted([first.status, second.status]) == [RsvpStatus.GOING, RsvpStatus.WAITING]
        with in_portal(portal_b):
            assert Rsvp.objects.filter(event=event, status=RsvpStatus.GOING).count() == 1
    finally:
        _cleanup(portal_b, event, [organiser, one, two])
