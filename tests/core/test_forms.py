"""core.forms: a service's refusal lands on the field it names, and loose ids read as None."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from core.forms import add_service_errors, int_or_none


class _Form(forms.Form):
    title = forms.CharField(required=False)


def test_field_errors_land_on_their_field_and_the_rest_on_the_form():
    form = _Form({"title": "x"})
    assert form.is_valid()
    add_service_errors(form, ValidationError({"title": ["Too short."], "nowhere": ["Odd."]}))
    assert form.errors["title"] == ["Too short."]
    assert form.non_field_errors() == ["Odd."]
    listed = _Form({"title": "x"})
    assert listed.is_valid()
    add_service_errors(listed, ValidationError(["One.", "Two."]))
    assert listed.non_field_errors() == ["One.", "Two."]


def test_ids_from_query_strings():
    assert int_or_none("12") == 12
    for loose in ("", None, "0", "-3", "abc", "1.5", []):
        assert int_or_none(loose) is None, loose
