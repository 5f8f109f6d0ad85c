"""Amounts of money as people read them: 49,00 € in German, €49.00 in English.

Amounts are integer cents in EUR everywhere in Allmende; this is the only place that turns them
into text.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

NBSP = "\u00a0"


def format_money(cents: int, *, language: str | None = None) -> str:
    """`cents` (EUR) for the current (or given) language, with grouping and two decimals."""
    amount = Decimal(int(cents)) / 100
    number = f"{abs(amount):,.2f}"
    sign = "-" if amount < 0 else ""
    if (language or get_language() or settings.LANGUAGE_CODE).startswith("de"):
        number = number.replace(",", "\0").replace(".", ",").replace("\0", ".")
        return f"{sign}{number}{NBSP}€"
    return f"{sign}€{number}"


def vat_note() -> str:
    return _("All prices include %(rate)s %% VAT.") % {"rate": settings.BILLING_VAT_PERCENT}
