"""The attack corpus in every text field of ideas and proposals: an idea's title, description
and place and a status change's reason, a recipient body's name, a proposal's title, text and
place, a version's note, a council step's note and a comment on a proposal. Every proposal is
submitted, so its PDF letter is rendered and mailed to its body.

Read back from the idea list and page, the proposal pages (space list, detail, versions with a
diff, submit page, the portal's timeline), the administrators' pages, the RSS and Atom feeds,
search, both CSV exports, the API, every mail and the PDF letter's own text.

Plain-text fields must show each readable payload as typed (in the letter too: reportlab's
paragraph markup, which the corpus's extra payloads here aim at, must print it, never read
it); Markdown fields (descriptions, proposal texts, comments) are rendered and sanitised, so
for them only "nothing was created" is asserted. A refused payload is recorded, not a failure.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from defusedxml import ElementTree
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.test import Client
from django_tenants.utils import tenant_context
from pypdf import PdfReader

from accounts.models import Role, User
from tests.accounts.factories import host_of, logged_in_client
from tests.security import corpus
from tests.security.corpus import Payload, csv_findings, shown
from tests.security.test_attack_corpus import (
    Report,
    check_html,
    check_mail,
    check_response,
    expect_text,
)
from tests.spaces.factories import space_of

pytestmark = pytest.mark.django_db

# reportlab's Paragraph reads a mini-markup (<font>, <br/>, <img>, <para>, entities): a letter
# that let member text through unescaped would change its look, load a file or fail to render.
PDF_MARKUP = [
    Payload("rl-font", '<font color="red" size="40">big</font>', "xss"),
    Payload("rl-br", "one<br/>two", "xss"),
    Payload("rl-img", '<img src="/etc/passwd" width="9" height="9"/>', "xss"),
    Payload("rl-para", "<para autoLeading='max'><b>bold</b></para>", "xss"),
    Payload("rl-entity", "R&D &copy; &#65; &unknown;", "xss"),
]
PAYLOADS = corpus.ALL + PDF_MARKUP
READABLE = corpus.READABLE + PDF_MARKUP
ATOM = "{http://www.w3.org/2005/Atom}"


def _squeezed(text: str) -> str:
    # The PDF's text breaks lines wherever the layout did: compare without any whitespace.
    return "".join(text.split())


class Corpus:
    """Everything `_fill` made: who, which fields took which payload, and where it shows."""

    def __init__(self) -> None:
        self.owner = self.admin = self.moderator = None
        self.space = None
        self.proposals: dict[str, object] = {}  # payload id -> proposal
        # payload id -> [(field, url)] pages that must show it as typed
        self.plain: dict[str, list[tuple[str, str]]] = {p.id: [] for p in PAYLOADS}
        # payload id -> fields printed in the letter that took it as typed
        self.in_letter: dict[str, list[str]] = {p.id: [] for p in PAYLOADS}
        self.titles: dict[str, list[str]] = {p.id: [] for p in PAYLOADS}  # in feeds, CSV, API
        # Pages anyone may read, and the administrators' own pages.
        self.urls: set[str] = {"/ideas/", "/proposals/"}
        self.admin_urls: set[str] = {"/manage/proposals/", "/dashboard/", "/notifications/"}


def _or_fallback(report: Report, payload: Payload, name: str, make, fallback):
    """`make()`; when it refuses the payload, the refusal is recorded and `fallback()` made."""
    try:
        return make(), True
    except ValidationError:
        report.refused[payload.id].append(name)
        return fallback(), False


def _fill(portal, report: Report) -> Corpus:
    from comments.services import comment_create
    from ideas.models import IdeaStatus
    from ideas.services import idea_post, idea_status_change
    from notifications.models import Delivery
    from notifications.services import notification_settings_update
    from proposals.models import BodyKind
    from proposals.services import body_save, proposal_edit, proposal_start, settings_update

    made = Corpus()
    with tenant_context(portal):
        made.owner = User.objects.create_user(email="lead@corpus.example", display_name="Lea Lead")
        made.admin = User.objects.create_user(
            email="admin@corpus.example", display_name="Ada Admin", role=Role.ADMIN
        )
        made.moderator = User.objects.create_user(
            email="mod@corpus.example", display_name="Mo Moderator", role=Role.MODERATOR
        )
        made.space = space_of(name="Corpus initiative", admin=made.owner)
        # Mailed at once rather than in tomorrow's digest: every status change, comment,
        # submission and council step then comes out as a notification mail here.
        for person in (made.owner, made.moderator):
            notification_settings_update(user=person, default=Delivery.IMMEDIATE, overrides={})
        base = made.space.get_absolute_url()
        made.urls.add(f"{base}proposals/")
        # Submitting needs no co-signatures, so every proposal's letter is rendered.
        settings_update(actor=made.admin, cosigner_threshold=0)
        for number, payload in enumerate(PAYLOADS):
            text = payload.text
            plain, letter = made.plain[payload.id], made.in_letter[payload.id]

            idea, typed = _or_fallback(
                report,
                payload,
                "idea title and place",
                lambda t=text: idea_post(author=made.owner, title=t, description=t, place=t),
                lambda n=number, t=text: idea_post(
                    author=made.owner, title=f"Idea {n}", description=t
                ),
            )
            made.urls.add(idea.get_absolute_url())
            if typed:
                plain += [
                    ("idea title", "/ideas/"),
                    ("idea title", "/search/?type=ideas"),
                    ("idea title", idea.get_absolute_url()),
                    ("idea place", idea.get_absolute_url()),
                ]
                letter.append("idea title")
                made.titles[payload.id].append("idea")
            if report.attempt(
                payload,
                "status reason",
                lambda i=idea, t=text: idea_status_change(
                    moderator=made.moderator, idea=i, status=IdeaStatus.DISCUSSION, reason=t
                ),
            ):
                plain.append(("status reason", idea.get_absolute_url()))

            body, typed = _or_fallback(
                report,
                payload,
                "body name",
                lambda n=number, t=text: body_save(
                    actor=made.admin,
                    name=t,
                    kind=BodyKind.COUNCIL,
                    email=f"body{n}@rathaus.example",
                ),
                lambda n=number: body_save(
                    actor=made.admin,
                    name=f"Body {n}",
                    kind=BodyKind.COUNCIL,
                    email=f"body{n}@rathaus.example",
                ),
            )
            body_url = f"/manage/proposals/bodies/{body.pk}/"
            made.admin_urls.add(body_url)
            if typed:
                plain += [
                    ("body name", body_url),
                    ("body name", "/manage/proposals/"),
                    ("body name", "/proposals/"),
                ]
                letter.append("body name")

            proposal, typed = _or_fallback(
                report,
                payload,
                "proposal title and place",
                lambda b=body, i=idea, t=text: proposal_start(
                    actor=made.owner,
                    space=made.space,
                    title=t,
                    text=t,
                    place=t,
                    recipient_id=b.pk,
                    idea_id=i.pk,
                ),
                lambda b=body, i=idea, n=number, t=text: proposal_start(
                    actor=made.owner,
                    space=made.space,
                    title=f"Proposal {n}",
                    text=t,
                    recipient_id=b.pk,
                    idea_id=i.pk,
                ),
            )
            made.proposals[payload.id] = proposal
            url = proposal.get_absolute_url()
            made.urls.update({url, f"{url}versions/"})
            if typed:
                plain += [
                    ("proposal title", url),
                    ("proposal title", f"{url}versions/"),
                    ("proposal title", f"{base}proposals/"),
                    ("proposal title", "/proposals/"),
                    ("proposal title", "/search/?type=proposals"),
                    ("proposal place", url),
                ]
                letter += ["proposal title", "proposal place"]
                made.titles[payload.id].append("proposal")
            # A second version, so the versions page shows a diff of the two texts.
            if report.attempt(
                payload,
                "version note",
                lambda p=proposal, t=text: proposal_edit(
                    actor=made.owner,
                    proposal=p,
                    title=p.title,
                    text=f"{t}\n\nAlso: {t}",
                    place=p.place,
                    recipient_id=p.recipient_id,
                    note=t,
                ),
            ):
                plain.append(("version note", f"{url}versions/"))
            else:
                proposal_edit(
                    actor=made.owner,
                    proposal=proposal,
                    title=proposal.title,
                    text=f"{text}\n\nAlso: {text}",
                    place=proposal.place,
                    recipient_id=proposal.recipient_id,
                )
            comment_create(author=made.moderator, target=proposal, body=text)
    return made


def _submit(portal, report: Report, made: Corpus) -> dict[str, str]:
    """Submit every proposal and record the council's first step; the letters' text."""
    from proposals.models import ProposalStatus
    from proposals.services import proposal_record_step, proposal_submit

    letters: dict[str, str] = {}
    with tenant_context(portal):
        for payload in PAYLOADS:
            proposal = made.proposals[payload.id]
            try:
                proposal_submit(actor=made.owner, proposal=proposal)
            except ValidationError as exc:  # a rendering failure would be an exception here
                report.add(f"submit {payload.id}", exc.messages)
                continue
            proposal.refresh_from_db()
            with default_storage.open(proposal.letter, "rb") as handle:
                pdf = PdfReader(io.BytesIO(handle.read()))
            letters[payload.id] = "\n".join(page.extract_text() or "" for page in pdf.pages)
            if report.attempt(
                payload,
                "step note",
                lambda p=proposal, t=payload.text: proposal_record_step(
                    actor=made.moderator, proposal=p, status=ProposalStatus.RECEIVED, note=t
                ),
            ):
                made.plain[payload.id].append(("step note", proposal.get_absolute_url()))
    return letters


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_every_ideas_and_proposals_field_is_text_or_sanitised_everywhere(
    portal_b, django_capture_on_commit_callbacks, mailoutbox, english
):
    report = Report()
    with django_capture_on_commit_callbacks(execute=True):
        made = _fill(portal_b, report)
    clients = {
        "admin": logged_in_client(portal_b, made.admin, HTTP_ACCEPT_LANGUAGE="en"),
        "owner": logged_in_client(portal_b, made.owner, HTTP_ACCEPT_LANGUAGE="en"),
        "visitor": Client(HTTP_HOST=host_of(portal_b), HTTP_ACCEPT_LANGUAGE="en"),
    }
    texts: dict[str, str] = {}

    def read(who: str, url: str, **params) -> None:
        response = clients[who].get(url, params)
        if response.status_code >= 500:
            report.add(f"{who} GET {url}", f"status {response.status_code}")
        elif response.status_code == 200:
            texts[f"{who} {url}"] = check_response(report, f"{who} GET {url}", response)

    # The submit page shows the draft's title, body and space before it goes out.
    for payload in PAYLOADS:
        url = f"{made.proposals[payload.id].get_absolute_url()}submit/"
        read("owner", url)
        for field in ("proposal title", "body name"):
            if field in made.in_letter[payload.id]:
                made.plain[payload.id].append((f"{field} on the submit page", url))
    with django_capture_on_commit_callbacks(execute=True):
        letters = _submit(portal_b, report, made)
    assert len(letters) == len(PAYLOADS), "a letter was not rendered"

    # Every page as an administrator (who sees every control) and as a visitor.
    for url in sorted(made.urls):
        for who in ("admin", "visitor"):
            read(who, url)
    for url in sorted(made.admin_urls):
        read("admin", url)
    # Search for what many payloads share, one kind at a time (a page holds 20 hits).
    read("owner", "/search/", q="alert")
    for kind in ("ideas", "proposals"):
        read("owner", "/search/", q="alert", type=kind)
        texts[f"owner /search/?type={kind}"] = texts.pop("owner /search/")

    # Feeds: titles are text, descriptions the sanitised HTML (parsed like a page).
    feed_titles: list[str] = []
    for url in ("/ideas/feed/rss/", "/proposals/feed/rss/"):
        response = clients["visitor"].get(url)
        assert response.status_code == 200, url
        for item in ElementTree.fromstring(response.content).iter("item"):
            feed_titles.append(item.findtext("title") or "")
            check_html(report, f"{url} description", item.findtext("description") or "")
    for url in ("/ideas/feed/atom/", "/proposals/feed/atom/"):
        response = clients["visitor"].get(url)
        assert response.status_code == 200, url
        for entry in ElementTree.fromstring(response.content).iter(f"{ATOM}entry"):
            feed_titles.append(entry.findtext(f"{ATOM}title") or "")
            for tag in ("summary", "content"):
                check_html(report, f"{url} {tag}", entry.findtext(f"{ATOM}{tag}") or "")

    # The exports: no cell a spreadsheet would run, yet every title is there to read.
    cells: list[str] = []
    for url in ("/ideas/export/", "/proposals/export/"):
        response = clients["admin"].get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/csv"), url
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        for cell in csv_findings(rows):
            report.add(f"CSV {url}", f"formula cell {cell!r}")
        cells += [cell for row in rows for cell in row]

    # The API gives the values back as JSON, unchanged.
    values: list[str] = []
    for endpoint in ("/api/v1/ideas/", "/api/v1/proposals/"):
        while endpoint:
            response = clients["owner"].get(endpoint, HTTP_ACCEPT="application/json")
            assert response.status_code == 200, endpoint
            assert response["Content-Type"].startswith("application/json")
            data = json.loads(response.content)
            values += _strings(data)
            endpoint = data.get("next") if isinstance(data, dict) else None

    # Every mail: the letters to the bodies (with the PDF) and the notifications.
    letter_mails = [m for m in mailoutbox if m.to and m.to[0].startswith("body")]
    assert len(letter_mails) == len(PAYLOADS), "not every letter was mailed"
    assert len(mailoutbox) > len(letter_mails), "no notification mail went out"
    mail_texts: dict[str, str] = {}
    for message in mailoutbox:
        mail_texts[message.to[0]] = check_mail(
            report,
            message,
            f"mail to {message.to} {message.subject!r}",
            allowed=("auto-submitted", "list-unsubscribe", "list-unsubscribe-post"),
        )
    for message in letter_mails:
        pdfs = [a for a in message.attachments if a[2] == "application/pdf"]
        if len(pdfs) != 1 or not pdfs[0][1].startswith(b"%PDF-"):
            report.add(f"letter mail {message.subject!r}", "no PDF attached")

    for payload in READABLE:
        for field, url in made.plain[payload.id]:
            # Only what matches the query is found; PostgreSQL's text parser skips whatever
            # stands between <script> and </script>, so those words are not indexed at all.
            if url.startswith("/search/") and (
                "alert" not in payload.text or "<script" in payload.text
            ):
                continue
            page = texts.get(f"admin {url}") or texts.get(f"owner {url}", "")
            expect_text(report, f"{field} {payload.id} on {url}", page, payload)
        # The letter's mail names the proposal and the body as typed.
        mailed = mail_texts.get(f"body{PAYLOADS.index(payload)}@rathaus.example", "")
        for field in ("proposal title", "body name"):
            if field in made.in_letter[payload.id]:
                expect_text(report, f"letter mail {field} {payload.id}", mailed, payload)
        for field in made.in_letter[payload.id]:
            if _squeezed(shown(payload)) not in _squeezed(letters.get(payload.id, "")):
                report.add(f"letter {payload.id}", f"{field} {payload.text!r} not printed as typed")
        for kind in made.titles[payload.id]:
            if shown(payload) not in values:
                report.add(f"API {payload.id}", f"{kind} title {payload.text!r} not given back")
            if not any(cell.endswith(shown(payload)) for cell in cells):
                report.add(f"CSV {payload.id}", f"{kind} title {payload.text!r} not in the export")
            if shown(payload) not in feed_titles:
                report.add(f"feed {payload.id}", f"{kind} title {payload.text!r} not in a feed")
    report.check()
