"""The calendar's pages as members use them: creating with collision hints before saving,
bad input that loses nothing, answering with a waiting list, editing and cancelling that tell
everyone who answered, the four views, a private space's events kept from others, the
member's secret calendar address, a space's subscriptions, the admins' categories, and a
month view that costs the same queries with 10 or 5,000 events."""

from __future__ import annotations

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from events import selectors, services
from events.models import Event, FeedToken, Rsvp, RsvpStatus
from notifications.models import Notification
from spaces.models import SpaceVisibility
from tests.conftest import in_portal
from tests.events.conftest import at
from tests.events.factories import bulk_events, event_of
from tests.spaces.factories import space_of


def _form(**overrides) -> dict:
    data = {
        "title": "Repair-Café",
        "description": "Wir reparieren gemeinsam.",
        "starts_at": "2027-03-06T14:00",
        "ends_at": "2027-03-06T17:00",
        "timezone": "Europe/Berlin",
        "repeats": "",
        "target_group": "everyone",
        "district": "Gaarden",
    }
    data.update(overrides)
    return data


def test_a_clash_is_shown_before_saving_and_the_organiser_can_save_anyway(people):
    event_of(
        organiser=people.other,
        title="Stadtteilfest Gaarden",
        starts_at=at(2027, 3, 6, 12),
        hours=6,
        district="Gaarden",
    )
    client = people.client("organiser")
    shown = client.post("/events/new/", _form())
    page = shown.content.decode()
    assert shown.status_code == 200
    assert "Stadtteilfest Gaarden" in page and "gleicher Stadtteil" in page
    assert "Trotzdem speichern" in page and "Repair-Café" in page  # what was typed stays
    assert not Event.objects.filter(title="Repair-Café").exists()
    saved = client.post("/events/new/", _form(proceed="1"))
    assert saved.status_code == 302
    assert Event.objects.filter(title="Repair-Café", district="Gaarden").count() == 1


def test_no_clash_saves_at_once_and_the_live_hints_answer_while_typing(people):
    event_of(
        organiser=people.other, title="Anderswo", starts_at=at(2027, 3, 6, 13), district="Mitte"
    )
    client = people.client("organiser")
    hints = client.get("/events/new/clashes/", _form(district="Mitte"))
    assert hints.status_code == 200 and "Anderswo" in hints.content.decode()
    quiet = client.get("/events/new/clashes/", _form(district="Gaarden"))
    assert "Anderswo" not in quiet.content.decode()
    assert client.post("/events/new/", _form()).status_code == 302


def test_an_event_that_ends_before_it_starts_is_refused_and_nothing_is_lost(people):
    client = people.client("organiser")
    bad = client.post(
        "/events/new/", _form(ends_at="2027-03-06T12:00", description="Mein langer Text")
    )
    page = bad.content.decode()
    assert bad.status_code == 400
    assert "endet, bevor" in page and "Mein langer Text" in page
    out_of_range = client.post("/events/new/", _form(latitude="91", longitude="10"))
    assert out_of_range.status_code == 400
    assert not Event.objects.exists()


def test_a_weekly_meeting_is_made_from_the_choice_and_shows_its_next_dates(people):
    client = people.client("organiser")
    response = client.post(
        "/events/new/",
        _form(
            title="Plenum",
            starts_at="2027-03-02T19:00",
            ends_at="2027-03-02T21:00",
            repeats="weekly",
            repeat_count="10",
            exceptions="2027-03-09",
            district="",
        ),
    )
    assert response.status_code == 302
    event = Event.objects.get(title="Plenum")
    assert event.rrule == "FREQ=WEEKLY;COUNT=10"
    assert [d.date() for d in event.exdates] == [datetime.date(2027, 3, 9)]
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Jede Woche" in page and "16. März 2027, 19:00" in page
    assert "9. März 2027" not in page  # the exception


def test_answering_fills_places_then_the_waiting_list_moves_up(people):
    event = event_of(organiser=people.organiser, starts_at=at(2030, 5, 1, 18), capacity=1)
    url = event.get_absolute_url()
    member, other = people.client("member"), people.client("other")
    member.post(f"{url}rsvp/", {"status": "going"})
    page = other.get(url).content.decode()
    assert "Auf die Warteliste" in page  # full: the button says what happens
    other.post(f"{url}rsvp/", {"status": "going"})
    assert "Warteliste, Platz 1" in other.get(url).content.decode()
    member.post(f"{url}rsvp/withdraw/")
    assert Rsvp.objects.get(user=people.other).status == RsvpStatus.GOING
    assert Notification.objects.filter(
        recipient=people.other, event_type="event.rsvp_moved_up"
    ).exists()


