"""Proposals, their bodies and signatures made directly through the ORM (the services that
normally write them have their own tests). Call inside `in_portal(portal)`."""

from __future__ import annotations

import itertools

from proposals.models import (
    BodyKind,
    CoSignature,
    Proposal,
    ProposalStatus,
    ProposalVersion,
    RecipientBody,
)
from spaces.models import Space
from tests.spaces.factories import space_of

_numbers = itertools.count(1)


def make_space(*, name: str | None = None, admin=None, members=(), **fields) -> Space:
    """A public open group; `admin` is its space admin, `members` its active members."""
    return space_of(name=name, admin=admin, members=members, **fields)


def make_body(
    *,
    name: str | None = None,
    kind: str = BodyKind.DISTRICT_COUNCIL,
    email: str = "beirat@rathaus.example",
    **fields,
) -> RecipientBody:
    return RecipientBody.objects.create(
        name=name or f"Beirat {next(_numbers)}", kind=kind, email=email, **fields
    )


def make_proposal(
    *,
    space: Space,
    author,
    title: str = "Mehr Bänke am Kanalufer",
    text: str = "Wir beantragen mehr Sitzbänke.",
    recipient: RecipientBody | None = None,
    cosigners=(),
    status: str = ProposalStatus.DRAFT,
    **fields,
) -> Proposal:
    """A proposal with version 1 of its text; `cosigners` sign version 1 in the order given."""
    proposal = Proposal.objects.create(
        space=space,
        created_by=author,
        title=title,
        text=text,
        recipient=recipient,
        status=status,
        **fields,
    )
    ProposalVersion.objects.create(
        proposal=proposal, number=1, title=title, text=text, author=author
    )
    for user in cosigners:
        CoSignature.objects.create(proposal=proposal, user=user, version=1)
    return proposal
