"""Access classes of this module's routes (merged into core.access.ROUTES).

The pages and feeds are PUBLIC as a class: the visibility selector decides (a members-only
portal shows visitors nothing). Posting, editing, supporting, the status form and starting a
project need a login; the services decide who may (the author, the portal's moderators). The
CSV export is for the portal's moderators and administrators: visitors are sent to log in,
other members get 403 (the view checks portal staff)."""

from core.access import Access

ROUTES: dict[str, Access] = {
    "ideas:list": Access.PUBLIC,
    "ideas:detail": Access.PUBLIC,
    "ideas:feed_rss": Access.PUBLIC,
    "ideas:feed_atom": Access.PUBLIC,
    "ideas:create": Access.MEMBER,
    "ideas:edit": Access.MEMBER,
    "ideas:support": Access.MEMBER,
    "ideas:withdraw": Access.MEMBER,
    "ideas:status": Access.MEMBER,  # portal moderators and admins; the view answers 403
    "ideas:start_project": Access.MEMBER,  # the author and moderators; the service decides
    "ideas:export": Access.MODERATOR,
    "ideas-list": Access.MEMBER,
    "ideas-detail": Access.MEMBER,
    "ideas-support": Access.MEMBER,
    "ideas-withdraw": Access.MEMBER,
}
