from django import forms
from django.utils.translation import gettext_lazy as _

from comments.models import Comment

MAX_BODY = Comment._meta.get_field("body").max_length


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Light formatting: **bold**, *italic*, lists, links. Mention someone with "
            "@NameWithoutSpaces."
        ),
    )
