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


class ProfileForm(forms.Form):
    """Parses the profile page; accounts.profiles checks and saves."""

    display_name = forms.CharField(label=_("Name"), max_length=120, required=False)
    avatar = forms.FileField(label=_("Picture (PNG, JPEG or WebP)"), required=False)
    bio = forms.CharField(
        label=_("About me"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    place = forms.CharField(label=_("District or place"), max_length=120, required=False)
    topics = forms.MultipleChoiceField(
        label=_("Topics I care about"), required=False, widget=forms.CheckboxSelectMultiple
    )
    language = forms.ChoiceField(label=_("Language of pages and e-mails"), required=False)
    listed = forms.BooleanField(label=_("Show me in the member directory"), required=False)

    def __init__(self, *args, topics=(), languages=(), **kwargs):
        from accounts.models import Profile, Visibility

        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = [(str(t.pk), t.name) for t in topics]
        self.fields["language"].choices = [("", _("as the portal")), *languages]
        labels = {
            "avatar": _("Who sees the picture"),
            "bio": _("Who sees “About me”"),
            "place": _("Who sees the place"),
            "topics": _("Who sees the topics"),
        }
        for field in Profile.FIELDS:
            self.fields[f"visibility_{field}"] = forms.ChoiceField(
                label=labels[field], choices=Visibility.choices, initial=Visibility.MEMBERS
            )

    def visibility(self) -> dict[str, str]:
        from accounts.models import Profile

        return {f: self.cleaned_data[f"visibility_{f}"] for f in Profile.FIELDS}


class TopicsForm(forms.Form):
    names = forms.CharField(
        label=_("Topics, one a line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Members choose from these in their profile."),
    )