def test_only_those_who_run_it_edit_and_a_move_tells_who_answered(people):
    event = event_of(organiser=people.organiser, starts_at=at(2030, 5, 1, 18))
    services.rsvp_set(user=people.member, event=event, status="going")
    edit = f"/events/{event.pk}/edit/"
    assert people.client("other").get(edit).status_code == 403
    organiser = people.client("organiser")
    form = organiser.get(edit)
    assert form.status_code == 200 and "2030-05-01T18:00" in form.content.decode()
    moved = organiser.post(
        edit,
        _form(
            title="Treffen", starts_at="2030-05-02T18:00", ends_at="2030-05-02T20:00", district=""
        ),
    )
    assert moved.status_code == 302
    assert Notification.objects.filter(
        recipient=people.member, event_type="event.rescheduled"
    ).exists()
    event.refresh_from_db()
    assert event.sequence == 1


def test_cancelling_tells_everyone_and_the_page_says_so(people):
    event = event_of(organiser=people.organiser, starts_at=at(2030, 5, 1, 18))
    services.rsvp_set(user=people.member, event=event, status="maybe")
    assert people.client("other").post(f"/events/{event.pk}/cancel/").status_code == 403
    people.client("organiser").post(f"/events/{event.pk}/cancel/", {"reason": "Sturmwarnung"})
    page = people.client("member").get(event.get_absolute_url()).content.decode()
    assert "abgesagt" in page and "Sturmwarnung" in page
    assert "Ich komme" not in page  # no answering a cancelled event
    assert Notification.objects.filter(
        recipient=people.member, event_type="event.cancelled"
    ).exists()


def test_the_four_views_show_an_event_on_its_day(people):
    event_of(organiser=people.organiser, title="Klimastammtisch", starts_at=at(2027, 4, 14, 19))
    visitor = people.client("visitor")
    for url in (
        "/events/?month=2027-04",
        "/events/week/?week=2027-04-14",
        "/events/agenda/?from=2027-04-01",
    ):
        response = visitor.get(url)
        assert response.status_code == 200 and "Klimastammtisch" in response.content.decode(), url
    month = visitor.get("/events/?month=2027-05").content.decode()
    assert "Klimastammtisch" not in month  # positive control: another month
    # A bad month or day falls back to today instead of failing.
    assert visitor.get("/events/?month=nonsense").status_code == 200
    assert visitor.get("/events/week/?week=2027-13-40").status_code == 200
    # The far end of what dates hold: moving on from there must not overflow.
    for far in (
        "/events/?month=9999-12",
        "/events/week/?week=9999-12-31",
        "/events/agenda/?from=9999-12-31",
    ):
        assert visitor.get(far).status_code == 200, far


def test_the_list_shows_what_is_coming_and_filters_by_category(people):
    workshop = services.category_save(actor=people.moderator, name="Workshop")
    event_of(
        organiser=people.organiser,
        title="Löten lernen",
        starts_at=at(2030, 1, 5, 10),
        category_id=workshop.pk,
    )
    event_of(organiser=people.organiser, title="Sommerfest", starts_at=at(2030, 7, 5, 10))
    event_of(organiser=people.organiser, title="Vorbei", starts_at=at(2020, 7, 5, 10))
    page = people.client("visitor").get("/events/list/").content.decode()
    assert "Löten lernen" in page and "Sommerfest" in page and "Vorbei" not in page
    narrowed = (
        people.client("visitor").get(f"/events/list/?category={workshop.pk}").content.decode()
    )
    assert "Löten lernen" in narrowed and "Sommerfest" not in narrowed


