"""The formal letter of a proposal: a PDF on the portal's letterhead, as sent to the council.

`render_letter` runs inside a portal schema and returns the PDF's bytes; the submit service
stores them and attaches them to the mail. The letterhead comes from the portal's published
theme (logo, primary colour); the letter is written in the portal's default language.

Every piece of member text (title, names, the Markdown text) is sanitised and XML-escaped before
it reaches reportlab's paragraph markup, so markup in a title is printed, never interpreted.
Characters the embedded font (Bitstream Vera, bundled with reportlab) cannot show are printed
as "?" instead of failing.

How it fails: ValueError for a proposal without a recipient (callers check that first).
Everything else renders: a missing, unreadable or SVG logo gives the portal's name as a
wordmark, a malformed colour gives dark grey, odd Markdown becomes text.
"""

from __future__ import annotations

import datetime
import functools
import io
import os
import re
from html.parser import HTMLParser
from xml.sax.saxutils import escape

from django.db import connection
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from proposals.models import Proposal

FONT = "AllmendeVera"
FALLBACK_COLOUR = "#333333"
GREY = "#555555"

_FONT_FILES = {
    FONT: "Vera.ttf",
    f"{FONT}-Bold": "VeraBd.ttf",
    f"{FONT}-Italic": "VeraIt.ttf",
    f"{FONT}-BoldItalic": "VeraBI.ttf",
}
# Tabs and other control characters would print as boxes; newlines are handled before.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@functools.cache
def _glyphs() -> frozenset[int]:
    """Register the Vera family once per process; the code points its regular face can show."""
    import reportlab
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
    fonts = {name: TTFont(name, os.path.join(folder, file)) for name, file in _FONT_FILES.items()}
    for font in fonts.values():
        pdfmetrics.registerFont(font)
    # <b> and <i> in paragraph markup pick the right face through these mappings.
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, f"{FONT}-Bold")
    addMapping(FONT, 0, 1, f"{FONT}-Italic")
    addMapping(FONT, 1, 1, f"{FONT}-BoldItalic")
    return frozenset(fonts[FONT].face.charToGlyph)


def _printable(text: str) -> str:
    """The text with every character the font lacks replaced by "?"."""
    glyphs = _glyphs()
    text = _CONTROL.sub(" ", str(text or ""))
    return "".join(c if ord(c) in glyphs or c in "\n " else "?" for c in text)


def _markup(text: str) -> str:
    """Member or portal text made safe for reportlab's paragraph mini-markup."""
    return escape(_printable(text))


def _colour(value) -> str:
    """The theme's primary colour, dark enough to read on white paper (a dark theme's primary
    is light), or dark grey when the token is not a valid hex colour."""
    from themes.tokens import TokenError, contrast_ratio, nearest_passing, normalise_colour

    try:
        colour = normalise_colour(str(value or ""), "primary")
    except TokenError:
        return FALLBACK_COLOUR
    if contrast_ratio(colour, "#ffffff") < 4.5:
        colour = nearest_passing(colour, "#ffffff", 4.5) or FALLBACK_COLOUR
    return colour


def _logo_png(name: str) -> bytes | None:
    """The theme's raster logo as PNG bytes, or None (no logo, SVG, missing or broken file)."""
    if not name or name.lower().endswith(".svg"):
        return None
    from django.core.files.storage import default_storage
    from PIL import Image

    try:
        with default_storage.open(name) as stored:
            image = Image.open(io.BytesIO(stored.read()))
            image.load()
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGBA")
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()
    except Exception:  # any unreadable logo falls back to the wordmark
        return None


def _letter_language(default: str, when: datetime.date) -> str:
    """The portal's default language, unless the font cannot write its script (Ukrainian,
    Arabic): then the letter is in German or English rather than a page of question marks."""
    from themes.languages import admin_fallback

    with translation.override(default):
        probe = "".join(
            (
                _("Proposal %(reference)s: %(title)s"),
                _("Dear Sir or Madam,"),
                _("Page %(page)d of %(pages)d"),
                # Month names come from Django's catalogue, which the portal's may lack.
                formats.date_format(when, "DATE_FORMAT"),
            )
        )
    if _printable(probe) == probe:
        return default
    return admin_fallback(default, default)


