from core import visibility
from events.models import Event
from events.selectors import events_visible_to, space_of

visibility.register(Event, selector=events_visible_to, space_of=space_of, feature="events")