def test_a_private_space_s_event_is_a_404_for_others_and_absent_from_their_views(people):
    private = space_of(
        visibility=SpaceVisibility.PRIVATE, admin=people.organiser, members=[people.member]
    )
    secret = event_of(
        organiser=people.organiser,
        space=private,
        title="Geheimtreffen",
        starts_at=at(2027, 4, 14, 19),
    )
    for role in ("other", "visitor"):
        client = people.client(role)
        assert client.get(secret.get_absolute_url()).status_code == 404
        assert client.get(f"/events/{secret.pk}/ical/").status_code == 404
        assert "Geheimtreffen" not in client.get("/events/?month=2027-04").content.decode()
    member = people.client("member")
    assert member.get(secret.get_absolute_url()).status_code == 200  # positive control
    assert "Geheimtreffen" in member.get("/events/?month=2027-04").content.decode()
    # Public feeds are built as for a visitor: not even a member's session puts it there.
    assert b"Geheimtreffen" not in member.get("/events/ical/").content
    assert b"Geheimtreffen" not in member.get("/events/feed/rss/").content
    assert member.get(f"/spaces/{private.slug}/events/ical/").status_code == 404


def test_a_member_s_secret_feed_works_here_only_and_a_new_address_stops_the_old(people, portal_a):
    event = event_of(organiser=people.other, title="Mein Termin", starts_at=at(2027, 4, 14, 19))
    services.rsvp_set(user=people.member, event=event, status="going")
    member = people.client("member")
    page = member.get("/events/mine/").content.decode()
    token = FeedToken.objects.get(user=people.member).token
    feed = f"/events/ical/member/{token}/"
    assert feed in page and "webcal://" in page
    answer = people.client("visitor").get(feed)  # a calendar app carries no session
    assert answer.status_code == 200 and b"Mein Termin" in answer.content
    assert answer["Cache-Control"] == "private, no-store"
    from django.test import Client

    from tests.accounts.factories import host_of

    assert Client(HTTP_HOST=host_of(portal_a)).get(feed).status_code == 404
    with in_portal(people.portal):
        member.post("/events/mine/new-address/")
        assert people.client("visitor").get(feed).status_code == 404
        fresh = FeedToken.objects.get(user=people.member).token
        assert fresh != token
        assert people.client("visitor").get(f"/events/ical/member/{fresh}/").status_code == 200


def test_a_space_s_page_lists_its_events_and_only_its_admins_subscribe(people):
    space = space_of(admin=people.organiser, members=[people.member], name="Klimagruppe")
    event_of(
        organiser=people.organiser,
        space=space,
        title="Gruppentreffen",
        starts_at=at(2030, 1, 5, 18),
    )
    member_page = people.client("member").get(f"/spaces/{space.slug}/events/").content.decode()
    assert "Gruppentreffen" in member_page
    assert "Externe Kalender" not in member_page
    refused = people.client("member").post(
        f"/spaces/{space.slug}/events/calendars/", {"url": "https://example.org/cal.ics"}
    )
    assert refused.status_code == 403
    admin_page = people.client("organiser").get(f"/spaces/{space.slug}/events/").content.decode()
    assert "Externe Kalender" in admin_page  # positive control
    bad = people.client("organiser").post(
        f"/spaces/{space.slug}/events/calendars/", {"url": "ftp://example.org/cal.ics"}
    )
    assert bad.status_code == 400 and "ftp://example.org/cal.ics" in bad.content.decode()


def test_admins_keep_the_categories_and_a_duplicate_is_refused(people):
    admin = people.client("admin")
    assert people.client("member").get("/manage/events/").status_code in (403, 404)
    assert admin.get("/manage/events/").status_code == 200
    assert admin.post("/manage/events/categories/", {"name": "Workshop"}).status_code == 302
    twice = admin.post("/manage/events/categories/", {"name": "workshop"})
    assert twice.status_code == 400 and "gibt es schon" in twice.content.decode()


def test_everything_is_in_english_too(people):
    event_of(organiser=people.organiser, title="Meetup", starts_at=at(2027, 4, 14, 19))
    page = people.client("member", language="en").get("/events/?month=2027-04").content.decode()
    assert "Next month" in page and "April 2027" in page and "Meetup" in page


def _month_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/events/?month=2027-02")
    assert response.status_code == 200
    return len(queries)