class _MarkdownFlowables(HTMLParser):
    """Turns the sanitised HTML of core.richtext's allow-list into reportlab flowables.

    Data arrives unescaped (convert_charrefs) and is escaped again here, so only the markup
    this class writes itself reaches reportlab.
    """

    _INLINE = {
        "strong": ("<b>", "</b>"),
        "b": ("<b>", "</b>"),
        "em": ("<i>", "</i>"),
        "i": ("<i>", "</i>"),
        "del": ("<strike>", "</strike>"),
        "code": ("", ""),
    }
    _BLOCKS = {"p", "h3", "h4", "li", "blockquote", "pre", "ul", "ol", "hr"}

    def __init__(self, styles: dict) -> None:
        super().__init__(convert_charrefs=True)
        self.styles = styles
        self.flowables: list = []
        self.parts: list[str] = []
        self.open: list[str] = []  # closing markup of the inline tags open now
        self.block = "p"
        self.lists: list[list] = []  # [kind, counter] per open list
        self.bullet: str | None = None
        self.quote = 0
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self._INLINE:
            opening, closing = self._INLINE[tag]
            self.parts.append(opening)
            self.open.append(closing)
        elif tag == "a":
            self.parts.append("<u>")
            self.open.append("</u>")
            self.links.append(dict(attrs).get("href") or "")
        elif tag == "br":
            self.parts.append("<br/>")
        elif tag in self._BLOCKS:
            self._flush()
            if tag in ("ul", "ol"):
                self.lists.append([tag, 0])
            elif tag == "li":
                if self.lists:
                    self.lists[-1][1] += 1
                    kind, number = self.lists[-1]
                    self.bullet = "•" if kind == "ul" else f"{number}."
                else:
                    self.bullet = "•"
                self.block = "li"
            elif tag == "blockquote":
                self.quote += 1
            elif tag == "hr":
                from reportlab.platypus import HRFlowable

                self.flowables.append(
                    HRFlowable(width="100%", thickness=0.5, color=GREY, spaceBefore=4, spaceAfter=6)
                )
            else:
                self.block = tag

    def handle_endtag(self, tag):
        if tag in self._INLINE or tag == "a":
            if self.open:
                self.parts.append(self.open.pop())
            if tag == "a" and self.links:
                href = self.links.pop()
                # On paper a link is only useful with its address printed next to it.
                if href and _markup(href) not in "".join(self.parts):
                    self.parts.append(f" ({_markup(href)})")
        elif tag in self._BLOCKS:
            self._flush()
            if tag in ("ul", "ol") and self.lists:
                self.lists.pop()
            elif tag == "blockquote":
                self.quote = max(0, self.quote - 1)
            self.block = "li" if tag == "li" and self.bullet else "p"

    def handle_data(self, data):
        if self.block != "pre":
            data = re.sub(r"\s+", " ", data)
        if data.strip() or self.parts:
            self.parts.append(_markup(data).replace("\n", "<br/>"))

    def close(self):
        super().close()
        self._flush()

    def _flush(self) -> None:
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.platypus import Paragraph

        self.parts.extend(reversed(self.open))
        self.open.clear()
        markup = "".join(self.parts).strip()
        self.parts = []
        while markup.endswith("<br/>"):
            markup = markup[: -len("<br/>")].rstrip()
        if not markup:
            return
        base = self.styles.get(self.block, self.styles["p"])
        indent = 14 * len(self.lists) + 18 * self.quote
        style = ParagraphStyle(
            f"{base.name}-{indent}",
            parent=base,
            leftIndent=base.leftIndent + indent,
            bulletIndent=max(0, indent - 12),
            bulletFontName=FONT,
        )
        bullet = None
        if self.block == "li":
            bullet, self.bullet = self.bullet, None
        try:
            self.flowables.append(Paragraph(markup, style, bulletText=bullet))
        except ValueError:
            # reportlab refused the markup (it should not happen with escaped text): print the
            # words without any markup rather than fail the letter.
            plain = re.sub(r"<[^>]*>", " ", markup)
            self.flowables.append(Paragraph(plain, style, bulletText=bullet))


