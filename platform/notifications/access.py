"""Access classes of this module's routes (merged into core.access.ROUTES)."""

from core.access import MEMBER, PUBLIC, Access

ROUTES: dict[str, Access] = {
    "notifications:list": MEMBER,
    "notifications:open": MEMBER,
    "notifications:mark_all_read": MEMBER,
    "notifications:settings": MEMBER,
    "notifications:follow": MEMBER,
    "notifications:unfollow": MEMBER,
    # The signed token in the link is the authentication (one click from a mail, no login).
    "notifications:unsubscribe": PUBLIC,
    "notifications-list": MEMBER,
    "notifications-detail": MEMBER,
    "notifications-read": MEMBER,
    "notifications-read-all": MEMBER,
    "notifications-unread-count": MEMBER,
}
