"""Forms of the map pages: they parse input; the rules are in places.services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from places.models import MapSettings


class MapSettingsForm(forms.ModelForm):
    class Meta:
        model = MapSettings
        fields = [
            "tile_url",
            "attribution",
            "privacy_note",
            "center_latitude",
            "center_longitude",
            "zoom",
        ]
        widgets = {
            # A template with {z}/{x}/{y} is no URL a browser's URL field would accept.
            "tile_url": forms.TextInput(
                attrs={
                    "inputmode": "url",
                    "spellcheck": "false",
                    "autocomplete": "off",
                    "placeholder": "https://tiles.example.org/{z}/{x}/{y}.png",
                }
            ),
            "privacy_note": forms.Textarea(attrs={"rows": 4}),
            "center_latitude": forms.TextInput(attrs={"inputmode": "decimal"}),
            "center_longitude": forms.TextInput(attrs={"inputmode": "decimal"}),
        }
        labels = {
            "tile_url": _("Tile server address"),
            "attribution": _("Attribution"),
            "privacy_note": _("Privacy note"),
            "center_latitude": _("Latitude of the centre"),
            "center_longitude": _("Longitude of the centre"),
            "zoom": _("Zoom (1: the world, 18: a street)"),
        }

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
