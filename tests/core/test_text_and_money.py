"""Names that would break e-mail headers are refused; money reads as people write it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core.money import format_money
from core.text import single_line


@pytest.mark.parametrize(
    "value", ["Jana\nPetersen", "Jana\r\nBcc: x@example.org", "Tab\there", "Evil\u202egro.example"]
)
def test_line_breaks_and_control_characters_are_refused(value):
    with pytest.raises(ValidationError):
        single_line(value)


def test_ordinary_names_pass_stripped():
    assert single_line("  Çağla Öztürk-Łukasiewicz  ") == "Çağla Öztürk-Łukasiewicz"
    assert single_line("محمد") == "محمد"


@pytest.mark.parametrize(
    ("cents", "german", "english"),
    [
        (4900, "49,00\u00a0€", "€49.00"),
        (49000, "490,00\u00a0€", "€490.00"),
        (123456789, "1.234.567,89\u00a0€", "€1,234,567.89"),
        (0, "0,00\u00a0€", "€0.00"),
        (-1250, "-12,50\u00a0€", "-€12.50"),
    ],
)
def test_amounts_are_formatted_per_language(cents, german, english):
    with translation.override("de"):
        assert format_money(cents) == german
    with translation.override("en"):
        assert format_money(cents) == english
