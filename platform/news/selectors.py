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


# Posts on a page of the start page, and comment threads under each (the post's page shows
# them all): a bounded page however busy the portal.
START_PAGE_POSTS = 10
START_PAGE_THREADS = 3


def start_page_posts(*, user, after: str | None = None, size: int = START_PAGE_POSTS):
    """A page of the latest posts (`core.pagination.keyset_page`: `after` is the cursor of the
    page before), each with its newest comment threads as `shown_comments` and the number of
    all its comments as `comment_total` (comments.selectors): a fixed number of queries however
    many posts and comments there are."""
    from comments.selectors import comment_counts, comments_for_many
    from core.pagination import keyset_page
    from spaces.selectors import is_portal_staff

    page = keyset_page(
        posts_visible_to(user=user), order=("-created_at", "-pk"), after=after, size=size
    )
    posts = page.items
    moderator = is_portal_staff(user)
    comments = comments_for_many(
        user=user, targets=posts, moderator=moderator, latest=START_PAGE_THREADS
    )
    totals = comment_counts(targets=posts, moderator=moderator)
    for post in posts:
        post.shown_comments = comments.get(post.pk, [])
        post.comment_total = totals.get(post.pk, 0)
    return page


def post_for(*, user, pk: int) -> Post:
    """A post `user` may read; missing and invisible are the same 404."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(posts_visible_to(user=user), pk=pk)


def can_comment(*, user, post: Post | None = None) -> bool:
    """Every active member of the portal may comment on the news."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def member_count() -> int:
    from accounts.selectors import shown_member_count

    return shown_member_count()
