"""Plans, grants and the switch history in the operator console."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _

from features.catalogue import FEATURES
from features.limits import limit_warnings
from features.models import FeatureGrant, Plan


class PlanForm(forms.ModelForm):
    features = forms.MultipleChoiceField(
        choices=[(k, f"{f.name} ({k})") for k, f in FEATURES.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Plan
        fields = [
            "key",
            "name",
            "description",
            "monthly_price_cents",
            "yearly_price_cents",
            "features",
            "max_members",
            "storage_mb",
            "max_spaces",
            "position",
        ]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    form = PlanForm
    list_display = [
        "name",
        "key",
        "monthly_price_cents",
        "yearly_price_cents",
        "max_members",
        "storage_mb",
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for portal in obj.portals.all():
            for warning in limit_warnings(portal):
                self.message_user(request, f"{portal.name}: {warning}", messages.WARNING)

    def get_readonly_fields(self, request, obj=None):
        # Portals reference plans by key; renaming it would orphan them.
        return ["key"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False


class FeatureGrantForm(forms.ModelForm):
    class Meta:
        model = FeatureGrant
        fields = ["feature", "expires_at", "note"]

    def clean_expires_at(self):
        from django.utils import timezone

        value = self.cleaned_data["expires_at"]
        if value <= timezone.now() and "expires_at" in self.changed_data:
            raise forms.ValidationError(_("A grant needs an expiry date in the future."))
        return value


class FeatureGrantInline(admin.TabularInline):
    model = FeatureGrant
    form = FeatureGrantForm
    extra = 0
    fields = ["feature", "expires_at", "note", "granted_by"]
    readonly_fields = ["granted_by"]
