"""Writes on a portal's theme: edit the draft, publish it, revert to an earlier version.

Validation happens before anything is saved: a bad colour, a failing contrast or an unknown font
raises ValidationError naming the field (with the measured ratio and a suggested colour), and the
published theme stays exactly as it was. Publishing compiles the stylesheet and stores it with
the version, so every web process serves the same bytes under the same content-hash URL.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core.event_types import EventType
from core.services import audit_record
from themes import languages
from themes.models import Theme, ThemeVersion
from themes.presets import DEFAULT_PRESET, PRESETS
from themes.sanitize import clean_html, clean_url
from themes.selectors import forget_published_theme_on_commit
from themes.tokens import TokenError, build_tokens, compile_stylesheet, stylesheet_hash

TEXT_FIELDS = (
    "site_name",
    "tagline",
    "footer_text",
    "hero_title",
    "cta_label",
    "email_sender_name",
    "email_signature",
)
HTML_FIELDS = ("intro", "impressum", "privacy", "accessibility")


def _draft() -> Theme:
    return Theme.objects.first() or Theme(site_name="", tokens=dict(PRESETS[DEFAULT_PRESET].tokens))


def _clean_links(links) -> list[dict]:
    cleaned = []
    for link in links or []:
        label = str(link.get("label", "")).strip()[:60]
        url = clean_url(str(link.get("url", "")))
        if label and url:
            cleaned.append({"label": label, "url": url})
        elif label or link.get("url"):
            raise ValidationError(
                {
                    "footer_links": f"„{label or link.get('url')}“ needs a label and a link starting with /, http:// or https://."
                }
            )
    return cleaned[:8]


def _current_portal():
    from django.db import connection

    return getattr(connection, "tenant", None)


def _clean_custom_css(source: str) -> str:
    from django.conf import settings

    from features.gate import is_enabled
    from themes.custom_css import CustomCSSError, clean_custom_css

    if not (source or "").strip():
        return ""
    portal = _current_portal()
    if getattr(portal, "uid", None) is None or not is_enabled(portal, "custom_css"):
        raise ValidationError({"custom_css": _("Custom CSS is not switched on for this portal.")})
    try:
        return clean_custom_css(source, media_prefix=settings.MEDIA_URL)
    except CustomCSSError as exc:
        raise ValidationError({"custom_css": str(exc)}) from exc


def _store(kind: str, image) -> str:
    """Save sanitised bytes under a content-addressed name; published versions keep old files."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from features.limits import check_storage

    try:
        check_storage(_current_portal(), len(image.content))
    except ValidationError as exc:
        raise ValidationError({kind: exc.messages}) from exc
    digest = hashlib.sha256(image.content).hexdigest()[:16]
    name = f"theme/{kind}-{digest}.{image.extension}"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(image.content))
    return name


def _uploaded(kind: str, cleaner, name: str, data: bytes):
    from themes.uploads import UploadError

    try:
        return cleaner(name, data)
    except UploadError as exc:
        raise ValidationError({kind: str(exc)}) from exc


@transaction.atomic
def theme_upload_logo(*, name: str, data: bytes) -> Theme:
    """Sanitise and store a logo in the draft. Bad files raise ValidationError; nothing stored."""
    from themes.uploads import clean_logo

    theme = _draft()
    theme.logo = _store("logo", _uploaded("logo", clean_logo, name, data))
    theme.save()
    return theme


@transaction.atomic
def theme_upload_header_image(*, name: str, data: bytes) -> Theme:
    from themes.uploads import clean_header_image

    theme = _draft()
    theme.header_image = _store("header", _uploaded("header_image", clean_header_image, name, data))
    theme.save()
    return theme


@transaction.atomic
def theme_upload_favicon(*, name: str, data: bytes) -> Theme:
    """Generate and store the favicon sizes from one square-ish raster image."""
    from themes.uploads import CleanImage, UploadError, favicon_set

    try:
        sizes = favicon_set(data)
    except UploadError as exc:
        raise ValidationError({"favicon": str(exc)}) from exc
    theme = _draft()
    theme.favicons = {
        str(size): _store(f"favicon-{size}", CleanImage(png, "image/png", "png", size, size))
        for size, png in sizes.items()
    }
    theme.save()
    return theme


