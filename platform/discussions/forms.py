from django import forms
from django.utils.translation import gettext_lazy as _

from discussions.models import Thread


class ThreadForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=Thread._meta.get_field("title").max_length)
    body = forms.CharField(
        label=_("Text"),
        max_length=Thread._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Light formatting: **bold**, *italic*, lists, links. Mention someone with "
            "@NameWithoutSpaces."
        ),
    )
