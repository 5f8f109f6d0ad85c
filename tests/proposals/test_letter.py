"""The letter PDF of a proposal (proposals.letter): what the council reads when it opens it.

Each test renders a real proposal of portal B and reads the PDF back with pypdf, as a recipient's
viewer would: the words on the pages, the images, the page count.
"""

from __future__ import annotations

import datetime
import io

import pypdf
import pytest
from django.core.cache import cache
from PIL import Image

from proposals.letter import render_letter
from tests.conftest import in_portal
from tests.ideas.factories import idea_of
from tests.proposals.factories import make_body, make_proposal
from themes.services import theme_publish, theme_update_draft, theme_upload_logo

WHEN = datetime.date(2026, 3, 5)
# Text drawn higher than this (in points from the bottom of an A4 page) is the letterhead.
LETTERHEAD_BELOW_TOP = 40 * 72 / 25.4


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def _text(pdf: bytes) -> str:
    # Lines break wherever the layout wraps them; a reader sees one run of words.
    return " ".join(" ".join(_pages(pdf)).split())


def _letterhead_text(pdf: bytes) -> str:
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    top = float(page.mediabox.top)
    found: list[str] = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip() and tm[5] * cm[3] + cm[5] > top - LETTERHEAD_BELOW_TOP:
            found.append(text)

    page.extract_text(visitor_text=visit)
    return "".join(found).strip()


