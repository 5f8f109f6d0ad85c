"""Which ideas a person may see, and the lists, pages and exports of the marketplace.

`ideas_visible_to(user=...)` is registered with core.visibility; every list, page, feed,
search result, API answer, export and notification about an idea starts from it. Rules:
- the `ideas` module off: nothing (the ideas stay, they are only hidden);
- visitors: every idea, none on a members-only portal;
- ideas hidden by moderation: only the portal's moderators and administrators, and the
  admins of the space the idea belongs to (posted on behalf of, or implemented by);
- an idea posted on behalf of a space, even a private one, is public within the portal like
  any other idea: the author chose to speak for the space in public.
Something not visible is the same 404 as something missing (`idea_for`).
"""

from __future__ import annotations

import datetime

from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Power
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.distinct import distinct_values
from features.selectors import enabled_here
from ideas import trend
from ideas.models import Idea, IdeaStatus, StatusChange, Support

FEATURE = "ideas"
# Trending: each support counts 0.5 ** (age in hours / HALF_LIFE_HOURS), so a support loses
# half its weight every three days and a burst of fresh support lifts an idea above old ones.
HALF_LIFE_HOURS = trend.HALF_LIFE_HOURS
# The smallest exponent of 2 a weight is computed with (see with_counts).
FLOOR = -1000.0
SORTS = ("trending", "newest", "supported")
AUTHOR_TYPES = ("person", "space")


