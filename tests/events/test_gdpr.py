"""Data rights: a member's events, answers, feed address and calendar subscriptions are
exported, and erased (events kept without the name, or deleted, as the member chooses)."""

from __future__ import annotations

from core import gdpr
from events import services
from events.models import CalendarSubscription, Event, FeedToken, Rsvp, RsvpStatus
from tests.events.conftest import at
from tests.events.factories import event_of
from tests.spaces.factories import space_of


def _entries():
    return {entry.model._meta.label_lower: entry for entry in gdpr.entries()}


def test_export_and_erase_keeping_the_events(people):
    space = space_of(admin=people.organiser)
    kept = event_of(organiser=people.organiser, title="Mein Treffen", starts_at=at(2030, 1, 5, 18))
    other = event_of(organiser=people.member, title="Fremdes Fest", starts_at=at(2030, 1, 6, 18))
    services.rsvp_set(user=people.organiser, event=other, status=RsvpStatus.MAYBE)
    services.feed_token_get_or_create(user=people.organiser)
    CalendarSubscription.objects.create(
        space=space, url="https://example.org/kalender.ics", created_by=people.organiser
    )
    assert {
        "events.Event",
        "events.Rsvp",
        "events.FeedToken",
        "events.CalendarSubscription",
    } <= gdpr.registered_labels()
    entries = _entries()
    assert [row["title"] for row in entries["events.event"].exporter(people.organiser)] == [
        "Mein Treffen"
    ]
    assert entries["events.rsvp"].exporter(people.organiser) == [
        {
            "event": "Fremdes Fest",
            "event_id": other.pk,
            "answer": "maybe",
            "at": Rsvp.objects.get(user=people.organiser).created_at.isoformat(),
        }
    ]
    assert len(entries["events.feedtoken"].exporter(people.organiser)) == 1
    assert (
        entries["events.calendarsubscription"]
        .exporter(people.organiser)[0]["url"]
        .endswith("kalender.ics")
    )
    for label in ("events.rsvp", "events.feedtoken", "events.calendarsubscription", "events.event"):
        entries[label].eraser(people.organiser, keep_content=True)
    assert Event.objects.get(pk=kept.pk).organiser is None
    assert not Rsvp.objects.filter(user=people.organiser).exists()
    assert not FeedToken.objects.filter(user=people.organiser).exists()
    assert CalendarSubscription.objects.get(space=space).created_by is None
    assert Rsvp.objects.count() == 0 and Event.objects.filter(pk=other.pk).exists()


def test_erasing_without_keeping_deletes_the_events(people):
    mine = event_of(organiser=people.organiser, starts_at=at(2030, 1, 5, 18))
    theirs = event_of(organiser=people.member, starts_at=at(2030, 1, 5, 18))
    _entries()["events.event"].eraser(people.organiser, keep_content=False)
    assert not Event.objects.filter(pk=mine.pk).exists()
    assert Event.objects.filter(pk=theirs.pk).exists()