def test_the_month_view_costs_the_same_queries_with_10_or_5000_events(people):
    space = space_of(admin=people.organiser)
    bulk_events(organiser=people.organiser, space=space, count=10, prefix="wenige")
    client = people.client("member")
    _month_queries(client)  # caches warm
    few = _month_queries(client)
    bulk_events(organiser=people.organiser, space=space, count=4990, prefix="viele", hour=14)
    many = _month_queries(client)
    assert few == many
    page = client.get("/events/?month=2027-02").content.decode()
    # Each day shows its first few and links the rest to the agenda from that day, to the
    # month's last filled day (27 February): nothing is cut, so no warning either.
    assert "mehr Termine" not in page
    shown = len(re.findall(r'class="occurrence', page))
    assert shown == 27 * selectors.MONTH_PER_DAY
    # 184 of the 4,990 fall on the 27th (bulk_events: the n-th on day 1 + n % 27).
    assert 'href="/events/agenda/?from=2027-02-27">181 weitere am 27. Februar' in page


def test_search_finds_a_listed_event_and_never_a_private_space_s(people):
    from search.selectors import search

    private = space_of(visibility=SpaceVisibility.PRIVATE, admin=people.organiser)
    event_of(organiser=people.organiser, title="Lastenrad-Tour", starts_at=at(2030, 1, 5, 18))
    event_of(
        organiser=people.organiser,
        space=private,
        title="Lastenrad intern",
        starts_at=at(2030, 1, 6, 18),
    )
    found = [hit.title for hit in search(user=people.other, query="Lastenrad").hits]
    assert found == ["Lastenrad-Tour"]
    mine = {hit.title for hit in search(user=people.organiser, query="Lastenrad").hits}
    assert mine == {"Lastenrad-Tour", "Lastenrad intern"}  # positive control: its members


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_every_list_of_events_costs_the_same_queries_with_5_or_60_events(people):
    space = space_of(admin=people.organiser, members=[people.member])
    category = services.category_save(actor=people.moderator, name="Treffen")
    urls = (
        "/events/week/?week=2027-02-08",
        "/events/agenda/?from=2027-02-01",
        "/events/list/",
        f"/spaces/{space.slug}/events/",
        "/events/mine/",
        "/api/v1/events/",
        "/api/v1/events/?from=2027-02-01T00:00:00Z&to=2027-03-01T00:00:00Z",
        "/events/feed/rss/",
        "/events/ical/",
    )

    def grow(count: int, prefix: str) -> None:
        bulk_events(organiser=people.organiser, space=space, count=count, prefix=prefix)
        Event.objects.filter(title__startswith=prefix).update(category=category)

    client = people.client("member")
    grow(5, "wenige")
    for url in urls:
        _queries(client, url)  # caches warm
    few = {url: _queries(client, url) for url in urls}
    grow(55, "viele")
    assert {url: _queries(client, url) for url in urls} == few


def test_a_cancelled_event_is_abgesagt_in_the_german_calendar_not_gekuendigt(people):
    # "cancelled" is also a subscription's status, which in German is "gekündigt".
    event = event_of(organiser=people.organiser, title="Sommerfest", starts_at=at(2030, 6, 5, 18))
    people.client("organiser").post(f"/events/{event.pk}/cancel/", {"reason": "Regen"})
    client = people.client("member")
    month = client.get("/events/?month=2030-06").content.decode()
    assert '<span class="tag">abgesagt</span>' in month
    assert "gekündigt" not in month


def test_every_date_of_the_month_links_to_its_own_event(people):
    # The grid reverses the link once and puts each pk in (events.templatetags.occurrences).
    events = [
        event_of(organiser=people.organiser, title=f"Treffen {n}", starts_at=at(2030, 7, n, 18))
        for n in (3, 4, 21)
    ]
    month = people.client("member").get("/events/?month=2030-07").content.decode()
    for event in events:
        assert f'href="{event.get_absolute_url()}">' in month
        assert f'href="/events/{event.pk}/">' in month


def test_an_events_link_follows_the_script_prefix_it_is_built_under(people):
    # Event.get_absolute_url reverses once per URLconf and prefix (events.models._detail_pattern).
    from django.urls import get_script_prefix, set_script_prefix

    event = event_of(organiser=people.organiser, starts_at=at(2030, 8, 1, 18))
    assert event.get_absolute_url() == f"/events/{event.pk}/"
    before = get_script_prefix()
    set_script_prefix("/portal/")
    try:
        assert event.get_absolute_url() == f"/portal/events/{event.pk}/"
    finally:
        set_script_prefix(before)
    assert event.get_absolute_url() == f"/events/{event.pk}/"