def _is_member(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _administered_spaces(user):
    from spaces.models import MembershipStatus, SpaceMembership, SpaceRole

    return SpaceMembership.objects.filter(
        user=user, role=SpaceRole.ADMIN, status=MembershipStatus.ACTIVE
    ).values("space_id")


def ideas_visible_to(*, user) -> QuerySet[Idea]:
    from spaces.selectors import is_portal_staff

    ideas = Idea.objects.all()
    if not enabled_here(FEATURE):
        return ideas.none()
    if not _is_member(user):
        from accounts.selectors import membership_policy

        if membership_policy().members_only:
            return ideas.none()
        return ideas.filter(hidden_at__isnull=True)
    if is_portal_staff(user):
        return ideas
    administered = _administered_spaces(user)
    return ideas.filter(
        Q(hidden_at__isnull=True) | Q(on_behalf_of__in=administered) | Q(project__in=administered)
    )


def space_of(idea: Idea):
    """The space that answers for an idea (moderation): the one it speaks for, else the project
    implementing it, else none (the portal's moderators)."""
    return idea.on_behalf_of or idea.project


def idea_for(*, user, pk: int) -> Idea:
    """The idea `pk` if `user` may see it; Http404 otherwise (missing or not visible)."""
    return get_object_or_404(
        ideas_visible_to(user=user).select_related("author", "topic", "on_behalf_of", "project"),
        pk=pk,
    )


class _HoursSince(Func):
    """Hours from the column to a fixed moment (the clock the caller passes)."""

    arg_joiner = " - "
    # EXTRACT gives numeric since PostgreSQL 14: in double precision the trending sum over
    # every support of every listed idea takes a tenth of the time.
    template = "(EXTRACT(EPOCH FROM (%(expressions)s))::double precision / 3600.0)"
    output_field = FloatField()


def with_counts(ideas: QuerySet[Idea], *, now: datetime.datetime | None = None) -> QuerySet[Idea]:
    """Annotate `support_count` and `trending` (one subquery each, whatever the number of
    ideas). `trending` depends only on the supports and on `now`, so an order is reproducible
    for a given clock: from the idea's stored trend (ideas.trend), and summed over the supports
    up to `now` only for the ideas supported after it."""
    now = now or timezone.now()
    counted = (
        Support.objects.filter(idea=OuterRef("pk"))
        .order_by()
        .values("idea")
        .annotate(n=Count("pk"))
        .values("n")
    )
    age = _HoursSince(Value(now), F("created_at"))
    # 2 ** -1000 and less is nothing beside a support of this year, and PostgreSQL raises on
    # underflow (a support nine years old would otherwise break the list): floored there.
    weight = Power(Value(2.0), Greatest(-age / Value(float(HALF_LIFE_HOURS)), Value(FLOOR)))
    scored = (
        Support.objects.filter(idea=OuterRef("pk"), created_at__lte=now)
        .order_by()
        .values("idea")
        .annotate(score=Sum(weight, output_field=FloatField()))
        .values("score")
    )
    stored = Power(
        Value(2.0), Greatest(F("trend_rank") - Value(trend.clock_exponent(now)), Value(FLOOR))
    )
    return ideas.annotate(
        support_count=Coalesce(Subquery(counted, output_field=IntegerField()), Value(0)),
        trending=Case(
            When(
                last_supported_at__gt=now,
                then=Coalesce(Subquery(scored, output_field=FloatField()), Value(0.0)),
            ),
            # GREATEST passes over NULL: an idea without supports is 0, not 2 ** FLOOR.
            When(trend_rank__isnull=True, then=Value(0.0)),
            default=stored,
            output_field=FloatField(),
        ),
    )


def ideas_for_listing(
    *,
    user,
    topic_id: int | None = None,
    district: str = "",
    status: str = "",
    author_type: str = "",
    sort: str = "trending",
    now: datetime.datetime | None = None,
    first_page: int | None = None,
) -> QuerySet[Idea]:
    """The marketplace: visible ideas, filtered and sorted, each with its author, topic and
    space and the counts, in a fixed number of queries. Archived ideas show only when asked
    for by status. With `first_page` (a page size), only the rows that can be on the first
    page of that size come back, in the same order (see _trending_first_page)."""
    now = now or timezone.now()
    ideas = ideas_visible_to(user=user)
    if topic_id:
        ideas = ideas.filter(topic_id=topic_id)
    if district:
        ideas = ideas.filter(place__iexact=district)
    if status in IdeaStatus.values:
        ideas = ideas.filter(status=status)
    else:
        ideas = ideas.exclude(status=IdeaStatus.ARCHIVED)
    if author_type == "person":
        ideas = ideas.filter(on_behalf_of__isnull=True)
    elif author_type == "space":
        ideas = ideas.filter(on_behalf_of__isnull=False)
    listed = with_counts(ideas, now=now).select_related("author", "topic", "on_behalf_of")
    if sort == "newest":
        return listed.order_by("-created_at", "-pk")
    if sort == "supported":
        return listed.order_by("-support_count", "-created_at", "-pk")
    listed = listed.order_by("-trending", "-created_at", "-pk")
    if first_page:
        candidates = _trending_first_page(ideas, now=now, size=first_page)
        if candidates is not None:
            return listed.filter(pk__in=candidates)
    return listed


# More ideas supported after the list's clock than this, and the first page is sorted whole.
_LATE_MAX = 50


def _trending_first_page(ideas: QuerySet[Idea], *, now, size: int) -> list[int] | None:
    """The pks among which the first `size` + 1 ideas in trending order are, read from the
    trend_rank index in two small queries; None where that cannot be shown (then the caller
    sorts every idea, as for later pages).

    Trending is 2 ** (trend_rank - clock) (ideas.trend), so outside two cases the order by
    trending is the order by trend_rank with the same tie-breaks, and the first size + 1 by
    trend_rank are the first size + 1 by trending. The cases: ideas supported after `now`,
    whose trending is summed at `now` instead (all of them are candidates, few as they are),
    and ideas whose weight is floored at 2 ** FLOOR, which tie whatever their rank (if the
    walk reaches one, it gives up). Ideas without supports (0) come after all of these; if
    there are not size + 1 with supports, it gives up too. Without this the first page
    computed the trending of every listed idea to keep 21 (6 ms at 10,000 ideas)."""
    late = list(ideas.filter(last_supported_at__gt=now).values_list("pk", flat=True)[:_LATE_MAX])
    if len(late) == _LATE_MAX:
        return None
    ranked = list(
        ideas.filter(trend_rank__isnull=False)
        .exclude(pk__in=late)
        .order_by("-trend_rank", "-created_at", "-pk")
        .values_list("pk", "trend_rank")[: size + 1]
    )
    if len(ranked) <= size or ranked[-1][1] - trend.clock_exponent(now) <= FLOOR:
        return None
    return [*late, *(pk for pk, _rank in ranked)]


def districts(*, user) -> list[str]:
    """The districts and places named by visible ideas, for the filter."""
    return sorted(distinct_values(ideas_visible_to(user=user), "place"), key=str.casefold)


def timeline_of(*, idea: Idea) -> QuerySet[StatusChange]:
    return idea.status_changes.select_related("by").order_by("created_at", "pk")


def support_count(*, idea: Idea) -> int:
    return idea.supports.count()


def supporters_of(*, idea: Idea):
    from accounts.models import User

    return User.objects.filter(is_active=True, idea_supports__idea=idea)


def is_supporting(*, user, idea: Idea) -> bool:
    return _is_member(user) and idea.supports.filter(user=user).exists()


def can_support(*, user, idea: Idea) -> bool:
    return _is_member(user) and idea.status != IdeaStatus.ARCHIVED


def can_edit(*, user, idea: Idea) -> bool:
    """Its author, while the idea is neither realised nor archived."""
    return (
        _is_member(user)
        and idea.author_id == user.pk
        and idea.status not in (IdeaStatus.REALISED, IdeaStatus.ARCHIVED)
    )


def can_change_status(*, user) -> bool:
    """The portal's moderators and administrators."""
    from spaces.selectors import is_portal_staff

    return is_portal_staff(user)


def can_start_project(*, user, idea: Idea) -> bool:
    """The author and the portal's moderators and administrators, while no project carries the
    idea yet and it is new or under discussion, and the spaces module is on."""
    if not _is_member(user) or not enabled_here("spaces"):
        return False
    if idea.project_id is not None or idea.status not in (IdeaStatus.NEW, IdeaStatus.DISCUSSION):
        return False
    return idea.author_id == user.pk or can_change_status(user=user)


def allowed_statuses(*, idea: Idea) -> list[str]:
    """The statuses a moderator may move `idea` to from where it is."""
    steps = {
        IdeaStatus.NEW: [IdeaStatus.DISCUSSION],
        IdeaStatus.DISCUSSION: [IdeaStatus.IMPLEMENTATION],
        IdeaStatus.IMPLEMENTATION: [IdeaStatus.REALISED],
        IdeaStatus.REALISED: [],
        IdeaStatus.ARCHIVED: [],
    }[IdeaStatus(idea.status)]
    if idea.status != IdeaStatus.ARCHIVED:
        steps = [*steps, IdeaStatus.ARCHIVED]
    return steps


def spaces_to_speak_for(*, user):
    """The spaces `user` may post an idea on behalf of: those they are an active member of."""
    from spaces.models import Space
    from spaces.selectors import member_spaces

    if not _is_member(user) or not enabled_here("spaces"):
        return Space.objects.none()
    return member_spaces(user=user).filter(archived_at__isnull=True).order_by("name", "pk")


def ideas_for_export(*, user) -> QuerySet[Idea]:
    """Every visible idea with its counts, oldest first (the admins' CSV)."""
    return (
        with_counts(ideas_visible_to(user=user))
        .select_related("author", "topic", "on_behalf_of", "project")
        .order_by("created_at", "pk")
    )


def ideas_for_feed(*, user, topic_id: int | None = None, district: str = "") -> QuerySet[Idea]:
    """The newest visible ideas (not hidden, even for moderators: a feed is public)."""
    ideas = ideas_visible_to(user=user).filter(hidden_at__isnull=True)
    if topic_id:
        ideas = ideas.filter(topic_id=topic_id)
    if district:
        ideas = ideas.filter(place__iexact=district)
    return ideas.select_related("author", "topic", "on_behalf_of").order_by("-created_at", "-pk")


def topics():
    from accounts.models import Topic

    return Topic.objects.all()
