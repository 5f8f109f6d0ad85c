"""Forms of the ideas pages: they parse input; the rules are in ideas.services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import coordinate_field
from ideas.models import IdeaStatus


class IdeaForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Light formatting: **bold**, *italic*, lists and links."),
    )
    topic = forms.TypedChoiceField(
        label=_("Topic (optional)"), required=False, coerce=int, empty_value=None
    )
    place = forms.CharField(label=_("District or place (optional)"), required=False, max_length=120)
    latitude = coordinate_field(_("Latitude (optional)"))
    longitude = coordinate_field(_("Longitude (optional)"))
    on_behalf_of = forms.TypedChoiceField(
        label=_("Post as"), required=False, coerce=int, empty_value=None
    )
    image = forms.FileField(
        label=_("Image (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, topics=(), spaces=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", _("no topic"))] + [(t.pk, t.name) for t in topics]
        spaces = list(spaces)
        if spaces:
            self.fields["on_behalf_of"].choices = [("", _("myself"))] + [
                (s.pk, s.name) for s in spaces
            ]
            self.fields["on_behalf_of"].help_text = _(
                "Post on behalf of a space you are a member of; the idea is then shown as the "
                "space's."
            )
        else:
            del self.fields["on_behalf_of"]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "topic_id": data["topic"],
            "place": data["place"],
            "latitude": data["latitude"] or None,
            "longitude": data["longitude"] or None,
            "on_behalf_of_id": data.get("on_behalf_of"),
            "image": data.get("image") or None,
        }


class IdeaEditForm(IdeaForm):
    remove_image = forms.BooleanField(label=_("Remove the image"), required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(
        label=_("Reason (shown on the timeline)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(IdeaStatus.choices)
        self.fields["status"].choices = [(s, str(labels[s]).capitalize()) for s in statuses]
