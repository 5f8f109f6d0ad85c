"""The delivery settings form: the default and one choice per configurable kind."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.event_types import EventType
from notifications.models import Delivery
from notifications.selectors import CONFIGURABLE_TYPES, SettingsView


def field_name(event_type: str) -> str:
    return "type_" + event_type.replace(".", "_")


class SettingsForm(forms.Form):
    default = forms.ChoiceField(
        label=_("Usually"),
        choices=Delivery.choices,
        help_text=_("How notifications reach you unless you choose otherwise below."),
    )

    def __init__(self, *args, current: SettingsView, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default"].initial = current.default
        for event_type in CONFIGURABLE_TYPES:
            self.fields[field_name(event_type)] = forms.ChoiceField(
                label=EventType(event_type).label,
                choices=[("", _("as usual")), *Delivery.choices],
                required=False,
                initial=current.overrides.get(str(event_type), ""),
            )

    def type_fields(self):
        return [self[field_name(event_type)] for event_type in CONFIGURABLE_TYPES]

    def overrides(self) -> dict[str, str]:
        return {
            str(event_type): self.cleaned_data.get(field_name(event_type)) or ""
            for event_type in CONFIGURABLE_TYPES
        }
