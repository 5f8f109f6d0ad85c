"""The path the issue is about, through the pages people use: an idea is posted and supported,
becomes a project, the project drafts a proposal, collects co-signatures, submits it (the
council gets a letter as PDF), and the moderators record the council's steps up to the
decision, which the public timeline shows and everyone concerned hears of."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from core.event_types import EventType
from ideas.models import Idea
from notifications.models import Notification
from proposals.models import CouncilMeeting, Proposal, ProposalStatus
from tests.conftest import in_portal

PDF_ANSWER = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _notified(user, event_type) -> int:
    return Notification.objects.filter(recipient=user, event_type=event_type).count()


@pytest.mark.django_db
def test_from_idea_to_council_decision(people, portal_b, django_capture_on_commit_callbacks):
    author, supporter = people.lead, people.signer
    author_client, supporter_client = people.client("lead"), people.client("signer")
    admin_client, moderator_client = people.client("admin"), people.client("moderator")

    # An idea, supported, becomes a project.
    response = author_client.post(
        "/ideas/new/", {"title": "Obstwiese am Kanal", "description": "Alte Sorten pflanzen."}
    )
    assert response.status_code == 302
    with in_portal(portal_b):
        idea = Idea.objects.get(title="Obstwiese am Kanal")
    assert supporter_client.post(f"/ideas/{idea.pk}/support/").status_code == 302
    assert author_client.post(f"/ideas/{idea.pk}/project/").status_code == 302
    with in_portal(portal_b):
        idea.refresh_from_db()
        project = idea.project
    assert project is not None
    idea_page = author_client.get(idea.get_absolute_url()).content.decode()
    start_url = f"/spaces/{project.slug}/proposals/new/?idea={idea.pk}"
    assert start_url in idea_page.replace("&amp;", "&")

    # The admin asks for two co-signatures.
    response = admin_client.post("/manage/proposals/threshold/", {"cosigner_threshold": "2"})
    assert response.status_code == 302

    # The project drafts the proposal from the idea, then improves it.
    form = author_client.get(start_url).content.decode()
    assert "Obstwiese am Kanal" in form  # the idea's title is the starting point
    response = author_client.post(
        f"/spaces/{project.slug}/proposals/new/",
        {
            "idea": idea.pk,
            "title": "Obstwiese am Kanal bereitstellen",
            "text": "Der Beirat möge beschließen:\n\n1. Die Fläche wird bereitgestellt.",
            "recipient": people.body.pk,
        },
    )
    assert response.status_code == 302
    with in_portal(portal_b):
        proposal = Proposal.objects.select_related("space").get(space=project)
    assert proposal.idea_id == idea.pk and proposal.status == ProposalStatus.DRAFT
    url = proposal.get_absolute_url()
    response = author_client.post(
        f"{url}edit/",
        {
            "title": proposal.title,
            "text": proposal.text + "\n2. Die Initiative pflegt sie.",
            "recipient": people.body.pk,
            "note": "Pflege ergänzt",
        },
    )
    assert response.status_code == 302
    versions = author_client.get(f"{url}versions/").content.decode()
    assert "Pflege ergänzt" in versions and "2. Die Initiative pflegt sie." in versions
    assert "<ins>" in versions

    # Below the threshold, submitting is refused with what is missing.
    response = author_client.post(f"{url}submit/")
    assert response.status_code == 400
    assert "It needs 2 more co-signatures" in response.content.decode()

    # Two members co-sign; the second click of one of them changes nothing.
    for client in (supporter_client, people.client("signer2"), supporter_client):
        assert client.post(f"{url}cosign/").status_code == 302
    assert "Co-signatures: 2 of 2 needed" in author_client.get(url).content.decode()

    # Submitting sends the letter as PDF to the body.
    with django_capture_on_commit_callbacks(execute=True):
        response = author_client.post(f"{url}submit/")
    assert response.status_code == 302
    assert len(mail.outbox) >= 1
    letter_mail = next(m for m in mail.outbox if people.body.email in m.to)
    assert "Obstwiese am Kanal bereitstellen" in letter_mail.subject
    assert letter_mail.reply_to == [author.email]
    ((name, content, mimetype),) = letter_mail.attachments
    assert mimetype == "application/pdf" and name.endswith(".pdf")
    pages = PdfReader(io.BytesIO(content)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "Obstwiese am Kanal bereitstellen" in text
    assert "Sigrid Mitzeichnerin" in text and "Lena Leitung" in text
    with in_portal(portal_b):
        proposal.refresh_from_db()
        assert proposal.status == ProposalStatus.SUBMITTED and proposal.reference
        assert _notified(supporter, EventType.PROPOSAL_SUBMITTED) == 1
        meeting = CouncilMeeting.objects.create(
            body=people.body, name="Sitzung des Beirats Mitte", oparl_id=""
        )
    # Submitted: the text is frozen and the letter is public.
    assert author_client.get(f"{url}edit/").status_code == 302
    letter = people.client("visitor").get(f"{url}letter/")
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    assert b"".join(letter.streaming_content) == content

    # The moderators record the council's steps.
    steps = [
        {"status": "received", "note": "Eingang bestätigt."},
        {"status": "on_agenda", "meeting": meeting.pk},
        {
            "status": "decided",
            "decision": "accepted",
            "note": "Einstimmig angenommen.",
            "attachment": SimpleUploadedFile("antwort.pdf", PDF_ANSWER, "application/pdf"),
        },
    ]
    for data in steps:
        response = moderator_client.post(f"{url}step/", data)
        assert response.status_code == 302, response.content.decode()[:2000]
    with in_portal(portal_b):
        proposal.refresh_from_db()
        assert proposal.decision == "accepted" and proposal.meeting_id == meeting.pk
        # Every step reached the idea's supporter, who co-signed too: once each.
        assert _notified(supporter, EventType.PROPOSAL_STATUS_CHANGED) == 3

    # The public timeline shows the decision, the agenda and the answer.
    visitor = people.client("visitor")
    listing = visitor.get("/proposals/").content.decode()
    assert "Obstwiese am Kanal bereitstellen" in listing and "Accepted" in listing
    page = visitor.get(url).content.decode()
    assert "accepted by Stadtbezirksbeirat Mitte" in page
    assert "on the agenda of Sitzung des Beirats Mitte" in page
    assert "Einstimmig angenommen." in page
    assert "answer/" in page
    idea_page = visitor.get(idea.get_absolute_url()).content.decode()
    assert "Obstwiese am Kanal bereitstellen" in idea_page  # the idea links to its proposal
