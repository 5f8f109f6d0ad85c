"""Writes on a portal's theme: edit the draft, publish it, revert to an earlier version.

Validation happens before anything is saved: a bad colour, a failing contrast or an unknown font
raises ValidationError naming the field (with the measured ratio and a suggested colour), and the
published theme stays exactly as it was. Publishing compiles the stylesheet and stores it with
the version, so every web process serves the same bytes under the same content-hash URL.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from tenants.cache import delete_on_commit
from themes.models import Theme, ThemeVersion
from themes.presets import DEFAULT_PRESET, PRESETS
from themes.sanitize import clean_html, clean_url
from themes.selectors import THEME_CACHE_KEY
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


def _snapshot(theme: Theme) -> dict:
    data = {name: getattr(theme, name) for name in (*TEXT_FIELDS, *HTML_FIELDS)}
    data.update(
        preset=theme.preset,
        tokens=theme.tokens,
        footer_links=theme.footer_links,
        cta_url=theme.cta_url,
        default_language=theme.default_language,
    )
    return data


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


@transaction.atomic
def theme_update_draft(**changes) -> Theme:
    """Change the draft. Unknown fields, bad tokens or bad links raise ValidationError."""
    theme = _draft()
    allowed = {
        *TEXT_FIELDS,
        *HTML_FIELDS,
        "tokens",
        "preset",
        "footer_links",
        "cta_url",
        "default_language",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"Unknown theme field(s): {', '.join(sorted(unknown))}.")
    if "preset" in changes:
        if changes["preset"] not in PRESETS:
            raise ValidationError({"preset": f"Unknown preset „{changes['preset']}“."})
        theme.preset = changes["preset"]
    if "tokens" in changes:
        try:
            theme.tokens = build_tokens({**theme.tokens, **changes["tokens"]}).as_dict()
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
            raise ValidationError({"cta_url": "The link must start with /, http:// or https://."})
        theme.cta_url = url
    if "footer_links" in changes:
        theme.footer_links = _clean_links(changes["footer_links"])
    if "default_language" in changes:
        if changes["default_language"] not in {"de", "en"}:
            raise ValidationError({"default_language": "The language must be de or en."})
        theme.default_language = changes["default_language"]
    if not theme.site_name:
        raise ValidationError({"site_name": "The portal needs a name."})
    theme.full_clean()
    theme.save()
    return theme


@transaction.atomic
def theme_publish(*, actor: str = "") -> ThemeVersion:
    """Make the draft what visitors see, as a new version with its compiled stylesheet."""
    theme = _draft()
    tokens = build_tokens(theme.tokens)  # re-checked: rules may have tightened since saving
    css = compile_stylesheet(tokens)
    number = (ThemeVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ThemeVersion.objects.create(
        number=number,
        data=_snapshot(theme),
        css=css,
        css_hash=stylesheet_hash(css),
        published_by=actor,
    )
    delete_on_commit(THEME_CACHE_KEY)
    return version


@transaction.atomic
def theme_revert(*, number: int, actor: str = "") -> ThemeVersion:
    """Publish an earlier version again (as a new version) and make it the draft too."""
    old = ThemeVersion.objects.filter(number=number).first()
    if old is None:
        raise ValidationError(f"There is no published version {number}.")
    theme = _draft()
    for name, value in old.data.items():
        setattr(theme, name, value)
    theme.save()
    return theme_publish(actor=actor)


def theme_set(*, site_name: str, preset: str, tagline: str = "", actor: str = "") -> ThemeVersion:
    """Start from a preset with a name and tagline, and publish it (provisioning, demo)."""
    if preset not in PRESETS:
        raise ValidationError(f"Unknown theme preset {preset!r}; choose one of {sorted(PRESETS)}.")
    theme_update_draft(
        preset=preset,
        tokens=dict(PRESETS[preset].tokens),
        site_name=site_name,
        tagline=tagline,
        email_sender_name=site_name,
    )
    return theme_publish(actor=actor)
