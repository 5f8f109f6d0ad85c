"""Events through their service, as a member would create them."""

from __future__ import annotations

import datetime

from events import services
from events.models import Event
from events.services import EventFields


def event_of(*, organiser, space=None, starts_at, hours: float = 2, **fields) -> Event:
    fields.setdefault("title", "Treffen")
    return services.event_create(
        actor=organiser,
        space=space,
        fields=EventFields(
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=hours),
            **fields,
        ),
    )


def bulk_events(*, organiser, space, count: int, prefix: str, hour: int = 10) -> None:
    """`count` two-hour events in February 2027, every other one in `space`, written in one
    insert (for the query-count tests: the services would take minutes for thousands)."""
    Event.objects.bulk_create(
        [
            Event(
                title=f"{prefix} {n}",
                space=space if n % 2 else None,
                organiser=organiser,
                starts_at=_feb(n, hour),
                ends_at=_feb(n, hour + 2),
                series_ends_at=_feb(n, hour + 2),
                uid=f"{prefix}-{n}@test",
            )
            for n in range(count)
        ]
    )


def _feb(n: int, hour: int) -> datetime.datetime:
    from tests.events.conftest import at

    return at(2027, 2, 1 + n % 27, hour)