def _images(pdf: bytes) -> int:
    return sum(len(page.images) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _publish(**changes) -> None:
    if changes:
        theme_update_draft(**changes)
    theme_publish(actor_label="tests")
    # The published theme is cached per portal and the test's rollback does not forget it.
    cache.clear()


def _raster(image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (120, 40), (13, 71, 161, 200)).save(buffer, format=image_format)
    return buffer.getvalue()


def _proposal(people, **fields):
    fields.setdefault("recipient", people.body)
    fields.setdefault("reference", "A-2026-7")
    fields.setdefault("cosigners", [people.signer, people.signer2])
    return make_proposal(space=people.space, author=people.lead, **fields)


def test_the_letter_names_everyone_involved(people, portal_b):
    with in_portal(portal_b):
        proposal = _proposal(people, title="Mehr Bänke am Kanalufer")
        text = _text(render_letter(proposal=proposal, when=WHEN))
    for expected in (
        "Mehr Bänke am Kanalufer",
        "Lena Leitung",
        "Sigrid Mitzeichnerin",
        "Sven Zweiter",
        "Initiative Kanalufer",
        "Stadtbezirksbeirat Mitte",
        "beirat@rathaus.example",
        "A-2026-7",
        "Portal Beta",
    ):
        assert expected in text, expected
    # The author signs first, the co-signers follow in the order they signed.
    assert text.index("Lena Leitung") < text.index("Sigrid Mitzeichnerin")
    assert text.index("Sigrid Mitzeichnerin") < text.index("Sven Zweiter")
    assert "3" in text.split("Initiative Kanalufer")[-1]


def test_the_pdf_carries_title_and_author(people, portal_b):
    with in_portal(portal_b):
        pdf = render_letter(proposal=_proposal(people, title="Tempo 30"), when=WHEN)
    metadata = pypdf.PdfReader(io.BytesIO(pdf)).metadata
    assert "Tempo 30" in metadata.title
    assert metadata.author == "Portal Beta"


def test_markup_in_a_title_is_printed_not_interpreted(people, portal_b):
    title = "<script>alert(1)</script> & <font color='red'>rot</font>"
    with in_portal(portal_b):
        proposal = _proposal(people, title=title, text="Raw <b>HTML</b> & <para> stays text.")
        text = _text(render_letter(proposal=proposal, when=WHEN))
    assert "<script>alert(1)</script> & <font color='red'>rot</font>" in text
    assert "Raw <b>HTML</b> & <para> stays text." in text


def test_umlauts_quotes_and_euro_survive(people, portal_b):
    with in_portal(portal_b):
        proposal = _proposal(
            people,
            title="Grünflächen „für alle“ – 5 000 €",
            text="Die Straße braucht Bäume: „Schatten“ – für 12 € je Meter.",
        )
        text = _text(render_letter(proposal=proposal, when=WHEN))
    assert "Grünflächen „für alle“ – 5 000 €" in text
    assert "Die Straße braucht Bäume: „Schatten“ – für 12 € je Meter." in text


def test_characters_the_font_lacks_do_not_stop_the_letter(people, portal_b):
    with in_portal(portal_b):
        proposal = _proposal(people, title="Привіт 😀 Kanal", text="Дякую 🌳 für die Bäume.")
        text = _text(render_letter(proposal=proposal, when=WHEN))
    assert "Kanal" in text and "für die Bäume." in text
    assert "?" in text


def test_markdown_is_set_as_text_without_its_signs(people, portal_b):
    source = (
        "# Begründung\n\nDer Weg ist **zu schmal** und *zu dunkel*, siehe "
        "[Karte](https://karte.example/weg).\n\n- erstens\n- zweitens\n\n1. Licht\n2. Bänke\n"
    )
    with in_portal(portal_b):
        text = _text(render_letter(proposal=_proposal(people, text=source), when=WHEN))
    assert "Begründung" in text and "# Begründung" not in text
    assert "zu schmal" in text and "**" not in text
    assert "Karte (https://karte.example/weg)" in text
    assert "• erstens" in text and "• zweitens" in text
    assert "1. Licht" in text and "2. Bänke" in text


def test_a_long_text_flows_over_pages_each_with_its_footer(people, portal_b):
    paragraph = " ".join(["Fußgängerüberweg"] + ["wir beantragen eine sichere Querung"] * 20)
    words = len(paragraph.split())
    source = "\n\n".join([paragraph] * (6000 // words + 1))
    with in_portal(portal_b):
        pages = _pages(render_letter(proposal=_proposal(people, text=source), when=WHEN))
    assert len(pages) >= 5
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page or f"Seite {number} von" in page
        assert "Portal Beta" in page
    assert "Sven Zweiter" in pages[-1]


@pytest.mark.parametrize(("name", "image_format"), [("logo.png", "PNG"), ("logo.webp", "WEBP")])
def test_a_raster_logo_heads_the_letter(people, portal_b, name, image_format):
    with in_portal(portal_b):
        theme_upload_logo(name=name, data=_raster(image_format))
        _publish()
        pdf = render_letter(proposal=_proposal(people), when=WHEN)
    assert _images(pdf) == 1
    assert _letterhead_text(pdf) == ""


def test_an_svg_logo_or_none_gives_the_name_as_wordmark(people, portal_b):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    with in_portal(portal_b):
        plain = render_letter(proposal=_proposal(people), when=WHEN)
        theme_upload_logo(name="logo.svg", data=svg)
        _publish()
        with_svg = render_letter(proposal=_proposal(people), when=WHEN)
    for pdf in (plain, with_svg):
        assert _images(pdf) == 0
        assert _letterhead_text(pdf) == "Portal Beta"


@pytest.mark.parametrize(
    ("language", "subject", "date"),
    [
        ("de", "Antrag A-2026-7: Tempo 30", "5. März 2026"),
        ("en", "Proposal A-2026-7: Tempo 30", "5 March 2026"),
    ],
)
def test_the_letter_is_in_the_portals_default_language(people, portal_b, language, subject, date):
    with in_portal(portal_b):
        _publish(offered_languages=["de", "en"], default_language=language)
        text = _text(render_letter(proposal=_proposal(people, title="Tempo 30"), when=WHEN))
    assert subject in text
    assert date in text


def test_a_portal_in_a_script_the_font_lacks_gets_a_readable_letter(people, portal_b):
    with in_portal(portal_b):
        _publish(offered_languages=["de", "en", "uk"], default_language="uk")
        text = _text(render_letter(proposal=_proposal(people, title="Tempo 30"), when=WHEN))
    assert "Proposal A-2026-7: Tempo 30" in text
    assert "???" not in text


def test_the_idea_it_grew_from_is_named(people, portal_b):
    with in_portal(portal_b):
        idea = idea_of(author=people.drafter, title="Licht am Kanalweg")
        with_idea = _text(render_letter(proposal=_proposal(people, idea=idea), when=WHEN))
        without = _text(render_letter(proposal=_proposal(people), when=WHEN))
    assert "Licht am Kanalweg" in with_idea
    assert f"/ideas/{idea.pk}" in with_idea.replace("\n", "")
    assert "Licht am Kanalweg" not in without


def test_a_proposal_without_recipient_has_no_letter(people, portal_b):
    with in_portal(portal_b):
        with pytest.raises(ValueError):
            render_letter(proposal=_proposal(people, recipient=None))
        # Positive control: the same proposal with a body renders.
        assert render_letter(proposal=_proposal(people, recipient=make_body(name="Rat")))