def _markdown_flowables(source: str, styles: dict) -> list:
    """The proposal's Markdown as flowables, through the same allow-list as core.richtext."""
    import markdown
    import nh3

    from core.richtext import ATTRIBUTES, TAGS, URL_SCHEMES

    class EscapeHtml(markdown.Extension):
        # Raw HTML in the source is text, as on the proposal's page (core.richtext).
        def extendMarkdown(self, md):
            md.preprocessors.deregister("html_block")
            md.inlinePatterns.deregister("html")

    # core.richtext.render cuts its source at 20,000 characters; a letter must be complete.
    html = markdown.markdown(source or "", extensions=[EscapeHtml(), "sane_lists", "nl2br"])
    html = re.sub(r"<(/?)h[12]>", r"<\1h3>", html)
    html = re.sub(r"<(/?)h[56]>", r"<\1h4>", html)
    clean = nh3.clean(
        html,
        tags=set(TAGS),
        attributes={k: set(v) for k, v in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
    )
    parser = _MarkdownFlowables(styles)
    parser.feed(clean)
    parser.close()
    return parser.flowables


def _styles(primary: str) -> dict:
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    body = ParagraphStyle("p", fontName=FONT, fontSize=10.5, leading=14.5, spaceAfter=6)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10.5, textColor=GREY)
    return {
        "p": body,
        "li": ParagraphStyle("li", parent=body, leftIndent=4, spaceAfter=2),
        "blockquote": ParagraphStyle("blockquote", parent=body, textColor=GREY),
        "pre": ParagraphStyle("pre", parent=body, fontSize=9.5, leading=12.5),
        "h3": ParagraphStyle(
            "h3", parent=body, fontName=f"{FONT}-Bold", fontSize=12, spaceBefore=8, spaceAfter=4
        ),
        "h4": ParagraphStyle("h4", parent=body, fontName=f"{FONT}-Bold", spaceBefore=6),
        "small": small,
        "sender": ParagraphStyle("sender", parent=small, spaceAfter=14),
        "address": ParagraphStyle("address", parent=body, spaceAfter=0),
        "date": ParagraphStyle("date", parent=body, alignment=TA_RIGHT, spaceBefore=18),
        "subject": ParagraphStyle(
            "subject",
            parent=body,
            fontName=f"{FONT}-Bold",
            fontSize=12.5,
            leading=16,
            textColor=primary,
            spaceBefore=14,
            spaceAfter=12,
        ),
        "signatory": ParagraphStyle("signatory", parent=body, leftIndent=14, spaceAfter=1),
    }


def _letter_canvas(*, portal_name: str, primary: str, logo: bytes | None, footer_left: str):
    """A canvas class that draws the letterhead on page 1 and "Page x of y" on every page,
    which needs the page count: pages are kept until the document is saved."""
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    page_label = _("Page %(page)d of %(pages)d")

    class LetterCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, height = self._pagesize
            left, right = 25 * mm, width - 20 * mm
            if self._pageNumber == 1:
                top = height - 14 * mm
                drawn = False
                if logo is not None:
                    try:
                        self.drawImage(
                            ImageReader(io.BytesIO(logo)),
                            left,
                            top - 16 * mm,
                            width=70 * mm,
                            height=16 * mm,
                            preserveAspectRatio=True,
                            anchor="sw",
                            mask="auto",
                        )
                        drawn = True
                    except Exception:  # a logo reportlab cannot draw: the wordmark
                        drawn = False
                if not drawn:
                    from reportlab.pdfbase.pdfmetrics import stringWidth

                    # A long name is set smaller rather than run off the page.
                    size = 18.0
                    while (
                        size > 9 and stringWidth(portal_name, f"{FONT}-Bold", size) > right - left
                    ):
                        size -= 1
                    self.setFont(f"{FONT}-Bold", size)
                    self.setFillColor(primary)
                    self.drawString(left, top - 11 * mm, portal_name)
                self.setStrokeColor(primary)
                self.setLineWidth(0.8)
                self.line(left, top - 19 * mm, right, top - 19 * mm)
            self.setStrokeColor(GREY)
            self.setLineWidth(0.3)
            self.line(left, 16 * mm, right, 16 * mm)
            self.setFont(FONT, 8)
            self.setFillColor(GREY)
            self.drawString(left, 11 * mm, footer_left)
            self.drawRightString(
                right, 11 * mm, page_label % {"page": self._pageNumber, "pages": total}
            )

    return LetterCanvas


def _idea_line(proposal: Proposal, base_url: str, portal_name: str) -> str | None:
    idea = proposal.idea
    if idea is None:
        return None
    from django.urls import NoReverseMatch

    try:
        url = base_url.rstrip("/") + idea.get_absolute_url()
    except NoReverseMatch:
        url = ""
    text = _("This proposal grew out of the idea “%(title)s” on %(portal)s.") % {
        "title": _markup(idea.title),
        "portal": _markup(portal_name),
    }
    return f"{text} {_markup(url)}" if url else text


def _signatories(proposal: Proposal) -> list:
    """The author, then the co-signers in the order they signed; nobody twice."""
    people = [proposal.created_by]
    for signature in proposal.signatures.select_related("user").order_by("created_at", "pk"):
        if signature.user_id != proposal.created_by_id:
            people.append(signature.user)
    return people


