"""Access classes of this module's routes (merged into core.access.ROUTES).

The calendar views, an event's page, its .ics file and the public feeds are PUBLIC as a class:
the visibility selector decides (a members-only portal shows visitors nothing; feeds are
always built as for a visitor). A member's own feed is PUBLIC too: its secret token is the
credential. Creating, editing, answering, the collision hints and the member's own calendar
need a login; the services decide who may (the organiser, the space's admins, the portal's
moderators). Subscribing a space to an outside calendar is for the space's admins (the view
answers 403); the manage page for the portal's admins."""

from core.access import Access

ROUTES: dict[str, Access] = {
    "events:calendar": Access.PUBLIC,
    "events:week": Access.PUBLIC,
    "events:agenda": Access.PUBLIC,
    "events:list": Access.PUBLIC,
    "events:detail": Access.PUBLIC,
    "events:feed_rss": Access.PUBLIC,
    "events:feed_atom": Access.PUBLIC,
    "events:ical": Access.PUBLIC,
    "events:ical_category": Access.PUBLIC,
    "events:ical_event": Access.PUBLIC,
    "events:ical_member": Access.PUBLIC,  # the token is the credential
    "events:create": Access.MEMBER,
    "events:clash_hints": Access.MEMBER,
    "events:edit": Access.MEMBER,  # the organiser, space admins, moderators; the view answers 403
    "events:cancel": Access.MEMBER,
    "events:rsvp": Access.MEMBER,
    "events:rsvp_withdraw": Access.MEMBER,
    "events:mine": Access.MEMBER,
    "events:mine_rotate": Access.MEMBER,
    "space_events:list": Access.PUBLIC,
    "space_events:ical": Access.PUBLIC,
    "space_events:subscription_add": Access.MEMBER,  # the space's admins; the view answers 403
    "space_events:subscription_import": Access.MEMBER,
    "space_events:subscription_delete": Access.MEMBER,
    "events_manage:index": Access.ADMIN,
    "events_manage:category_create": Access.ADMIN,
    "events_manage:category_edit": Access.ADMIN,
    "events-list": Access.MEMBER,
    "events-detail": Access.MEMBER,
    "events-cancel": Access.MEMBER,
    "events-rsvp": Access.MEMBER,
}
