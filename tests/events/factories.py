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
