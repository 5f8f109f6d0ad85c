"""Which proposals a person may see, and the lists, timelines, versions and settings of them.

`proposals_visible_to(user=...)` is registered with core.visibility; every page, list, feed,
search result, API answer, export, letter download and notification about a proposal starts
from it. Rules:
- the `proposals` module off: nothing (the proposals stay, they are only hidden);
- a proposal, draft or submitted, is seen by who sees its space
  (spaces.selectors.spaces_visible_to), like the space's discussions: a public group collects
  co-signatures from the whole portal, a private one's drafts stay among its members. Only the
  portal's timeline, its feeds and search leave drafts out;
- hidden by moderation: only the portal's moderators and administrators and the space's admins.
Something not visible is the same 404 as something missing (`proposal_for`), also when the
proposal exists but belongs to another space than the address says.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from features.selectors import enabled_here
from proposals.models import (
    CoSignature,
    CouncilMeeting,
    OParlImport,
    Proposal,
    ProposalSettings,
    ProposalStatus,
    ProposalStep,
    ProposalVersion,
    RecipientBody,
)

FEATURE = "proposals"
# Council steps in the order they happen; a step may skip ahead, never go back (on_agenda may
# repeat: the council postponed it to another meeting).
STEP_ORDER = (
    ProposalStatus.SUBMITTED,
    ProposalStatus.RECEIVED,
    ProposalStatus.ON_AGENDA,
    ProposalStatus.DECIDED,
)


def _is_member(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _space_admin_of(user):
    from spaces.models import MembershipStatus, SpaceMembership, SpaceRole

    return Exists(
        SpaceMembership.objects.filter(
            space=OuterRef("space"),
            user=user,
            status=MembershipStatus.ACTIVE,
            role=SpaceRole.ADMIN,
        )
    )


def proposals_visible_to(*, user) -> QuerySet[Proposal]:
    from spaces.selectors import is_portal_staff, spaces_visible_to

    proposals = Proposal.objects.all()
    if not enabled_here(FEATURE):
        return proposals.none()
    proposals = proposals.filter(space__in=spaces_visible_to(user=user).values("pk"))
    if is_portal_staff(user):
        return proposals
    if not _is_member(user):
        return proposals.filter(hidden_at__isnull=True)
    return proposals.filter(Q(hidden_at__isnull=True) | _space_admin_of(user))


def space_of(proposal: Proposal):
    return proposal.space


def proposal_for(*, user, slug: str, pk: int) -> Proposal:
    """The proposal `pk` of the space at `slug` if `user` may see it; Http404 otherwise."""
    return get_object_or_404(
        proposals_visible_to(user=user).select_related(
            "space", "idea", "recipient", "meeting", "created_by", "topic"
        ),
        space__slug=slug,
        pk=pk,
    )


def with_signature_count(proposals: QuerySet[Proposal]) -> QuerySet[Proposal]:
    return proposals.annotate(signature_count=Count("signatures", distinct=True))


def proposals_for_listing(
    *,
    user,
    status: str = "",
    recipient_id: int | None = None,
    topic_id: int | None = None,
    district: str = "",
) -> QuerySet[Proposal]:
    """The portal's public timeline: submitted proposals, newest submission first. Private
    spaces' proposals only for their members (like spaces.selectors.spaces_listed_for)."""
    from spaces.selectors import spaces_listed_for

    proposals = proposals_visible_to(user=user).filter(
        ~Q(status=ProposalStatus.DRAFT),
        hidden_at__isnull=True,
        space__in=spaces_listed_for(user=user).values("pk"),
    )
    if status in ProposalStatus.values:
        proposals = proposals.filter(status=status)
    if recipient_id:
        proposals = proposals.filter(recipient_id=recipient_id)
    if topic_id:
        proposals = proposals.filter(topic_id=topic_id)
    if district:
        proposals = proposals.filter(place__iexact=district)
    return with_signature_count(
        proposals.select_related("space", "recipient", "meeting", "topic")
    ).order_by("-submitted_at", "-pk")


PAGE_SIZE = 30


def page_of(proposals: QuerySet[Proposal], number) -> tuple:
    """One page of a list and the page numbers to offer (elided), like the members list."""
    from django.core.paginator import Paginator

    paginator = Paginator(proposals, PAGE_SIZE)
    page = paginator.get_page(number)
    return page, list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


def proposals_for_feed(*, user, topic_id: int | None = None, district: str = ""):
    return proposals_for_listing(user=user, topic_id=topic_id, district=district)


def proposals_of_space(*, user, space) -> QuerySet[Proposal]:
    """A space's proposals, drafts included for who may see them, last changed first."""
    return with_signature_count(
        proposals_visible_to(user=user)
        .filter(space=space)
        .select_related("recipient", "space", "meeting")
    ).order_by("-updated_at", "-pk")


def proposals_for_export(*, user) -> QuerySet[Proposal]:
    return with_signature_count(
        proposals_visible_to(user=user).select_related(
            "space", "recipient", "meeting", "topic", "created_by", "idea"
        )
    ).order_by("pk")


def proposals_of_idea(*, user, idea) -> QuerySet[Proposal]:
    return proposals_visible_to(user=user).filter(idea=idea).select_related("space")


