"""Coordinates as people, forms, the API and imports give them: one check for every module
with a place (ideas, events, later spaces and the map).

`clean_coordinates` returns the two values as Decimals with six places (about 10 cm), or
None for a blank one, and puts a message per bad field into `errors`: not a number, NaN or
infinite, out of range, or only one of the two given.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

_SIX_PLACES = Decimal("0.000001")


def clean_coordinates(latitude, longitude, errors: dict) -> tuple[Decimal | None, Decimal | None]:
    cleaned: dict[str, Decimal | None] = {}
    for field, value, bound in (("latitude", latitude, 90), ("longitude", longitude, 180)):
        cleaned[field] = None
        if value in (None, ""):
            continue
        try:
            number = Decimal(str(value)).quantize(_SIX_PLACES)
        except ArithmeticError:
            number = None
        if number is None or not number.is_finite() or abs(number) > bound:
            errors[field] = [
                _("Enter a number between -%(bound)d and %(bound)d.") % {"bound": bound}
            ]
        else:
            cleaned[field] = number
    one_only = (cleaned["latitude"] is None) != (cleaned["longitude"] is None)
    if one_only and "latitude" not in errors and "longitude" not in errors:
        errors["longitude"] = [_("Give both latitude and longitude, or neither.")]
    return cleaned["latitude"], cleaned["longitude"]
