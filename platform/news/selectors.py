"""Reads for the start page and the news API."""

from __future__ import annotations

from django.db.models import QuerySet

from news.models import Post


def posts_visible_to(*, user) -> QuerySet[Post]:
    """Every post the user may read, newest first: all of the portal's posts for its members;
    for visitors, none if the portal is members-only. Posts hidden by a moderator only for the
    portal's moderators and administrators. Registered with core.visibility."""
    from accounts.selectors import membership_policy
    from spaces.selectors import is_portal_staff

    posts = Post.objects.select_related("author").order_by("-created_at", "-pk")
    if not (user is not None and user.is_authenticated) and membership_policy().members_only:
        return posts.none()
    if not is_portal_staff(user):
        posts = posts.filter(hidden_at__isnull=True)
    return posts


def latest_posts(*, user, limit: int = 20) -> QuerySet[Post]:
    return posts_visible_to(user=user)[:limit]


def start_page_posts(*, user, limit: int = 20) -> list[Post]:
    """The latest posts, each with its comments as `shown_comments` (comments.selectors): a
    fixed number of queries however many posts and comments there are."""
    from comments.selectors import comments_for_many
    from spaces.selectors import is_portal_staff

    posts = list(latest_posts(user=user, limit=limit))
    comments = comments_for_many(user=user, targets=posts, moderator=is_portal_staff(user))
    for post in posts:
        post.shown_comments = comments.get(post.pk, [])
    return posts


def can_comment(*, user, post: Post | None = None) -> bool:
    """Every active member of the portal may comment on the news."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def member_count() -> int:
    from features.limits import member_count as active_members

    return active_members()
