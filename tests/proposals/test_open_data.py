"""Feeds, the CSV export and the API of proposals: they parse, hold only what the reader may
see (never drafts), escape script everywhere (pages, PDF letter, e-mail, feeds, CSV) and the
export is formula-safe and for moderators only."""

from __future__ import annotations

import csv
import io

from defusedxml import ElementTree as ET
from django.core import mail
from pypdf import PdfReader

from accounts.models import Topic
from proposals import services
from proposals.models import Proposal
from spaces.models import SpaceVisibility
from tests.conftest import in_portal
from tests.spaces.factories import space_of

SCRIPT = '<script>alert("x")</script>'
ATOM = "{http://www.w3.org/2005/Atom}"


def _proposal(people, *, submit=True, **fields):
    fields.setdefault("title", "Bänke am Kanal")
    fields.setdefault("text", "Bitte Bänke.")
    proposal = services.proposal_start(
        actor=people.lead, space=people.space, recipient_id=people.body.pk, **fields
    )
    if submit:
        services.settings_update(actor=people.admin, cosigner_threshold=0)
        services.proposal_submit(actor=people.lead, proposal=proposal)
        proposal = Proposal.objects.select_related("space").get(pk=proposal.pk)
    return proposal


def test_feeds_parse_and_hold_submitted_proposals_only(people, portal_b):
    with in_portal(portal_b):
        water = Topic.objects.create(name="Wasser")
        _proposal(people, title="Brunnen", topic_id=water.pk, place="Nord")
        _proposal(people, title="Ampel", place="Süd")
        _proposal(people, title="Entwurf", submit=False)
    client = people.client("visitor")
    rss = client.get("/proposals/feed/rss/")
    assert rss.status_code == 200 and rss["Content-Type"].startswith("application/rss+xml")
    titles = {item.findtext("title") for item in ET.fromstring(rss.content).iter("item")}
    assert titles == {"Brunnen (submitted)", "Ampel (submitted)"}
    atom = ET.fromstring(client.get("/proposals/feed/atom/", {"topic": water.pk}).content)
    assert [e.findtext(f"{ATOM}title") for e in atom.iter(f"{ATOM}entry")] == [
        "Brunnen (submitted)"
    ]
    south = ET.fromstring(client.get("/proposals/feed/atom/", {"district": "süd"}).content)
    assert [e.findtext(f"{ATOM}title") for e in south.iter(f"{ATOM}entry")] == ["Ampel (submitted)"]


def test_script_is_text_in_page_letter_mail_feed_csv_and_api(
    people, portal_b, django_capture_on_commit_callbacks
):
    with in_portal(portal_b), django_capture_on_commit_callbacks(execute=True):
        proposal = _proposal(people, title=SCRIPT, text=SCRIPT, place=SCRIPT)
    visitor = people.client("visitor")
    for url in ("/proposals/", proposal.get_absolute_url()):
        page = visitor.get(url).content.decode()
        assert SCRIPT not in page and "&lt;script&gt;" in page
    letter_mail = next(m for m in mail.outbox if people.body.email in m.to)
    assert SCRIPT in letter_mail.subject  # a subject is plain text, shown as typed
    html = letter_mail.alternatives[0][0]
    assert SCRIPT not in html and "&lt;script&gt;" in html
    pdf = PdfReader(io.BytesIO(letter_mail.attachments[0][1]))
    assert "alert" in "".join(page.extract_text() for page in pdf.pages)
    root = ET.fromstring(visitor.get("/proposals/feed/rss/").content)
    item = next(root.iter("item"))
    assert item.findtext("title").startswith(SCRIPT)
    assert "<script" not in (item.findtext("description") or "")
    exported = people.client("admin").get("/proposals/export/").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[1][2] == SCRIPT
    api = people.client("signer").get(f"/api/v1/proposals/{proposal.pk}/").json()
    assert api["title"] == SCRIPT and "<script" not in api["text_html"]


def test_the_csv_export_is_formula_safe_and_for_moderators_only(people, portal_b):
    with in_portal(portal_b):
        _proposal(people, title='=HYPERLINK("http://evil")', place="+49 Nord")
    assert people.client("signer").get("/proposals/export/").status_code == 403
    visitor = people.client("visitor").get("/proposals/export/")
    assert visitor.status_code == 302 and "login" in visitor["Location"]
    for role in ("moderator", "admin"):  # positive control
        response = people.client(role).get("/proposals/export/")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("http://evil")' in cells and "'+49 Nord" in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


def test_the_api_lists_the_timeline_and_signs_drafts(people, portal_b):
    with in_portal(portal_b):
        submitted = _proposal(people, title="Eingereicht")
        services.proposal_record_step(actor=people.moderator, proposal=submitted, status="received")
        draft = _proposal(people, title="Entwurf", submit=False)
        circle = space_of(name="Kreis", visibility=SpaceVisibility.PRIVATE, admin=people.lead)
        private = services.proposal_start(actor=people.lead, space=circle, title="Intern", text="X")
    signer = people.client("signer")
    listing = signer.get("/api/v1/proposals/").json()
    rows = listing["results"] if isinstance(listing, dict) else listing
    assert [row["title"] for row in rows] == ["Eingereicht"]
    assert [step["status"] for step in rows[0]["timeline"]] == ["submitted", "received"]
    # A draft of a private space the caller is not in: the same 404 as a missing one.
    assert signer.get(f"/api/v1/proposals/{private.pk}/").status_code == 404
    assert signer.post(f"/api/v1/proposals/{private.pk}/cosign/").status_code == 404
    assert signer.get("/api/v1/proposals/999999/").status_code == 404
    answer = signer.post(f"/api/v1/proposals/{draft.pk}/cosign/")  # a public space's draft
    assert answer.status_code == 200 and answer.json()["signature_count"] == 1
    assert signer.post(f"/api/v1/proposals/{draft.pk}/cosign/").json()["signature_count"] == 1
    refused = signer.post(f"/api/v1/proposals/{submitted.pk}/cosign/")
    assert refused.status_code == 400
