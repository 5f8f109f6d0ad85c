"""Which comments a person may see: those on targets they may see (core.visibility).

- `comments_visible_to(user=)`: registered with core.visibility (search, notifications, API).
  One query: for each registered target type, `target_id IN (the target selector's ids)`.
  Deleted comments never; hidden ones only to who may moderate them (the portal's moderators
  and administrators everywhere, space admins inside their spaces).
- `comments_for(user=, target=)`: the comments shown under one target, replies prefetched and
  authors joined: a constant number of queries however many comments there are. A deleted
  comment that has replies stays as a placeholder (its text is never shown) so the replies
  keep their place. `comments_for_many` does the same for a page of targets of one type,
  optionally only the `latest` few threads of each (a list page shows a glimpse and links to
  the whole), with `comment_counts` for the totals.
An unregistered target is a LookupError (comments.registry).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from comments import registry
from comments.models import Comment, Revision
from core import visibility


def _may_moderate_anything(user) -> bool:
    from spaces.selectors import is_portal_staff

    return is_portal_staff(user)


def _space_admin_targets(target: registry.Target, user, visible_ids: QuerySet) -> Q:
    """Hidden comments on targets in spaces `user` administers (one subquery)."""
    from spaces.models import MembershipStatus, SpaceRole

    if target.space_lookup is None or not (user and user.is_authenticated):
        return Q(pk__in=[])
    prefix = f"{target.space_lookup}__memberships"
    administered = visible_ids.filter(
        **{
            f"{prefix}__user": user,
            f"{prefix}__role": SpaceRole.ADMIN,
            f"{prefix}__status": MembershipStatus.ACTIVE,
        }
    ).values("pk")
    return Q(target_id__in=administered)


def comments_visible_to(*, user) -> QuerySet[Comment]:
    staff = _may_moderate_anything(user)
    condition = Q(pk__in=[])
    for target in registry.targets():
        content_type = ContentType.objects.get_for_model(target.model)
        visible_ids = visibility.visible(target.model, user).values("pk")
        shown = Q(hidden_at__isnull=True)
        if staff:
            shown = Q()
        else:
            shown |= _space_admin_targets(target, user, visibility.visible(target.model, user))
        condition |= Q(target_type=content_type, target_id__in=visible_ids) & shown
    return Comment.objects.filter(condition, deleted_at__isnull=True).select_related("author")


def may_moderate(*, user, target) -> bool:
    """Whether `user` may see hidden comments on `target` and delete others' comments."""
    from spaces.selectors import can_moderate

    return can_moderate(user=user, space=visibility.space_of(target))


def _page_queryset(user, target_type, target_ids, *, moderator: bool) -> QuerySet[Comment]:
    on_targets = Comment.objects.filter(target_type=target_type, target_id__in=target_ids)
    if not moderator:
        on_targets = on_targets.filter(hidden_at__isnull=True)
    replies = (
        on_targets.filter(parent__isnull=False, deleted_at__isnull=True)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    return (
        on_targets.filter(parent__isnull=True)
        .filter(Q(deleted_at__isnull=True) | Exists(replies.filter(parent=OuterRef("pk"))))
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="shown_replies"))
        .order_by("created_at", "pk")
    )


def comments_for(*, user, target) -> list[Comment]:
    """The comments under `target` (top level, each with `.shown_replies`); [] when `user`
    may not see the target."""
    if not visibility.can_see(user, target):
        return []
    content_type = ContentType.objects.get_for_model(target)
    moderator = may_moderate(user=user, target=target)
    return list(_page_queryset(user, content_type, [target.pk], moderator=moderator))


def comments_for_many(
    *, user, targets: Iterable, moderator: bool, latest: int | None = None
) -> dict[int, list[Comment]]:
    """Comments for a page of targets of one model that the caller got from its visibility
    selector, keyed by target pk; `moderator` says whether hidden comments are shown (decided
    once for the page, e.g. portal staff for news posts). With `latest`, only the newest
    `latest` threads of each target (oldest first, as everywhere), whatever the number of
    comments. Two queries in all."""
    targets = list(targets)
    found: dict[int, list[Comment]] = defaultdict(list)
    if not targets:
        return found
    content_type = ContentType.objects.get_for_model(targets[0])
    pks = [t.pk for t in targets]
    comments = _page_queryset(user, content_type, pks, moderator=moderator)
    if latest is not None:
        newest_first = Window(
            RowNumber(),
            partition_by=[F("target_id")],
            order_by=[F("created_at").desc(), F("pk").desc()],
        )
        comments = comments.annotate(newest=newest_first).filter(newest__lte=latest)
    for comment in comments:
        found[comment.target_id].append(comment)
    return found


def comment_counts(*, targets: Iterable, moderator: bool) -> dict[int, int]:
    """How many comments each of `targets` (one model) shows, replies included, as
    `comments_for` would count them: one query."""
    targets = list(targets)
    if not targets:
        return {}
    content_type = ContentType.objects.get_for_model(targets[0])
    shown = Comment.objects.filter(
        target_type=content_type, target_id__in=[t.pk for t in targets], deleted_at__isnull=True
    )
    if not moderator:
        shown = shown.filter(hidden_at__isnull=True).filter(
            Q(parent__isnull=True) | Q(parent__hidden_at__isnull=True)
        )
    rows = (
        shown.order_by().values("target_id").annotate(n=Count("pk")).values_list("target_id", "n")
    )
    return dict(rows)


def comment_for(*, user, pk: int) -> Comment:
    """A comment `user` may see (get_object_or_404 on the visibility selector)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(comments_visible_to(user=user), pk=pk)


def revisions_of(obj) -> QuerySet[Revision]:
    content_type = ContentType.objects.get_for_model(obj)
    return Revision.objects.filter(content_type=content_type, object_id=obj.pk).select_related(
        "edited_by"
    )


def can_comment(*, user, target) -> bool:
    """Whether `user` may write a comment on `target` (who may see it is checked apart)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(registry.target_of(target).can_comment(user, target))


def target_for(*, user, key: str, pk) -> object:
    """The comment target named by a form or API request (`thread`, 12), if `user` may see
    it; Http404 for an unknown type, a bad id, a missing or an invisible target alike."""
    from django.http import Http404
    from django.shortcuts import get_object_or_404

    try:
        target = registry.target_for_key(str(key or ""))
        pk = int(pk)
    except (LookupError, TypeError, ValueError):
        raise Http404("No such target.") from None
    return get_object_or_404(visibility.visible(target.model, user), pk=pk)


def target_key(obj) -> str:
    return registry.target_of(obj).key


def can_edit(*, user, comment: Comment) -> bool:
    """Only the author edits a comment (moderators hide or delete, they never rewrite)."""
    return bool(
        user is not None
        and user.is_authenticated
        and comment.deleted_at is None
        and comment.author_id == user.pk
    )


def on_target(comments: QuerySet[Comment], *, key: str, target_id=None) -> QuerySet[Comment]:
    """`comments` narrowed to one target type (`thread`) and optionally one target id; an
    unknown type or a malformed id gives nothing."""
    try:
        model = registry.target_for_key(key).model
    except LookupError:
        return comments.none()
    comments = comments.filter(target_type=ContentType.objects.get_for_model(model))
    if target_id in (None, ""):
        return comments
    if not str(target_id).isdigit():
        return comments.none()
    return comments.filter(target_id=int(target_id))
