"""Reads for the start page."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from portal.models import Post


def latest_posts(limit: int | None = 20) -> QuerySet[Post]:
    posts = Post.objects.select_related("author").order_by("-created_at")
    return posts[:limit] if limit else posts


def member_count() -> int:
    return User.objects.filter(is_active=True).count()
