"""The same co-signature twice at the same moment (a double click, two tabs): one signature.
The first session holds its transaction open; the second waits on the unique row, then finds the
first one's signature and returns it. Runs on committed data and cleans up after itself."""

from __future__ import annotations

from core.event_types import EventType
from core.models import AuditEvent
from notifications.models import Follow, Notification
from proposals import services
from proposals.models import CoSignature, Proposal
from spaces.models import Space
from tests.accounts.factories import member_of
from tests.concurrency import hold_and_wait
from tests.conftest import in_portal
from tests.spaces.factories import space_of


def test_the_same_signature_twice_at_once_makes_one(committed, portal_b):
    with in_portal(portal_b):
        lead = member_of(portal_b, email="race-proposal-lead@beta.example")
        signer = member_of(portal_b, email="race-proposal-signer@beta.example")
        space = space_of(name="Wettlauf-Gruppe", admin=lead)
        proposal = services.proposal_start(
            actor=lead, space=space, title="Wettlauf-Antrag", text="Text"
        )

    def session():
        with in_portal(portal_b):
            return services.proposal_cosign(actor=signer, proposal=proposal)

    try:
        first, second = hold_and_wait(session, session)
        assert isinstance(first, CoSignature), first
        assert isinstance(second, CoSignature), second
        assert first.pk == second.pk
        with in_portal(portal_b):
            assert CoSignature.objects.filter(proposal=proposal, user=signer).count() == 1
            assert (
                AuditEvent.objects.filter(
                    event_type=EventType.PROPOSAL_COSIGNED, object_id=str(proposal.pk)
                ).count()
                == 1
            )
    finally:
        with in_portal(portal_b):
            AuditEvent.objects.filter(actor__in=[lead, signer]).delete()
            Follow.objects.filter(user__in=[lead, signer]).delete()
            Notification.objects.filter(recipient__in=[lead, signer]).delete()
            Proposal.objects.filter(pk=proposal.pk).delete()
            Space.objects.filter(pk=space.pk).delete()
            signer.delete()
            lead.delete()
