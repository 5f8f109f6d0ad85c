"""The portal's map settings: which tile server draws the background, with what attribution,
and where the map opens. One row (pk 1), made on first use (the map pages, to come).

The tile server sees the address of every visitor who opens the map, so it is the portal's
choice and its privacy note says whom the map talks to. Empty means no background tiles: the
markers still show, on a plain ground, and no third party is contacted.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class MapSettings(models.Model):
    tile_url = models.CharField(
        _("tile server address"),
        max_length=300,
        blank=True,
        help_text=_(
            "An address with {z}, {x} and {y}, for example that of your own tile server. "
            "Leave empty to show the markers without a background map."
        ),
    )
    attribution = models.CharField(
        _("attribution"),
        max_length=300,
        blank=True,
        help_text=_(
            "Credit the map data as its licence requires, e.g. © OpenStreetMap contributors."
        ),
    )
    privacy_note = models.TextField(
        _("privacy note"),
        max_length=1000,
        blank=True,
        help_text=_("Shown under the map: which server the map loads its pictures from."),
    )
    center_latitude = models.DecimalField(
        _("centre latitude"),
        max_digits=8,
        decimal_places=6,
        default=Decimal("51.163400"),
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    center_longitude = models.DecimalField(
        _("centre longitude"),
        max_digits=9,
        decimal_places=6,
        default=Decimal("10.447700"),
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    zoom = models.PositiveSmallIntegerField(
        _("zoom"), default=6, validators=[MinValueValidator(1), MaxValueValidator(18)]
    )

    class Meta:
        verbose_name = _("map settings")

    def __str__(self) -> str:
        return self.tile_url or "-"
