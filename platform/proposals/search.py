"""The "proposals" kind of search result: submitted proposals the searcher may see that are not
hidden, while the proposals module is on."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def _candidates(user):
    from proposals.models import ProposalStatus
    from proposals.selectors import proposals_visible_to
    from spaces.selectors import spaces_listed_for

    # Like the portal's timeline: submitted ones, and private spaces' only for their members.
    return (
        proposals_visible_to(user=user)
        .filter(hidden_at__isnull=True, space__in=spaces_listed_for(user=user).values("pk"))
        .exclude(status=ProposalStatus.DRAFT)
        .select_related("space")
    )


def register_search_type() -> None:
    from proposals.models import Proposal
    from search.registry import SearchType, register, while_module_on

    register(
        SearchType(
            key="proposals",
            label=_("Proposal"),
            plural=_("Proposals"),
            model=Proposal,
            candidates=_candidates,
            available=while_module_on("proposals"),
            title=lambda proposal: proposal.title,
            url=lambda proposal: proposal.get_absolute_url(),
            snippet_field="text",
            order=27,
        )
    )