class _Unchanged:
    """The default of every theme_update_draft argument: leave that field as it is."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = _Unchanged()


@transaction.atomic
def theme_update_draft(
    *,
    preset: str = UNCHANGED,
    tokens: dict = UNCHANGED,
    site_name: str = UNCHANGED,
    tagline: str = UNCHANGED,
    footer_text: str = UNCHANGED,
    hero_title: str = UNCHANGED,
    cta_label: str = UNCHANGED,
    email_sender_name: str = UNCHANGED,
    email_signature: str = UNCHANGED,
    intro: str = UNCHANGED,
    impressum: str = UNCHANGED,
    privacy: str = UNCHANGED,
    accessibility: str = UNCHANGED,
    cta_url: str = UNCHANGED,
    footer_links: list[dict] = UNCHANGED,
    default_language: str = UNCHANGED,
    offered_languages: list[str] = UNCHANGED,
    custom_css: str = UNCHANGED,
) -> Theme:
    """Change the draft's given fields (the others stay). Bad tokens, links or CSS raise
    ValidationError naming the field; nothing is saved then."""
    changes = {k: v for k, v in locals().items() if v is not UNCHANGED}
    theme = _draft()
    if "preset" in changes:
        if changes["preset"] not in PRESETS:
            raise ValidationError(
                {"preset": _("Unknown preset „%(preset)s“.") % {"preset": changes["preset"]}}
            )
        theme.preset = changes["preset"]
    if "tokens" in changes:
        # A new preset starts from its own tokens: the old ones' derived values (link colour,
        # text on primary) would otherwise outlive the switch.
        base = {} if "preset" in changes else theme.tokens
        try:
            theme.tokens = build_tokens({**base, **changes["tokens"]}).as_dict()
        except TokenError as exc:
            raise ValidationError({exc.field: str(exc)}) from exc
    for name in TEXT_FIELDS:
        if name in changes:
            setattr(theme, name, str(changes[name]).strip())
    for name in HTML_FIELDS:
        if name in changes:
            setattr(theme, name, clean_html(changes[name]))
    if "cta_url" in changes:
        url = clean_url(changes["cta_url"])
        if changes["cta_url"] and not url:
            raise ValidationError(
                {"cta_url": _("The link must start with /, http:// or https://.")}
            )
        theme.cta_url = url
    if "footer_links" in changes:
        theme.footer_links = _clean_links(changes["footer_links"])
    if "offered_languages" in changes:
        offered = list(dict.fromkeys(changes["offered_languages"]))
        if not offered:
            raise ValidationError({"offered_languages": _("Offer at least one language.")})
        if set(offered) - set(languages.all_codes()):
            raise ValidationError({"offered_languages": _("Choose languages from the list.")})
        theme.offered_languages = [code for code in languages.all_codes() if code in offered]
    if "default_language" in changes:
        if changes["default_language"] not in languages.all_codes():
            raise ValidationError(
                {"default_language": _("Choose the default from the languages offered.")}
            )
        theme.default_language = changes["default_language"]
    if theme.default_language not in theme.offered_languages:
        raise ValidationError(
            {"default_language": _("The default language must be one of those offered.")}
        )
    if "custom_css" in changes:
        theme.custom_css = _clean_custom_css(changes["custom_css"])
    if not theme.site_name:
        raise ValidationError({"site_name": _("The portal needs a name.")})
    theme.full_clean()
    theme.save()
    return theme


@transaction.atomic
def theme_publish(*, actor=None, actor_label: str = "") -> ThemeVersion:
    """Make the draft what visitors see, as a new version with its compiled stylesheet."""
    theme = _draft()
    tokens = build_tokens(theme.tokens)  # re-checked: rules may have tightened since saving
    css = compile_stylesheet(tokens)
    css_custom = compile_stylesheet(tokens, theme.custom_css) if theme.custom_css else ""
    number = (ThemeVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ThemeVersion.objects.create(
        number=number,
        data=theme.snapshot(),
        css=css,
        css_hash=stylesheet_hash(css),
        css_custom=css_custom,
        css_custom_hash=stylesheet_hash(css_custom) if css_custom else "",
    )
    audit_record(
        event_type=EventType.THEME_PUBLISHED,
        actor=actor,
        actor_label=actor_label,
        obj=version,
        detail={"number": number, "preset": theme.preset},
    )
    forget_published_theme_on_commit()
    return version


@transaction.atomic
def theme_revert(*, number: int, actor=None, actor_label: str = "") -> ThemeVersion:
    """Publish an earlier version again (as a new version) and make it the draft too."""
    old = ThemeVersion.objects.filter(number=number).first()
    if old is None:
        raise ValidationError(_("There is no published version %(number)s.") % {"number": number})
    theme = _draft()
    for name, value in old.data.items():
        setattr(theme, name, value)
    theme.save()
    return theme_publish(actor=actor, actor_label=actor_label)


def theme_set(
    *, site_name: str, preset: str, tagline: str = "", language: str = "", actor_label: str
) -> ThemeVersion:
    """Start from a preset with a name and tagline, and publish it (provisioning, demo)."""
    if preset not in PRESETS:
        raise ValidationError(f"Unknown theme preset {preset!r}; choose one of {sorted(PRESETS)}.")
    theme_update_draft(
        preset=preset,
        tokens=dict(PRESETS[preset].tokens),
        site_name=site_name,
        tagline=tagline,
        email_sender_name=site_name,
        **({"default_language": language} if language else {}),
    )
    return theme_publish(actor_label=actor_label)


# The accessibility statement: an admin's own version, published on its own


def _accessibility_publish(*, html: str, actor, change: str) -> ThemeVersion | None:
    """Publish `html` as the statement without publishing the rest of the draft: the new
    version is the live one with only the statement replaced, and the draft gets it too, so the
    next publication from the editor keeps it. None when the statement is already `html`."""
    theme = _draft()
    live = ThemeVersion.objects.order_by("-number").select_for_update().first()
    if live is None:  # never published (not after provisioning): publish the draft as a whole
        theme.accessibility = html
        theme.save()
        return theme_publish(actor=actor)
    if (live.data.get("accessibility") or "") == html:
        return None
    theme.accessibility = html
    theme.save(update_fields=["accessibility", "updated_at"] if theme.pk else None)
    version = ThemeVersion.objects.create(
        number=live.number + 1,
        data={**live.data, "accessibility": html},
        css=live.css,
        css_hash=live.css_hash,
        css_custom=live.css_custom,
        css_custom_hash=live.css_custom_hash,
    )
    audit_record(
        event_type=EventType.THEME_PUBLISHED,
        actor=actor,
        obj=version,
        detail={"number": version.number, "accessibility_statement": change},
    )
    forget_published_theme_on_commit()
    return version


@transaction.atomic
def theme_accessibility_statement_set(*, html: str, actor) -> ThemeVersion | None:
    """Publish the admin's own accessibility statement (sanitised like every legal text) in
    place of the generated one. ValidationError when nothing is left after sanitising: going
    back to the generated statement is `theme_accessibility_statement_reset`."""
    cleaned = clean_html(html)
    if not cleaned:
        raise ValidationError(
            {
                "statement": _(
                    "The statement is empty. To show the generated statement again, reset it."
                )
            }
        )
    return _accessibility_publish(html=cleaned, actor=actor, change="edited")


@transaction.atomic
def theme_accessibility_statement_reset(*, actor) -> ThemeVersion | None:
    """Show the generated statement again (it follows every new check result by itself)."""
    return _accessibility_publish(html="", actor=actor, change="generated")
