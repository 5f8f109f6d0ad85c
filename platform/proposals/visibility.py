from comments.registry import register_target
from core import visibility
from proposals.models import Proposal
from proposals.selectors import proposals_visible_to, space_of


def _can_comment(user, proposal: Proposal) -> bool:
    """Any active member of the portal who sees the proposal, until the council decided."""
    from proposals.models import ProposalStatus

    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and proposal.status != ProposalStatus.DECIDED
    )


visibility.register(Proposal, selector=proposals_visible_to, space_of=space_of, feature="proposals")
register_target(Proposal, key="proposal", can_comment=_can_comment, space_lookup="space")
