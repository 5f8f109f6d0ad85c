"""A portal's theme (in its own schema): the draft being edited and every published version."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from themes.presets import DEFAULT_PRESET, PRESET_CHOICES


def _default_offered() -> list[str]:
    return ["de", "en"]


class Theme(models.Model):
    """The draft. Visitors see the latest ThemeVersion; admins edit and preview this row."""

    preset = models.CharField(
        _("preset"), max_length=20, choices=PRESET_CHOICES, default=DEFAULT_PRESET
    )
    tokens = models.JSONField(_("design tokens"), default=dict)
    site_name = models.CharField(_("site name"), max_length=120)
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    footer_text = models.CharField(_("footer text"), max_length=300, blank=True)
    footer_links = models.JSONField(_("footer links"), default=list, blank=True)
    hero_title = models.CharField(_("start page heading"), max_length=120, blank=True)
    intro = models.TextField(_("introduction"), blank=True)
    cta_label = models.CharField(_("call to action label"), max_length=60, blank=True)
    cta_url = models.CharField(_("call to action link"), max_length=300, blank=True)
    impressum = models.TextField(_("Impressum"), blank=True)
    privacy = models.TextField(_("privacy statement"), blank=True)
    accessibility = models.TextField(_("accessibility statement"), blank=True)
    email_sender_name = models.CharField(_("e-mail sender name"), max_length=80, blank=True)
    email_signature = models.TextField(_("e-mail signature"), blank=True)
    default_language = models.CharField(_("default language"), max_length=8, default="de")
    # Language codes of settings.LANGUAGES the portal's pages are served in (themes.languages).
    offered_languages = models.JSONField(_("offered languages"), default=_default_offered)
    # Names in the portal's media storage; files are written only after sanitising (uploads.py).
    logo = models.CharField(max_length=200, blank=True)
    header_image = models.CharField(max_length=200, blank=True)
    favicons = models.JSONField(default=dict, blank=True)
    custom_css = models.TextField(_("custom CSS"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.site_name

    def snapshot(self) -> dict:
        """Everything a published version keeps (and what a preview shows)."""
        fields = (
            "site_name",
            "tagline",
            "footer_text",
            "hero_title",
            "cta_label",
            "email_sender_name",
            "email_signature",
            "intro",
            "impressum",
            "privacy",
            "accessibility",
            "preset",
            "tokens",
            "footer_links",
            "cta_url",
            "default_language",
            "offered_languages",
            "logo",
            "header_image",
            "favicons",
            "custom_css",
        )
        return {name: getattr(self, name) for name in fields}


class ThemeVersion(models.Model):
    """An immutable published theme: all texts and tokens, and the stylesheet compiled from them."""

    number = models.PositiveIntegerField(unique=True)
    data = models.JSONField()
    css = models.TextField()
    css_hash = models.CharField(max_length=16, db_index=True)
    # The same stylesheet plus the sanitised custom CSS, served while that module is on.
    css_custom = models.TextField(blank=True)
    css_custom_hash = models.CharField(max_length=16, blank=True, db_index=True)
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Version {self.number}"


class SentMail(models.Model):
    """A mail a worker task has sent, by a digest of (task id, recipient, template): a task
    redelivered after its worker died finds it and does not send that mail again. Holds no
    address, only the digest."""

    key = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.key
