"""Forms of the report page and of the moderators' decisions (input only; rules are in
moderation.services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from moderation.models import TEXT_MAX_LENGTH, Reason

ACTIONS = ("hide", "unhide", "warn", "block", "dismiss")


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why are you reporting this?"), choices=Reason.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("What is wrong (optional)"),
        help_text=_("Only the moderators read this."),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    type = forms.CharField(max_length=100)
    id = forms.IntegerField(min_value=1)
    note = forms.CharField(required=False, max_length=TEXT_MAX_LENGTH)
    warning = forms.CharField(required=False, max_length=TEXT_MAX_LENGTH)
