"""What every module's views do with a service's refusal and with loose query parameters.

A service raises ValidationError per field (`error_dict`) or as a list; `add_service_errors`
puts each message on the form field it names (else on the form), so the page shows it next to
what was typed. `flash_service_errors` is for actions without a form (a button). `int_or_none`
reads an id from a query string: anything that is not a positive whole number is None, never
an error, so a shared link with a stale filter still opens.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError


def add_service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def flash_service_errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def int_or_none(value) -> int | None:
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def coordinate_field(label, help_text="") -> forms.CharField:
    """A latitude or longitude as typed: text with a decimal keyboard, judged by the service
    (core.geo.clean_coordinates), so a comma or a range error gets its reason."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=20,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