def proposal_settings() -> ProposalSettings:
    settings, _created = ProposalSettings.objects.get_or_create(pk=1)
    return settings


def signatures_of(proposal: Proposal) -> QuerySet[CoSignature]:
    return proposal.signatures.select_related("user").order_by("created_at", "pk")


def has_signed(*, user, proposal: Proposal) -> bool:
    if not _is_member(user):
        return False
    return proposal.signatures.filter(user=user).exists()


def missing_signatures(*, proposal: Proposal, threshold: int | None = None) -> int:
    """How many co-signatures the proposal still needs before it can be submitted."""
    if threshold is None:
        threshold = proposal_settings().cosigner_threshold
    return max(threshold - proposal.signatures.count(), 0)


def signatories(proposal: Proposal) -> list[str]:
    """The names under the letter: who started the proposal, then the co-signers in order."""
    names = [str(proposal.created_by)]
    names += [str(s.user) for s in signatures_of(proposal) if s.user_id != proposal.created_by_id]
    return names


def versions_of(proposal: Proposal) -> QuerySet[ProposalVersion]:
    return proposal.versions.select_related("author").order_by("-number")


def version_of(proposal: Proposal, number: int) -> ProposalVersion:
    return get_object_or_404(proposal.versions.select_related("author"), number=number)


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


def diff_versions(older: ProposalVersion, newer: ProposalVersion) -> list[DiffLine]:
    """Line by line, title first; the page shows additions and removals, not only colour."""
    lines: list[DiffLine] = []
    a = [older.title, "", *older.text.splitlines()]
    b = [newer.title, "", *newer.text.splitlines()]
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            lines += [DiffLine("same", line) for line in a[i1:i2]]
            continue
        lines += [DiffLine("removed", line) for line in a[i1:i2]]
        lines += [DiffLine("added", line) for line in b[j1:j2]]
    return lines


def with_timeline(proposals: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """Each proposal's steps in `prefetched_steps`, in order (one query for the whole list)."""
    from django.db.models import Prefetch

    steps = ProposalStep.objects.select_related("meeting").order_by("created_at", "pk")
    return proposals.prefetch_related(Prefetch("steps", queryset=steps, to_attr="prefetched_steps"))


def timeline_of(proposal: Proposal) -> QuerySet[ProposalStep]:
    return proposal.steps.select_related("meeting", "by").order_by("created_at", "pk")


def step_of(proposal: Proposal, pk: int) -> ProposalStep:
    return get_object_or_404(proposal.steps, pk=pk)


def next_statuses(proposal: Proposal) -> list[str]:
    """The council steps an admin may record next."""
    if proposal.status in (ProposalStatus.DRAFT, ProposalStatus.DECIDED):
        return []
    here = STEP_ORDER.index(proposal.status)
    allowed = [s.value for s in STEP_ORDER[here + 1 :]]
    if proposal.status == ProposalStatus.ON_AGENDA:
        allowed.insert(0, ProposalStatus.ON_AGENDA.value)
    return allowed


def recipients_open() -> QuerySet[RecipientBody]:
    """Bodies a proposal can be addressed to now."""
    return RecipientBody.objects.filter(active=True).order_by("name", "pk")


def bodies_for_admin() -> QuerySet[RecipientBody]:
    return RecipientBody.objects.annotate(
        meeting_count=Count("meetings", distinct=True),
        proposal_count=Count("proposals", distinct=True),
    ).order_by("-active", "name", "pk")


def body_for_admin(*, pk: int) -> RecipientBody:
    return get_object_or_404(RecipientBody, pk=pk)


def meetings_for(*, body: RecipientBody | None, around=None) -> QuerySet[CouncilMeeting]:
    """Meetings a proposal to `body` can be put on: not cancelled, from 30 days ago on."""
    if body is None:
        return CouncilMeeting.objects.none()
    since = (around or timezone.now()) - timezone.timedelta(days=30)
    return CouncilMeeting.objects.filter(
        Q(starts_at__gte=since) | Q(starts_at__isnull=True), body=body, cancelled=False
    ).order_by("starts_at", "pk")


def latest_imports(limit: int = 5) -> QuerySet[OParlImport]:
    return OParlImport.objects.select_related("by").order_by("-started_at", "-pk")[:limit]


def interested_in(proposal: Proposal) -> list:
    """Who hears of every step: the author, the co-signers, the supporters of the idea it came
    from and the proposal's followers (notifications.services filters by visibility)."""
    from accounts.models import User
    from notifications.services import followers_of

    ids = {proposal.created_by_id}
    ids |= set(proposal.signatures.values_list("user_id", flat=True))
    if proposal.idea_id:
        ids |= set(proposal.idea.supports.values_list("user_id", flat=True))
    users = list(User.objects.filter(pk__in=ids, is_active=True))
    seen = {u.pk for u in users}
    users += [u for u in followers_of(proposal) if u.pk not in seen]
    return users


def topics():
    from accounts.models import Topic

    return Topic.objects.order_by("name")


def districts(*, user) -> list[str]:
    return list(
        proposals_for_listing(user=user)
        .exclude(place="")
        .order_by("place")
        .values_list("place", flat=True)
        .distinct()
    )
