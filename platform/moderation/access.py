"""Access classes of this module's routes (merged into core.access.ROUTES)."""

from core.access import Access

ROUTES: dict[str, Access] = {
    "moderation:queue": Access.MODERATOR,
    "moderation:resolved": Access.MODERATOR,
    "moderation:decide": Access.MODERATOR,
    "moderation:report": Access.MEMBER,
    "moderation:mine": Access.MEMBER,
    "reports-list": Access.MEMBER,  # members file and see their own; moderators see theirs
}
