from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.services import email_normalise
from core.text import single_line


class SignupForm(AllauthSignupForm):
    """allauth's sign-up with the name other members see."""

    display_name = forms.CharField(
        label=_("Your name (shown to other members)"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    field_order = ["display_name", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and self.data.get("email"):
            # ＫＩＭ@example.org and kim@example.org are one address: normalise before the
            # field's own validation sees it.
            self.data = self.data.copy()
            self.data["email"] = email_normalise(self.data["email"])

    def clean_email(self):
        from django.core.exceptions import ValidationError

        from accounts.services import registration_check

        # Our rules first: their message for a taken address is the clearer one.
        try:
            registration_check(email=self.cleaned_data.get("email", ""))
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return super().clean_email()

    def save(self, request):
        """The account is made by our service (registration policy, member limit, audit log);
        allauth then records its address for verification."""
        from allauth.account.utils import setup_user_email

        from accounts.services import user_register

        user = user_register(
            email=self.cleaned_data["email"],
            password=self.cleaned_data["password1"],
            display_name=self.cleaned_data.get("display_name", ""),
            language=getattr(request, "LANGUAGE_CODE", "") or "",
        )
        setup_user_email(request, user, [])
        return user

    def clean_display_name(self):
        return single_line(self.cleaned_data.get("display_name", ""))
