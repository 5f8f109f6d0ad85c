"""Reads for the start page and the news API."""

from __future__ import annotations

from django.db.models import QuerySet

from news.models import Post


def posts_visible_to(*, user) -> QuerySet[Post]:
    """Every post the user may read, newest first: all of the portal's posts for its members;
    for visitors, none if the portal is members-only."""
    from accounts.selectors import membership_policy

    posts = Post.objects.select_related("author").order_by("-created_at")
    if not user.is_authenticated and membership_policy().members_only:
        return posts.none()
    return posts


def latest_posts(*, user, limit: int = 20) -> QuerySet[Post]:
    return posts_visible_to(user=user)[:limit]


def member_count() -> int:
    from features.limits import member_count as active_members

    return active_members()