def render_letter(*, proposal: Proposal, when: datetime.date | None = None) -> bytes:
    """The proposal's letter to its recipient body as PDF bytes, dated `when` (default today).

    Raises ValueError when the proposal has no recipient; renders in every other case.
    """
    if proposal.recipient_id is None:
        raise ValueError("A proposal without a recipient has no letter.")
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        KeepTogether,
        PageTemplate,
        Paragraph,
        Spacer,
    )

    from tenants.selectors import portal_base_url
    from themes.languages import portal_languages
    from themes.selectors import published_theme

    _glyphs()
    portal = connection.tenant
    theme = published_theme()
    primary = _colour((theme.get("tokens") or {}).get("primary"))
    logo = _logo_png(theme.get("logo") or "")
    portal_name = _printable(portal.name)
    base_url = portal_base_url(portal)
    _offered, default = portal_languages(portal)
    when = when or timezone.localdate()
    recipient = proposal.recipient
    space = proposal.space
    styles = _styles(primary)

    with translation.override(_letter_language(default, when)):
        story: list = []
        address = [_markup(base_url.rstrip("/"))]
        if getattr(portal, "contact_email", ""):
            address.append(_markup(portal.contact_email))
        sender = _("%(portal)s on behalf of %(space)s") % {
            "portal": _markup(portal_name),
            "space": _markup(space.name),
        }
        story.append(Paragraph(f"{sender} · {' · '.join(address)}", styles["sender"]))
        story.append(Paragraph(f"<b>{_markup(recipient.name)}</b>", styles["address"]))
        if recipient.email:
            story.append(Paragraph(_markup(recipient.email), styles["address"]))
        story.append(Paragraph(_markup(formats.date_format(when, "DATE_FORMAT")), styles["date"]))
        facts = []
        if proposal.reference:
            facts.append(
                _("Our reference: %(reference)s") % {"reference": _markup(proposal.reference)}
            )
        newest = proposal.versions.order_by("-number").values_list("number", flat=True).first()
        if newest:
            facts.append(_("Version %(number)d") % {"number": newest})
        if proposal.place:
            facts.append(_("Concerns: %(place)s") % {"place": _markup(proposal.place)})
        if facts:
            story.append(Paragraph(" · ".join(facts), styles["small"]))
        # The same words as the mail's subject, so the council can match letter and mail.
        if proposal.reference:
            subject = _("Proposal %(reference)s: %(title)s")
        else:
            subject = _("Proposal: %(title)s")
        subject_of = {"reference": proposal.reference, "title": proposal.title}
        story.append(
            Paragraph(
                subject % {key: _markup(value) for key, value in subject_of.items()},
                styles["subject"],
            )
        )
        story.append(Paragraph(_("Dear Sir or Madam,"), styles["p"]))
        story.extend(_markdown_flowables(proposal.text, styles))
        idea_line = _idea_line(proposal, base_url, portal_name)
        if idea_line:
            story.append(Paragraph(idea_line, styles["p"]))

        people = _signatories(proposal)
        closing = [
            Spacer(1, 6),
            Paragraph(_("Kind regards,"), styles["p"]),
            Paragraph(
                "<b>%s</b>" % (_("For %(space)s") % {"space": _markup(space.name)}), styles["p"]
            ),
            Paragraph(
                ngettext("%(count)d signatory:", "%(count)d signatories:", len(people))
                % {"count": len(people)},
                styles["small"],
            ),
        ]
        names = [Paragraph(_markup(str(person)), styles["signatory"]) for person in people]
        # The closing stays on one page with the first names; a long list then flows on.
        story.append(KeepTogether(closing + names[:3]))
        story.extend(names[3:])

        footer_left = portal_name
        if proposal.reference:
            footer_left = f"{portal_name} · {_printable(proposal.reference)}"
        out = io.BytesIO()
        width, height = A4

        def frame(top: float) -> Frame:
            return Frame(
                25 * mm,
                25 * mm,
                width - 45 * mm,
                height - top - 25 * mm,
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
            )

        # Only the first page carries the letterhead; the others use that room for text.
        document = BaseDocTemplate(
            out,
            pagesize=A4,
            pageTemplates=[
                PageTemplate(id="first", frames=[frame(45 * mm)], autoNextPageTemplate="later"),
                PageTemplate(id="later", frames=[frame(22 * mm)]),
            ],
            title=_printable(subject % subject_of),
            author=portal_name,
            subject=_printable(proposal.reference or proposal.title),
            creator="Allmende",
        )
        document.build(
            story,
            canvasmaker=_letter_canvas(
                portal_name=portal_name, primary=primary, logo=logo, footer_left=footer_left
            ),
        )
    return out.getvalue()
