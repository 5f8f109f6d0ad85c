"""Journey of the shared calendar (issue 14's "done when"): a member creates an event and is
shown the clash with a festival in the same district before saving, saves anyway; others
answer; the event is in the month view and on the map; the member copies the address of
their own calendar, which a calendar app reads as valid iCal; and a group's admin subscribes
the group to the portal's calendar, whose events it then imports.

In German and English on a desktop and in German on a 390 px phone; screenshots in
`.data/screenshots/events_calendar/`. What other people do (the festival, the answers) happens through
the services, as it would in their own browsers.
"""

from __future__ import annotations

import datetime
import re
from http.client import HTTPConnection
from urllib.parse import urlsplit

import icalendar
from django.utils import timezone

from accounts.models import Role, User
from tests.browser import needs_chromium
from tests.conftest import in_portal
from tests.journeys.conftest import log_in, main_nav, say

pytestmark = needs_chromium
PASSWORD = "Kieler-Woche-am-Hafen-9"
EVENT = "Reparaturtag im Stadtteilzentrum"


def _people(portal, day: datetime.date):
    from allauth.account.models import EmailAddress

    from events import services
    from spaces.models import SpaceVisibility
    from spaces.services import space_create

    with in_portal(portal):
        made = {}
        for key, name, role in (
            ("organiser", "Rita Repair", Role.MEMBER),
            ("neighbour", "Nils Nachbar", Role.MEMBER),
            ("admin", "Ada Admin", Role.ADMIN),
        ):
            user = User.objects.create_user(
                email=f"{key}@{portal.slug}.example",
                password=PASSWORD,
                display_name=name,
                role=role,
            )
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            made[key] = user
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(day, datetime.time(12), zone)
        services.event_create(
            actor=made["admin"],
            fields=services.EventFields(
                title="Stadtteilfest Gaarden",
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=6),
                district="Gaarden",
                latitude="54.314",
                longitude="10.149",
            ),
        )
        group = space_create(
            actor=made["neighbour"],
            name="Nachbarschaftscafé",
            visibility=SpaceVisibility.PUBLIC,
        )
    return made, group


def _fetch(url: str) -> tuple[int, str, bytes]:
    """GET `url` as a calendar app would; names under .localhost are this machine."""
    parts = urlsplit(url)
    connection = HTTPConnection("127.0.0.1", parts.port, timeout=20)
    connection.request("GET", parts.path, headers={"Host": parts.netloc})
    answer = connection.getresponse()
    return answer.status, answer.getheader("Content-Type", ""), answer.read()


