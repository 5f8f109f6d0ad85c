"""The "events" kind of search result: listed events that are not hidden, while the events
module is on (a private space's events only for its members)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def _candidates(user):
    from events.selectors import events_listed_for

    return events_listed_for(user=user).select_related("space")


def register_search_type() -> None:
    from events.models import Event
    from search.registry import SearchType, register, while_module_on

    register(
        SearchType(
            key="events",
            label=_("Event"),
            plural=_("Events"),
            model=Event,
            candidates=_candidates,
            available=while_module_on("events"),
            title=lambda event: event.title,
            url=lambda event: event.get_absolute_url(),
            space=lambda event: event.space,
            snippet_field="description",
            order=28,
        )
    )
