"""The theme of the portal whose schema this table lives in (one row)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from themes.presets import DEFAULT_PRESET, PRESET_CHOICES


class Theme(models.Model):
    preset = models.CharField(
        _("preset"), max_length=20, choices=PRESET_CHOICES, default=DEFAULT_PRESET
    )
    site_name = models.CharField(_("site name"), max_length=120)
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.site_name
