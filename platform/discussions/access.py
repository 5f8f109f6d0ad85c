"""Access classes of this module's routes (merged into core.access.ROUTES).

The pages are PUBLIC as a class: the visibility selector decides per space and thread (a
private space's discussions are a 404 for outsiders, a members-only portal's for visitors).
Pinning is for space admins and moderators; deleting also for the author, so it is MEMBER
with the service deciding."""

from core.access import Access

ROUTES: dict[str, Access] = {
    "discussions:list": Access.PUBLIC,
    "discussions:feed": Access.PUBLIC,
    "discussions:thread": Access.PUBLIC,
    "discussions:history": Access.PUBLIC,
    "discussions:create": Access.MEMBER,
    "discussions:edit": Access.MEMBER,
    "discussions:delete": Access.MEMBER,
    "discussions:pin": Access.MEMBER,  # space admins and moderators; the view answers 403
    "threads-list": Access.MEMBER,
    "threads-detail": Access.MEMBER,
}