def test_events_calendar(live_site, new_portal, page, shots, variant):
    live, subdomain = live_site, f"events-{variant.id}"
    portal = new_portal(subdomain, name="Klimanetz Förde")
    base = live.portal_url(subdomain)
    day = timezone.localdate() + datetime.timedelta(days=10)
    people, group = _people(portal, day)

    # The organiser creates an event in the same district on the festival's afternoon.
    log_in(page, live, subdomain, people["organiser"].email, PASSWORD)
    main_nav(page, variant).get_by_role(
        "link", name=say(variant, "Veranstaltungskalender", "Events calendar")
    ).click()
    page.wait_for_url("**/events/")
    shots(page, "month-before")
    page.locator("a[href='/events/new/']").first.click()
    page.wait_for_url("**/events/new/")
    page.fill("[name=title]", EVENT)
    page.fill("[name=description]", "Wir reparieren **gemeinsam**, was kaputt ist.")
    page.fill("[name=starts_at]", f"{day.isoformat()}T14:00")
    page.fill("[name=ends_at]", f"{day.isoformat()}T17:00")
    page.fill("[name=place]", "Stadtteilzentrum Gaarden, Kaiserstraße 48")
    page.fill("[name=district]", "Gaarden")
    page.fill("[name=latitude]", "54.3103")
    page.fill("[name=longitude]", "10.1525")
    page.fill("[name=capacity]", "20")
    # The hint appears while typing, before anything is sent.
    live_hint = page.locator("#clash-live")
    live_hint.get_by_text("Stadtteilfest Gaarden").wait_for()
    shots(page, "clash-while-typing")
    with page.expect_navigation():
        page.locator("main form.event-form > .form-buttons button[type=submit]").click()
    shots(page, "clash-before-saving")
    hints = page.locator(".clash-hints[role=alert]")
    assert "Stadtteilfest Gaarden" in hints.inner_text()
    assert say(variant, "gleicher Stadtteil", "same district") in hints.inner_text()
    page.get_by_role("button", name=say(variant, "Trotzdem speichern", "Save anyway")).click()
    page.wait_for_url(re.compile(r".*/events/\d+/$"))
    assert page.locator("main h1").inner_text() == EVENT
    event_url = page.url
    shots(page, "event-created")

    # Others answer, in their own browsers.
    from events import services
    from events.models import Event

    with in_portal(portal):
        event = Event.objects.get(title=EVENT)
        services.rsvp_set(user=people["neighbour"], event=event, status="going")
        services.rsvp_set(user=people["admin"], event=event, status="maybe")
    page.goto(event_url)
    answers = page.locator(".event-answers").inner_text()
    assert say(variant, "1 kommt", "1 going") in answers, answers
    with page.expect_navigation():
        page.locator(f"form[action='/events/{event.pk}/rsvp/'] button").first.click()
    assert say(variant, "Du kommst.", "You are going.") in page.locator("main").inner_text()
    shots(page, "answered")

    # The month view shows it on its day.
    page.goto(f"{base}/events/?month={day:%Y-%m}")
    cell = page.locator("table.month td").filter(
        has=page.get_by_role("link", name=re.compile(EVENT))
    )
    assert cell.count() == 1
    assert str(day.day) in cell.locator(".day-number").inner_text()
    shots(page, "month")

    # On the map (and in the directory, the list next to it).
    main_nav(page, variant).get_by_role("link", name=say(variant, "Karte", "Map")).click()
    page.wait_for_url("**/map/**")
    page.locator(".leaflet-marker-icon, .marker-cluster").first.wait_for()
    shots(page, "map")
    page.goto(f"{base}/map/directory/")
    assert page.get_by_role("link", name=EVENT).count() == 1
    shots(page, "directory")

    # The member copies their calendar's address; a calendar app reads it.
    page.goto(f"{base}/events/mine/")
    page.get_by_role("button", name=say(variant, "Adresse kopieren", "Copy the address")).click()
    page.locator(".copy-status").filter(has_text=say(variant, "Kopiert.", "Copied.")).wait_for()
    feed_url = page.locator("#feed-url").input_value()
    shots(page, "my-calendar")
    status, content_type, body = _fetch(feed_url)  # no session, like a calendar app
    assert status == 200 and content_type.startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(body)
    [mine] = [c for c in calendar.walk("VEVENT") if str(c["SUMMARY"]) == EVENT]
    assert mine.decoded("DTSTART").hour == 14 and calendar.walk("VTIMEZONE")

    # The group's admin subscribes the group to the portal's calendar and reads it at once.
    page.context.clear_cookies()
    log_in(page, live, subdomain, people["neighbour"].email, PASSWORD)
    page.goto(f"{base}/spaces/{group.slug}/events/")
    page.fill("[name=url]", f"{base}/events/ical/")
    shots(page, "subscribe")
    page.get_by_role("button", name=say(variant, "Abonnieren", "Subscribe")).click()
    page.wait_for_url(f"**/spaces/{group.slug}/events/")
    page.get_by_role("button", name=say(variant, "Jetzt lesen", "Read now")).click()
    page.wait_for_url(f"**/spaces/{group.slug}/events/")
    listed = page.locator("main .event-rows").inner_text()
    assert EVENT in listed and "Stadtteilfest Gaarden" in listed, listed
    shots(page, "imported")
    with in_portal(portal):
        copy = Event.objects.get(space=group, title=EVENT)
        assert copy.uid == event.uid and copy.source is not None
