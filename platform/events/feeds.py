"""The calendar's feeds: iCal (RFC 5545) for the portal, each public space, each category, one
event, and each member's own events behind a secret token; RSS and Atom of upcoming events.

Public feeds are always built as for a visitor, whoever fetches them: a feed address is
pasted into calendar apps and passed on, so it must never carry what only a logged-in member
may see. A private space has no feed (404, like a missing one). A member's feed reads as that
member, found by the token in its address; a token is a row of its portal's schema, so a token
of portal A means nothing on portal B (404). Cancelled events stay in iCal feeds as
STATUS:CANCELLED, so calendar apps take them off instead of keeping a stale copy.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.feeds import StableAtomFeed, StableRssFeed
from core.richtext import render
from events import ical, recurrence, selectors

FEED_LENGTH = 50


def _site_name(request) -> str:
    theme = getattr(request, "theme", None)
    return getattr(theme, "site_name", "") or request.get_host()


def _calendar(request, events, *, name: str, filename: str) -> HttpResponse:
    body = ical.calendar_bytes(
        events=list(selectors.in_feed_window(events)),
        name=name,
        url_for=lambda event: request.build_absolute_uri(event.get_absolute_url()),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    # Calendar apps poll; a short cache spares the database without serving stale dates long.
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_GET
def portal_ical(request):
    events = selectors.events_listed_for(user=AnonymousUser())
    return _calendar(request, events, name=_site_name(request), filename="calendar")


@require_GET
def category_ical(request, pk: int):
    category = get_object_or_404(selectors.categories(), pk=pk)
    events = selectors.events_listed_for(user=AnonymousUser()).filter(category=category)
    name = f"{_site_name(request)}: {category.name}"
    return _calendar(request, events, name=name, filename=f"calendar-{category.slug}")


@require_GET
def space_ical(request, slug: str):
    from spaces.selectors import space_for

    space = space_for(user=AnonymousUser(), slug=slug)
    if not selectors.has_public_feed(space=space):
        raise Http404
    events = selectors.events_listed_for(user=AnonymousUser()).filter(space=space)
    return _calendar(request, events, name=space.name, filename=f"calendar-{space.slug}")


@require_GET
def event_ical(request, pk: int):
    """One event as a file to add to one's calendar: as visible as its page."""
    event = selectors.event_for(user=request.user, pk=pk)
    body = ical.calendar_bytes(
        events=[event],
        name=event.title,
        url_for=lambda e: request.build_absolute_uri(e.get_absolute_url()),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


@require_GET
def member_ical(request, token: str):
    user = selectors.user_for_feed_token(token)
    if user is None:
        raise Http404
    name = _("%(portal)s: my calendar") % {"portal": _site_name(request)}
    response = _calendar(
        request, selectors.own_events(user=user), name=name, filename="my-calendar"
    )
    # The address is the credential: no shared cache may keep what it returns.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


class UpcomingEventsFeed(Feed):
    """The next events, soonest first, as for a visitor."""

    feed_type = StableRssFeed

    def get_object(self, request):
        from events.views import filters_from

        self.now = timezone.now()
        return filters_from(request.GET)

    def title(self, obj) -> str:
        return _("Upcoming events")

    def link(self, obj) -> str:
        return reverse("events:list")

    def description(self, obj) -> str:
        return _("The next events on this portal")

    def items(self, obj):
        events = selectors.upcoming(user=AnonymousUser(), filters=obj, now=self.now)
        return list(events.exclude(status="cancelled")[:FEED_LENGTH])

    def item_title(self, event) -> str:
        occurrence = recurrence.next_occurrence(event, after=self.now)
        when = occurrence.start if occurrence else event.starts_at
        local = timezone.localtime(when, recurrence.zone(event.timezone))
        date = formats.date_format(
            local, "SHORT_DATE_FORMAT" if event.all_day else "SHORT_DATETIME_FORMAT"
        )
        return f"{date}: {event.title}"

    def item_description(self, event) -> str:
        return str(render(event.description))

    def item_pubdate(self, event):
        return event.created_at

    def item_updateddate(self, event):
        return event.updated_at

    def item_categories(self, event):
        return [event.category.name] if event.category else []


class UpcomingEventsAtomFeed(UpcomingEventsFeed):
    feed_type = StableAtomFeed
    subtitle = UpcomingEventsFeed.description


def rss(request):
    return UpcomingEventsFeed()(request)


def atom(request):
    return UpcomingEventsAtomFeed()(request)
