"""The pages of proposals as people meet them: who gets which page, what a refusal looks like,
that bad input keeps what was typed, the PDF downloads' headers, the administrators' pages,
and lists whose cost does not grow with their length."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from proposals import services
from proposals.models import Proposal, RecipientBody
from spaces.models import SpaceVisibility
from tests.conftest import in_portal
from tests.spaces.factories import space_of

CSRF = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+"')
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _submitted(people, *, title="Bänke am Kanal") -> Proposal:
    services.settings_update(actor=people.admin, cosigner_threshold=0)
    proposal = services.proposal_start(
        actor=people.lead,
        space=people.space,
        title=title,
        text="Bitte Bänke.",
        recipient_id=people.body.pk,
    )
    services.proposal_submit(actor=people.lead, proposal=proposal)
    return Proposal.objects.select_related("space").get(pk=proposal.pk)


def _masked(body: bytes) -> bytes:
    return CSRF.sub(rb"\1CSRF", body)


def test_a_private_spaces_draft_is_the_same_404_as_a_missing_one(people, portal_b):
    with in_portal(portal_b):
        circle = space_of(name="Kreis", visibility=SpaceVisibility.PRIVATE, admin=people.lead)
        draft = services.proposal_start(actor=people.lead, space=circle, title="Intern", text="X")
    outsider = people.client("outsider")
    hidden = outsider.get(f"/spaces/{circle.slug}/proposals/{draft.pk}/")
    missing = outsider.get(f"/spaces/{circle.slug}/proposals/999999/")
    assert hidden.status_code == missing.status_code == 404
    # The same page but for the address asked for.
    asked = f"/proposals/{draft.pk}/".encode()
    assert _masked(hidden.content.replace(asked, b"ID")) == _masked(
        missing.content.replace(b"/proposals/999999/", b"ID")
    )
    assert people.client("lead").get(draft.get_absolute_url()).status_code == 200  # control


def test_cosigning_through_another_spaces_address_is_a_404(people, portal_b):
    with in_portal(portal_b):
        proposal = services.proposal_start(
            actor=people.lead, space=people.space, title="Bänke", text="Bitte."
        )
        other = space_of(name="Anderer Verein", admin=people.signer)
    signer = people.client("signer")
    assert signer.post(f"/spaces/{other.slug}/proposals/{proposal.pk}/cosign/").status_code == 404
    with in_portal(portal_b):
        assert not proposal.signatures.exists()
    assert (
        signer.post(f"/spaces/{people.space.slug}/proposals/{proposal.pk}/cosign/").status_code
        == 302
    )
    with in_portal(portal_b):
        assert proposal.signatures.count() == 1


def test_bad_input_is_shown_again_with_the_text_kept(people):
    client = people.client("drafter")
    response = client.post(
        f"/spaces/{people.space.slug}/proposals/new/",
        {"title": "", "text": "Mein langer Antragstext bleibt", "recipient": "999999"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Mein langer Antragstext bleibt" in page and 'role="alert"' in page


def test_drafting_is_for_the_spaces_members(people):
    url = f"/spaces/{people.space.slug}/proposals/new/"
    assert people.client("outsider").get(url).status_code == 403
    assert people.client("visitor").get(url).status_code == 302  # to the login
    assert people.client("drafter").get(url).status_code == 200


def test_the_submit_page_says_what_is_missing_and_is_for_space_admins(people, portal_b):
    with in_portal(portal_b):
        services.settings_update(actor=people.admin, cosigner_threshold=1)
        proposal = services.proposal_start(
            actor=people.drafter, space=people.space, title="Bänke", text="Bitte."
        )
    url = f"{proposal.get_absolute_url()}submit/"
    assert people.client("drafter").get(url).status_code == 403
    page = people.client("lead").get(url).content.decode()
    assert "It needs 1 more co-signature before it can be submitted." in page
    response = people.client("lead").post(url)
    assert response.status_code == 400
    assert "Choose the body the proposal goes to." in response.content.decode()


def test_the_step_form_is_for_moderators_and_keeps_bad_input(people, portal_b):
    with in_portal(portal_b):
        proposal = _submitted(people)
    url = f"{proposal.get_absolute_url()}step/"
    assert people.client("lead").post(url, {"status": "received"}).status_code == 403
    moderator = people.client("moderator")
    assert "Record the council" in moderator.get(proposal.get_absolute_url()).content.decode()
    response = moderator.post(url, {"status": "decided", "note": "Antwort bleibt stehen"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose what the council decided." in page and "Antwort bleibt stehen" in page


def test_pdf_downloads_are_pdfs_nosniff_and_sandboxed(people, portal_b):
    with in_portal(portal_b):
        proposal = _submitted(people)
        step = services.proposal_record_step(
            actor=people.moderator,
            proposal=proposal,
            status="decided",
            decision="referred",
            attachment=SimpleUploadedFile("a.pdf", PDF, "application/pdf"),
        )
    visitor = people.client("visitor")
    base = proposal.get_absolute_url()
    for url in (f"{base}letter/", f"{base}answer/{step.pk}/"):
        response = visitor.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"].startswith("sandbox")
    # The private media folder is not served by /media/.
    assert visitor.get(f"/media/{proposal.letter}").status_code == 404


def test_the_admin_pages_configure_bodies_and_the_threshold(people, portal_b):
    admin = people.client("admin")
    assert people.client("moderator").get("/manage/proposals/").status_code == 403
    page = admin.get("/manage/proposals/").content.decode()
    assert "Stadtbezirksbeirat Mitte" in page
    response = admin.post(
        "/manage/proposals/bodies/new/",
        {"name": "Ausschuss für Umwelt", "kind": "committee", "email": "", "active": "on"},
    )
    assert response.status_code == 302
    with in_portal(portal_b):
        body = RecipientBody.objects.get(name="Ausschuss für Umwelt")
    assert "missing" in admin.get("/manage/proposals/").content.decode()  # no address yet
    response = admin.post(
        f"/manage/proposals/bodies/{body.pk}/",
        {"name": "Ausschuss für Umwelt", "kind": "committee", "email": "nope"},
    )
    assert response.status_code == 400 and "Ausschuss für Umwelt" in response.content.decode()
    response = admin.post("/manage/proposals/threshold/", {"cosigner_threshold": "-3"})
    assert response.status_code == 400
    response = admin.post("/manage/proposals/oparl/", {"url": "ftp://example.org/oparl"})
    assert response.status_code == 400


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_lists_cost_the_same_queries_for_2_and_12_proposals(people, portal_b):
    client = people.client("signer")
    urls = ("/proposals/", f"/spaces/{people.space.slug}/proposals/")

    def make(n):
        with in_portal(portal_b):
            services.settings_update(actor=people.admin, cosigner_threshold=0)
            for i in range(n):
                proposal = services.proposal_start(
                    actor=people.lead,
                    space=people.space,
                    title=f"Antrag {i}",
                    text="Text",
                    recipient_id=people.body.pk,
                    place=f"Bezirk {i}",
                )
                services.proposal_cosign(actor=people.signer, proposal=proposal)
                services.proposal_submit(actor=people.lead, proposal=proposal)

    make(2)
    [_queries(client, url) for url in urls]  # sessions and caches warmed up
    few = [_queries(client, url) for url in urls]
    make(10)
    many = [_queries(client, url) for url in urls]
    assert few == many
    assert "Antrag 9" in client.get("/proposals/").content.decode()


def test_an_admin_imports_from_oparl_on_the_page_and_sees_the_result(
    people, portal_b, django_capture_on_commit_callbacks
):
    from tests.proposals.oparl_server import SYSTEM, serving

    admin = people.client("admin")
    with serving() as server:
        with django_capture_on_commit_callbacks(execute=True):
            response = admin.post("/manage/proposals/oparl/", {"url": server.url(SYSTEM)})
        assert response.status_code == 302
        page = admin.get("/manage/proposals/").content.decode()
        assert "Stadtbezirksbeirat Leipzig-Altwest" in page and "bodies and" in page
        with django_capture_on_commit_callbacks(execute=True):
            admin.post("/manage/proposals/oparl/", {"url": server.url("/not-oparl")})
    page = admin.get("/manage/proposals/").content.decode()
    assert "failed:" in page and "does not answer like an OParl system" in page


def test_the_admin_page_costs_the_same_queries_for_2_and_12_bodies(people, portal_b):
    from proposals.models import BodyKind

    admin = people.client("admin")

    def make(n):
        with in_portal(portal_b):
            for i in range(n):
                body = RecipientBody.objects.create(name=f"Ausschuss {i}", kind=BodyKind.COMMITTEE)
                body.meetings.create(name=f"Sitzung {i}")

    make(1)
    _queries(admin, "/manage/proposals/")  # sessions and caches warmed up
    few = _queries(admin, "/manage/proposals/")
    make(10)
    assert _queries(admin, "/manage/proposals/") == few
