"""Forms of the members admin. They parse input only; the rules are in members.services."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import MemberStatus, RegistrationPolicy, Role
from members.invitees import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH
from members.models import InvitationStatus
from members.selectors import LastSeen
from members.services import REASON_MAX_LENGTH


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class MemberFilterForm(forms.Form):
    """The filters above the members list (GET). An invalid field is reported and ignored."""

    q = forms.CharField(label=_("Name or e-mail address"), required=False, max_length=200)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("any role")), *Role.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("any status")), *MemberStatus.choices]
    )
    joined_after = forms.DateField(label=_("Joined on or after"), required=False, widget=DateInput)
    joined_before = forms.DateField(
        label=_("Joined on or before"), required=False, widget=DateInput
    )
    last_seen = forms.ChoiceField(
        label=_("Last seen"),
        required=False,
        choices=[
            ("", _("any time")),
            (LastSeen.NEVER, _("never")),
            (LastSeen.RECENT, _("within the last 30 days")),
            (LastSeen.EARLIER, _("more than 30 days ago")),
        ],
    )

    def filters(self) -> dict:
        """The valid filters, as keyword arguments of members_filtered."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "query": data.get("q") or "",
            "role": data.get("role") or "",
            "status": data.get("status") or "",
            "joined_after": data.get("joined_after"),
            "joined_before": data.get("joined_before"),
            "last_seen": data.get("last_seen") or "",
        }


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class BlockForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (for the audit log, optional)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MembershipPolicyForm(forms.Form):
    registration = forms.ChoiceField(
        label=_("Who may register"), choices=RegistrationPolicy.choices, widget=forms.RadioSelect
    )
    allowed_domains = forms.CharField(
        label=_("Allowed e-mail domains"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, e.g. example.org. Needed for “only certain e-mail domains”."),
    )
    members_only = forms.BooleanField(
        label=_("Members only: visitors see only the start page and the legal pages"),
        required=False,
    )
    admin_mfa_required = forms.BooleanField(
        label=_("Administrators must use two-factor login"), required=False
    )

    @classmethod
    def for_policy(cls, policy, data=None):
        return cls(
            data,
            initial={
                "registration": policy.registration,
                "allowed_domains": "\n".join(policy.allowed_domains),
                "members_only": policy.members_only,
                "admin_mfa_required": policy.admin_mfa_required,
            },
        )


class InvitationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("all invitations")), *InvitationStatus.choices],
    )

    def status_value(self) -> str:
        return self.cleaned_data.get("status", "") if self.is_valid() else ""


class InvitationForm(forms.Form):
    """One invitation. The address and name are checked by members.services.invitation_create."""

    email = forms.CharField(
        label=_("E-mail address"),
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    display_name = forms.CharField(
        label=_("Name (optional)"), required=False, max_length=NAME_MAX_LENGTH, strip=False
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)


class InvitationUploadForm(forms.Form):
    # The columns and limits are explained on the page.
    file = forms.FileField(
        label=_("CSV file"), widget=forms.FileInput(attrs={"accept": ".csv,text/csv"})
    )


class InvitationConfirmForm(forms.Form):
    payload = forms.CharField(widget=forms.HiddenInput)


class InvitationAcceptForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name"),
        required=False,
        max_length=NAME_MAX_LENGTH,
        strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        help_text=lazy(password_validators_help_text_html, str)(),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data
