"""Access classes of this module's routes (merged into core.access.ROUTES).

Writing needs a login; each view then asks the target's visibility selector, so a comment on
something the caller may not see is a 404. The history is public like the comment itself:
whoever may see the comment may see how it changed."""

from core.access import Access

ROUTES: dict[str, Access] = {
    "comments:create": Access.MEMBER,
    "comments:reply": Access.MEMBER,
    "comments:edit": Access.MEMBER,
    "comments:delete": Access.MEMBER,
    "comments:history": Access.PUBLIC,
    "comments-list": Access.MEMBER,
    "comments-detail": Access.MEMBER,  # PATCH and DELETE: own comments (moderators delete too)
}
