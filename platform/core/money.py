"""Amounts of money as people read them: 49,00 € in German, €49.00 in English, 49,00 € in
Ukrainian and Arabic, €49,00 in Turkish.

Amounts are integer cents in EUR everywhere in Allmende; this is the only place that turns them
into text. Separators come from Django's format files of the language; where the euro sign goes
follows CLDR. A language without an entry here writes the sign first.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

NBSP = "\u00a0"
# Languages that write the currency after the number ("49,00 €").
SIGN_AFTER = frozenset({"de", "uk", "ar"})


def format_money(cents: int, *, language: str | None = None) -> str:
    """`cents` (EUR) for the current (or given) language, with grouping and two decimals."""
    amount = Decimal(int(cents)) / 100
    code = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    with translation.override(code):
        number = formats.number_format(abs(amount), 2, use_l10n=True, force_grouping=True)
    sign = "-" if amount < 0 else ""
    if code in SIGN_AFTER:
        return f"{sign}{number}{NBSP}€"
    return f"{sign}€{number}"


def vat_note() -> str:
    return _("All prices include %(rate)s %% VAT.") % {"rate": settings.BILLING_VAT_PERCENT}
