"""The theme editor's form. It only parses input; rules live in themes.services and tokens."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from themes.fonts import FONT_CHOICES
from themes.presets import PRESET_CHOICES
from themes.tokens import COLOR_TOKENS

COLOUR_LABELS = {
    "primary": _("Primary colour (header, buttons)"),
    "secondary": _("Secondary colour"),
    "accent": _("Accent colour (focus, highlights)"),
    "background": _("Background"),
    "surface": _("Surfaces (cards, boxes)"),
    "text": _("Text"),
}


# Fields passed through as they are (the services validate and sanitise them).
PLAIN_FIELDS = (
    "site_name",
    "tagline",
    "hero_title",
    "intro",
    "cta_label",
    "cta_url",
    "footer_text",
    "impressum",
    "privacy",
    "email_sender_name",
    "email_signature",
    "default_language",
    "offered_languages",
)


class ThemeForm(forms.Form):
    site_name = forms.CharField(label=_("Site name"), max_length=120)
    tagline = forms.CharField(label=_("Tagline"), max_length=200, required=False)
    font = forms.ChoiceField(label=_("Font"), choices=FONT_CHOICES)
    radius = forms.IntegerField(label=_("Corner radius (px)"), min_value=0, max_value=24)
    hero_title = forms.CharField(label=_("Start page heading"), max_length=120, required=False)
    intro = forms.CharField(
        label=_("Introduction"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    cta_label = forms.CharField(label=_("Call to action: label"), max_length=60, required=False)
    cta_url = forms.CharField(label=_("Call to action: link"), max_length=300, required=False)
    footer_text = forms.CharField(label=_("Footer text"), max_length=300, required=False)
    footer_links = forms.CharField(
        label=_("Footer links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: label | link"),
    )
    impressum = forms.CharField(
        label=_("Impressum"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    privacy = forms.CharField(
        label=_("Privacy statement"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    email_sender_name = forms.CharField(
        label=_("E-mail sender name"), max_length=80, required=False
    )
    email_signature = forms.CharField(
        label=_("E-mail signature"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    offered_languages = forms.MultipleChoiceField(
        label=_("Languages the portal offers"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Members and visitors can switch between these. The admin area stays in German "
            "or English."
        ),
    )
    default_language = forms.ChoiceField(
        label=_("Default language"),
        choices=settings.LANGUAGES,
        help_text=_("For visitors whose browser asks for none of the languages offered."),
    )

    logo = forms.FileField(label=_("Logo (SVG, PNG or WebP, up to 2 MB)"), required=False)
    favicon = forms.FileField(label=_("Favicon (square PNG or WebP)"), required=False)
    header_image = forms.FileField(
        label=_("Header image (PNG, JPEG or WebP, up to 5 MB)"), required=False
    )

    def __init__(self, *args, custom_css: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if custom_css:
            self.fields["custom_css"] = forms.CharField(
                label=_("Custom CSS"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 8}),
                help_text=_(
                    "Checked against a list of allowed properties; no imports or external URLs."
                ),
            )
        for name in COLOR_TOKENS:
            self.fields[f"colour_{name}"] = forms.CharField(
                label=COLOUR_LABELS[name],
                max_length=40,
                widget=forms.TextInput(attrs={"type": "color"}),
            )

    def changes(self) -> dict:
        data = self.cleaned_data
        links = []
        for line in (data.get("footer_links") or "").splitlines():
            if line.strip():
                label, _sep, url = line.partition("|")
                links.append({"label": label.strip(), "url": url.strip()})
        changes = {k: data[k] for k in PLAIN_FIELDS}
        changes["footer_links"] = links
        if "custom_css" in self.fields:
            changes["custom_css"] = data.get("custom_css", "")
        changes["tokens"] = {name: data[f"colour_{name}"] for name in COLOR_TOKENS}
        changes["tokens"].update(font=data["font"], radius=data["radius"])
        return changes

    @classmethod
    def initial_from(cls, theme) -> dict:
        initial = {k: getattr(theme, k) for k in PLAIN_FIELDS}
        initial["custom_css"] = theme.custom_css
        initial["footer_links"] = "\n".join(
            f"{link['label']} | {link['url']}" for link in theme.footer_links
        )
        tokens = theme.tokens or {}
        for name in COLOR_TOKENS:
            initial[f"colour_{name}"] = tokens.get(name, "#000000")
        initial["font"] = tokens.get("font", "system")
        initial["radius"] = tokens.get("radius", 8)
        return initial


class PresetForm(forms.Form):
    preset = forms.ChoiceField(label=_("Start from preset"), choices=PRESET_CHOICES)


class AccessibilityStatementForm(forms.Form):
    """The admin's own accessibility statement (its own page; themes.accessibility)."""

    statement = forms.CharField(
        label=_("Accessibility statement"),
        widget=forms.Textarea(attrs={"rows": 24}),
        help_text=_("Simple HTML: paragraphs, headings, lists, links."),
    )
