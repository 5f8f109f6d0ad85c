"""Forms of the spaces pages: they parse input; the rules are in spaces.services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import coordinate_field
from spaces.models import JoinPolicy, ProjectStatus, SpaceKind, SpaceVisibility


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class SpaceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=SpaceKind.choices,
        widget=forms.RadioSelect,
        initial=SpaceKind.GROUP,
        help_text=_("A group is a standing circle; a project has a goal and dates."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Light formatting: **bold**, *italic*, lists and links."),
    )
    place = forms.CharField(label=_("District or place (optional)"), required=False, max_length=120)
    latitude = coordinate_field(_("Latitude (optional)"))
    longitude = coordinate_field(
        _("Longitude (optional)"),
        help_text=_("Where the space meets or works: it then shows on the portal's map."),
    )
    # Every value is accepted here and judged by the service, so that a refused choice gets
    # its reason rather than "not a valid choice"; the widget offers only what is allowed.
    visibility = forms.ChoiceField(
        label=_("Who can see it"), choices=SpaceVisibility.choices, widget=forms.RadioSelect,
        initial=SpaceVisibility.MEMBERS,
    )  # fmt: skip
    join_policy = forms.ChoiceField(
        label=_("Who can join"), choices=JoinPolicy.choices, widget=forms.RadioSelect,
        initial=JoinPolicy.OPEN,
    )  # fmt: skip
    topics = forms.TypedMultipleChoiceField(
        label=_("Topics"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    goal = forms.CharField(
        label=_("Goal (projects)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    status = forms.ChoiceField(
        label=_("Status (projects)"),
        required=False,
        choices=ProjectStatus.choices,
        initial=ProjectStatus.PLANNED,
    )
    starts_on = forms.DateField(label=_("Start (projects)"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_("End (projects)"), required=False, widget=DateInput())
    image = forms.FileField(
        label=_("Image (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, topics=(), private_allowed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = [(t.pk, t.name) for t in topics]
        if not private_allowed:
            self.fields["visibility"].widget.choices = [
                c for c in SpaceVisibility.choices if c[0] != SpaceVisibility.PRIVATE
            ]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "kind": data["kind"],
            "description": data["description"],
            "place": data["place"],
            "latitude": data["latitude"] or None,
            "longitude": data["longitude"] or None,
            "visibility": data["visibility"],
            "join_policy": data["join_policy"],
            "goal": data["goal"],
            "status": data["status"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "topic_ids": list(data["topics"]),
            "image": data.get("image") or None,
        }


class SpaceEditForm(SpaceForm):
    remove_image = forms.BooleanField(label=_("Remove the image"), required=False)


class JoinForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the space's admins (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InviteForm(forms.Form):
    invitee = forms.CharField(
        label=_("E-mail address or name of a member"),
        max_length=254,
        widget=forms.TextInput(attrs={"list": "invitable-members", "autocomplete": "off"}),
    )


class TransferForm(forms.Form):
    to = forms.TypedChoiceField(label=_("New space admin"), coerce=int)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(m.user.pk, str(m.user)) for m in members]
