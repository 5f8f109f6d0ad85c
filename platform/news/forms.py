from django import forms
from django.utils.translation import gettext_lazy as _

from news.models import Post


class PostForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = ["body", "image"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}
        labels = {"body": _("What is new?"), "image": _("Image (optional)")}
