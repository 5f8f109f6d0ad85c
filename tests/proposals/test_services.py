"""The rules of proposals, through the services and the pages: who drafts, signs, submits and
records; what a draft, a submitted and a decided proposal allow; what bad input is told."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from core.event_types import EventType
from core.models import AuditEvent
from proposals import selectors, services
from proposals.models import CoSignature, Proposal, ProposalStatus, ProposalVersion
from tests.spaces.factories import space_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _draft(people, **fields) -> Proposal:
    fields.setdefault("title", "Bänke am Kanal")
    fields.setdefault("text", "Der Beirat möge beschließen, Bänke aufzustellen.")
    fields.setdefault("recipient_id", people.body.pk)
    return services.proposal_start(actor=people.drafter, space=people.space, **fields)


def _submitted(people, *, threshold: int = 0) -> Proposal:
    services.settings_update(actor=people.admin, cosigner_threshold=threshold)
    proposal = _draft(people)
    services.proposal_submit(actor=people.lead, proposal=proposal)
    proposal.refresh_from_db()
    return proposal


def test_a_space_member_starts_a_draft_as_version_one(people, in_b):
    proposal = _draft(people, place="Kanalufer")
    assert proposal.status == ProposalStatus.DRAFT and proposal.created_by == people.drafter
    version = ProposalVersion.objects.get(proposal=proposal)
    assert (version.number, version.title) == (1, "Bänke am Kanal")
    assert AuditEvent.objects.filter(
        event_type=EventType.PROPOSAL_STARTED, object_id=str(proposal.pk)
    ).exists()


def test_only_active_members_of_the_space_draft(people, in_b):
    with pytest.raises(PermissionDenied):
        services.proposal_start(actor=people.outsider, space=people.space, title="X", text="Y")
    assert not Proposal.objects.exists()


def test_bad_input_names_every_field_and_saves_nothing(people, in_b):
    with pytest.raises(ValidationError) as caught:
        services.proposal_start(
            actor=people.drafter,
            space=people.space,
            title="",
            text="   ",
            recipient_id=999_999,
            topic_id=999_999,
        )
    assert set(caught.value.message_dict) == {"title", "text", "recipient", "topic"}
    assert not Proposal.objects.exists()


def test_editing_the_text_makes_a_new_version_and_the_diff_shows_it(people, in_b):
    proposal = _draft(people)
    version = services.proposal_edit(
        actor=people.lead,
        proposal=proposal,
        title=proposal.title,
        text=proposal.text + "\nAuch Mülleimer.",
        recipient_id=people.body.pk,
        note="Mülleimer",
    )
    assert version.number == 2 and version.note == "Mülleimer"
    unchanged = services.proposal_edit(
        actor=people.lead,
        proposal=proposal,
        title=proposal.title,
        text=proposal.text + "\nAuch Mülleimer.",
        recipient_id=None,
    )
    assert unchanged is None  # only the recipient changed: no new version
    first, second = proposal.versions.order_by("number")
    lines = selectors.diff_versions(first, second)
    assert [line.text for line in lines if line.kind == "added"] == ["Auch Mülleimer."]


def test_others_cannot_edit_a_draft(people, in_b):
    proposal = _draft(people)
    with pytest.raises(PermissionDenied):
        services.proposal_edit(
            actor=people.signer, proposal=proposal, title="Anders", text="Anders"
        )
    proposal.refresh_from_db()
    assert proposal.title == "Bänke am Kanal"


def test_a_second_signature_is_the_first_and_withdrawing_removes_it(people, in_b):
    proposal = _draft(people)
    first = services.proposal_cosign(actor=people.signer, proposal=proposal)
    again = services.proposal_cosign(actor=people.signer, proposal=proposal)
    assert first.pk == again.pk and CoSignature.objects.filter(proposal=proposal).count() == 1
    assert first.version == 1
    assert services.proposal_unsign(actor=people.signer, proposal=proposal) is True
    assert services.proposal_unsign(actor=people.signer, proposal=proposal) is False
    assert not CoSignature.objects.exists()


def test_submitting_below_the_threshold_says_how_many_are_missing(people, in_b, english):
    services.settings_update(actor=people.admin, cosigner_threshold=3)
    proposal = _draft(people)
    services.proposal_cosign(actor=people.signer, proposal=proposal)
    with pytest.raises(ValidationError) as caught:
        services.proposal_submit(actor=people.lead, proposal=proposal)
    assert "It needs 2 more co-signatures before it can be submitted." in caught.value.messages
    proposal.refresh_from_db()
    assert proposal.is_draft and not proposal.reference and not proposal.letter


def test_a_body_without_an_address_cannot_receive_it(people, in_b, english):
    services.settings_update(actor=people.admin, cosigner_threshold=0)
    people.body.email = ""
    people.body.save()
    proposal = _draft(people)
    with pytest.raises(ValidationError) as caught:
        services.proposal_submit(actor=people.lead, proposal=proposal)
    assert "has no e-mail address yet" in " ".join(caught.value.messages)


def test_only_the_space_admins_submit(people, in_b):
    services.settings_update(actor=people.admin, cosigner_threshold=0)
    proposal = _draft(people)
    with pytest.raises(PermissionDenied):
        services.proposal_submit(actor=people.drafter, proposal=proposal)
    services.proposal_submit(actor=people.lead, proposal=proposal)  # the positive control
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED
    assert proposal.reference.startswith("A-") and proposal.letter.endswith(".pdf")


def test_references_count_up(people, in_b):
    first = _submitted(people)
    second = _submitted(people)
    number = int(first.reference.rsplit("-", 1)[1])
    assert second.reference == f"{first.reference.rsplit('-', 1)[0]}-{number + 1}"


def test_a_submitted_proposal_is_frozen(people, in_b):
    proposal = _submitted(people)
    with pytest.raises(ValidationError):
        services.proposal_edit(actor=people.lead, proposal=proposal, title="Neu", text="Neu")
    with pytest.raises(ValidationError):
        services.proposal_cosign(actor=people.signer, proposal=proposal)
    with pytest.raises(ValidationError):
        services.proposal_submit(actor=people.lead, proposal=proposal)


def test_steps_go_forward_only_and_a_decision_is_final(people, in_b):
    proposal = _submitted(people)
    services.proposal_record_step(actor=people.moderator, proposal=proposal, status="received")
    with pytest.raises(ValidationError) as caught:
        services.proposal_record_step(actor=people.moderator, proposal=proposal, status="submitted")
    assert "status" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.proposal_record_step(
            actor=people.moderator, proposal=proposal, status="decided", decision="accepted"
        )
    assert "note" in caught.value.message_dict  # the answer, as text or PDF
    services.proposal_record_step(
        actor=people.moderator,
        proposal=proposal,
        status="decided",
        decision="rejected",
        note="Kein Geld.",
    )
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision) == ("decided", "rejected")
    assert selectors.next_statuses(proposal) == []


def test_on_the_agenda_needs_the_meeting(people, in_b):
    proposal = _submitted(people)
    with pytest.raises(ValidationError) as caught:
        services.proposal_record_step(actor=people.moderator, proposal=proposal, status="on_agenda")
    assert "meeting" in caught.value.message_dict
    step = services.proposal_record_step(
        actor=people.moderator,
        proposal=proposal,
        status="on_agenda",
        note="Sitzung am 3. Dezember",
    )
    assert step.note == "Sitzung am 3. Dezember"


def test_only_moderators_record_steps(people, in_b):
    proposal = _submitted(people)
    with pytest.raises(PermissionDenied):
        services.proposal_record_step(actor=people.lead, proposal=proposal, status="received")
    services.proposal_record_step(actor=people.admin, proposal=proposal, status="received")


def test_an_answer_that_is_no_pdf_is_refused_and_nothing_recorded(people, in_b):
    proposal = _submitted(people)
    with pytest.raises(ValidationError) as caught:
        services.proposal_record_step(
            actor=people.moderator,
            proposal=proposal,
            status="decided",
            decision="accepted",
            attachment=SimpleUploadedFile("antwort.pdf", b"<html>nope</html>", "application/pdf"),
        )
    assert "attachment" in caught.value.message_dict
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED
    assert proposal.steps.count() == 1  # only "submitted"
    step = services.proposal_record_step(
        actor=people.moderator,
        proposal=proposal,
        status="decided",
        decision="accepted",
        attachment=SimpleUploadedFile("antwort.pdf", PDF, "application/pdf"),
    )
    assert step.attachment.endswith(".pdf")


def test_drafts_are_seen_like_their_space_but_listed_only_once_submitted(people, in_b):
    from django.contrib.auth.models import AnonymousUser

    from spaces.models import SpaceVisibility

    proposal = _draft(people)
    circle = space_of(name="Kreis", visibility=SpaceVisibility.PRIVATE, admin=people.lead)
    private = services.proposal_start(actor=people.lead, space=circle, title="Intern", text="X")
    visitor = AnonymousUser()
    assert selectors.proposals_visible_to(user=visitor).filter(pk=proposal.pk).exists()
    assert not selectors.proposals_visible_to(user=people.outsider).filter(pk=private.pk).exists()
    assert selectors.proposals_visible_to(user=people.lead).filter(pk=private.pk).exists()
    assert not selectors.proposals_for_listing(user=visitor).exists()  # drafts are not listed
    services.settings_update(actor=people.admin, cosigner_threshold=0)
    services.proposal_submit(actor=people.lead, proposal=proposal)
    assert list(selectors.proposals_for_listing(user=visitor)) == [proposal]


def test_a_proposal_is_found_only_under_its_own_space(people, in_b):
    proposal = _submitted(people)
    other = space_of(name="Anderer Verein", admin=people.signer)
    assert selectors.proposal_for(user=people.signer, slug=people.space.slug, pk=proposal.pk)
    with pytest.raises(Http404):
        selectors.proposal_for(user=people.signer, slug=other.slug, pk=proposal.pk)


def test_threshold_and_bodies_are_for_admins(people, in_b):
    with pytest.raises(PermissionDenied):
        services.settings_update(actor=people.moderator, cosigner_threshold=1)
    with pytest.raises(ValidationError):
        services.settings_update(actor=people.admin, cosigner_threshold=501)
    assert (
        services.settings_update(actor=people.admin, cosigner_threshold=5).cosigner_threshold == 5
    )
    with pytest.raises(ValidationError) as caught:
        services.body_save(actor=people.admin, name="", kind="parliament", email="nope")
    assert set(caught.value.message_dict) == {"name", "kind", "email"}
    with pytest.raises(PermissionDenied):
        services.body_save(actor=people.moderator, name="Rat", kind="council")
