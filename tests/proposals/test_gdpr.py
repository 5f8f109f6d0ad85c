"""Data rights: a member's proposals, versions, signatures and recorded steps are exported;
erasing removes drafts and signatures under drafts, and keeps what went to a council."""

from __future__ import annotations

from core import gdpr
from proposals import services
from proposals.models import CoSignature, Proposal, ProposalStep, ProposalVersion


def test_export_and_erase(people, in_b):
    services.settings_update(actor=people.admin, cosigner_threshold=0)
    draft = services.proposal_start(
        actor=people.drafter, space=people.space, title="Mein Entwurf", text="Text"
    )
    sent = services.proposal_start(
        actor=people.drafter,
        space=people.space,
        title="Eingereicht",
        text="Text",
        recipient_id=people.body.pk,
    )
    other = services.proposal_start(
        actor=people.lead, space=people.space, title="Fremder Entwurf", text="Text"
    )
    services.proposal_cosign(actor=people.drafter, proposal=other)
    services.proposal_cosign(actor=people.drafter, proposal=sent)
    services.proposal_submit(actor=people.lead, proposal=sent)
    services.proposal_record_step(actor=people.moderator, proposal=sent, status="received")
    labels = gdpr.registered_labels()
    assert {"proposals.Proposal", "proposals.CoSignature", "proposals.ProposalStep"} <= labels
    exporters = {entry.model._meta.label_lower: entry for entry in gdpr.entries()}
    rows = exporters["proposals.proposal"].exporter(people.drafter)
    assert {row["title"] for row in rows} == {"Mein Entwurf", "Eingereicht"}
    assert any(row["letter"] for row in rows if row["title"] == "Eingereicht")
    signed = exporters["proposals.cosignature"].exporter(people.drafter)
    assert {row["proposal"] for row in signed} == {"Fremder Entwurf", "Eingereicht"}
    assert exporters["proposals.proposalstep"].exporter(people.moderator)[0]["status"] == "received"
    for label in (
        "proposals.cosignature",
        "proposals.proposalversion",
        "proposals.proposalstep",
        "proposals.proposal",
    ):
        exporters[label].eraser(people.drafter, keep_content=False)
    exporters["proposals.proposalstep"].eraser(people.moderator, keep_content=False)
    assert not Proposal.objects.filter(pk=draft.pk).exists()  # the draft is gone
    assert Proposal.objects.filter(pk=sent.pk).exists()  # what the council got stays
    assert not CoSignature.objects.filter(proposal=other, user=people.drafter).exists()
    assert CoSignature.objects.filter(proposal=sent, user=people.drafter).exists()
    assert not ProposalVersion.objects.filter(author=people.drafter).exists()
    assert not ProposalStep.objects.filter(by=people.moderator).exists()
