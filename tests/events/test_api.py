"""The events API on portal B (Professional, so the API is on): create through the service with
the same rules as the form, list upcoming and a range of occurrences, answer and take back,
cancel; a private space's event is the same 404 as a missing one; the RSS feed of upcoming
events, and the calendar switched off."""

from __future__ import annotations

from spaces.models import SpaceVisibility
from tests.events.conftest import at
from tests.events.factories import event_of
from tests.features.conftest import set_feature
from tests.spaces.factories import space_of


def test_create_list_answer_and_cancel_through_the_api(people):
    api = people.client("organiser")
    bad = api.post(
        "/api/v1/events/",
        {
            "title": "Rückwärts",
            "starts_at": "2030-05-01T18:00:00+02:00",
            "ends_at": "2030-05-01T17:00:00+02:00",
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and "ends_at" in bad.json()
    created = api.post(
        "/api/v1/events/",
        {
            "title": "Plenum",
            "starts_at": "2030-05-07T19:00:00+02:00",
            "ends_at": "2030-05-07T21:00:00+02:00",
            "timezone": "Europe/Berlin",
            "rrule": "FREQ=WEEKLY;COUNT=4",
            "capacity": 1,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    listed = people.client("member").get("/api/v1/events/").json()["results"]
    assert [row["title"] for row in listed] == ["Plenum"]
    ranged = people.client("member").get(
        "/api/v1/events/", {"from": "2030-05-01T00:00:00Z", "to": "2030-06-01T00:00:00Z"}
    )
    assert [o["start"][:16] for o in ranged.json()["occurrences"]] == [
        "2030-05-07T19:00",
        "2030-05-14T19:00",
        "2030-05-21T19:00",
        "2030-05-28T19:00",
    ]
    member = people.client("member")
    assert member.post(f"/api/v1/events/{pk}/rsvp/", {"status": "going"}).json() == {
        "status": "going"
    }
    other = people.client("other")
    assert other.post(f"/api/v1/events/{pk}/rsvp/", {"status": "going"}).json() == {
        "status": "waiting"
    }
    assert member.delete(f"/api/v1/events/{pk}/rsvp/").status_code == 200
    assert other.post(f"/api/v1/events/{pk}/rsvp/", {"status": "maybe"}).json()["status"] == "maybe"
    assert people.client("other").post(f"/api/v1/events/{pk}/cancel/").status_code == 403
    cancelled = api.post(f"/api/v1/events/{pk}/cancel/", {"reason": "Krank"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_a_private_space_s_event_is_a_404_in_the_api_like_a_missing_one(people):
    private = space_of(
        visibility=SpaceVisibility.PRIVATE, admin=people.organiser, members=[people.member]
    )
    secret = event_of(organiser=people.organiser, space=private, starts_at=at(2030, 1, 5, 18))
    outsider = people.client("other")
    assert outsider.get(f"/api/v1/events/{secret.pk}/").status_code == 404
    assert outsider.get("/api/v1/events/2000000000/").status_code == 404
    assert (
        outsider.post(f"/api/v1/events/{secret.pk}/rsvp/", {"status": "going"}).status_code == 404
    )
    assert outsider.get("/api/v1/events/").json()["results"] == []
    insider = people.client("member")
    assert insider.get(f"/api/v1/events/{secret.pk}/").status_code == 200  # positive control


def test_the_rss_feed_lists_upcoming_events_with_their_dates(people):
    event_of(organiser=people.organiser, title="Sommerfest", starts_at=at(2030, 7, 5, 15))
    event_of(organiser=people.organiser, title="Längst vorbei", starts_at=at(2020, 7, 5, 15))
    rss = people.client("visitor").get("/events/feed/rss/").content.decode()
    assert "05.07.2030 15:00: Sommerfest" in rss and "Längst vorbei" not in rss
    atom = people.client("visitor").get("/events/feed/atom/")
    assert atom.status_code == 200 and "Sommerfest" in atom.content.decode()


def test_with_the_calendar_switched_off_its_pages_feeds_and_api_are_gone(people):
    event = event_of(organiser=people.organiser, starts_at=at(2030, 7, 5, 15))
    member = people.client("member")
    assert member.get(event.get_absolute_url()).status_code == 200  # positive control
    set_feature(people.portal, "events", False)
    for url in (
        "/events/",
        event.get_absolute_url(),
        "/events/ical/",
        "/events/feed/rss/",
        "/api/v1/events/",
    ):
        assert member.get(url).status_code == 404, url
    set_feature(people.portal, "events", True)
    assert member.get(event.get_absolute_url()).status_code == 200
