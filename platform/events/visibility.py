from comments.registry import register_target
from core import visibility
from events.models import Event
from events.selectors import events_visible_to, space_of


def _can_comment(user, event: Event) -> bool:
    """Any active member who may see the event; a space's event: its members too only while
    the space is not archived (seeing is checked apart, by the comment selectors)."""
    if not (user is not None and user.is_authenticated and user.is_active):
        return False
    return event.space is None or not event.space.is_archived


visibility.register(Event, selector=events_visible_to, space_of=space_of, feature="events")
register_target(Event, key="event", can_comment=_can_comment, space_lookup="space")
