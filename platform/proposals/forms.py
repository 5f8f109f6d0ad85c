"""Forms of the proposal pages: they parse input; the rules are in proposals.services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from proposals.models import BodyKind, Decision, ProposalStatus


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Text of the proposal"),
        max_length=30_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "What the council is asked to decide, and why. Light formatting: **bold**, "
            "*italic*, headings with #, lists."
        ),
    )
    recipient = forms.TypedChoiceField(label=_("To"), required=False, coerce=int, empty_value=None)
    topic = forms.TypedChoiceField(
        label=_("Topic (optional)"), required=False, coerce=int, empty_value=None
    )
    place = forms.CharField(label=_("District or place (optional)"), required=False, max_length=120)
    note = forms.CharField(
        label=_("What changed (optional)"),
        required=False,
        max_length=300,
        help_text=_("Shown in the list of versions."),
    )

    def __init__(self, *args, bodies=(), topics=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = [("", _("not chosen yet"))] + [
            (b.pk, f"{b.name} ({b.get_kind_display()})") for b in bodies
        ]
        self.fields["topic"].choices = [("", _("no topic"))] + [(t.pk, t.name) for t in topics]
        if not editing:
            del self.fields["note"]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            "title": data["title"],
            "text": data["text"],
            "recipient_id": data["recipient"],
            "topic_id": data["topic"],
            "place": data["place"],
        }
        if "note" in self.fields:
            fields["note"] = data["note"]
        return fields


class StepForm(forms.Form):
    status = forms.ChoiceField(label=_("What happened"))
    meeting = forms.TypedChoiceField(
        label=_("Meeting"), required=False, coerce=int, empty_value=None
    )
    decision = forms.ChoiceField(label=_("Decision"), required=False)
    note = forms.CharField(
        label=_("The council's answer or a note (shown on the timeline)"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    attachment = forms.FileField(
        label=_("The council's answer as PDF (optional)"),
        required=False,
        help_text=_("At most 10 MB."),
        widget=forms.FileInput(attrs={"accept": "application/pdf"}),
    )

    def __init__(self, *args, statuses=(), meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(ProposalStatus.choices)
        self.fields["status"].choices = [(s, str(labels[s]).capitalize()) for s in statuses]
        meetings = list(meetings)
        if meetings:
            self.fields["meeting"].choices = [("", _("none of these"))] + [
                (m.pk, _meeting_label(m)) for m in meetings
            ]
            self.fields["meeting"].help_text = _("For “on the agenda”: the meeting it is on.")
        else:
            del self.fields["meeting"]
            self.fields["note"].help_text = _(
                "For “on the agenda”: name the meeting and its date here."
            )
        self.fields["decision"].choices = [("", "—")] + [
            (value, str(label).capitalize()) for value, label in Decision.choices
        ]
        self.fields["decision"].help_text = _("For “decided”.")


def _meeting_label(meeting) -> str:
    from django.utils import formats, timezone

    if meeting.starts_at is None:
        return meeting.name
    when = formats.date_format(timezone.localtime(meeting.starts_at), "SHORT_DATETIME_FORMAT")
    return f"{meeting.name} – {when}"


class ThresholdForm(forms.Form):
    cosigner_threshold = forms.IntegerField(
        label=_("Co-signatures a proposal needs"),
        min_value=0,
        max_value=500,
        help_text=_("A space can submit a proposal once this many members have co-signed it."),
    )


class BodyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=BodyKind.choices)
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_("Submitted proposals are sent here, with the letter as PDF."),
    )
    active = forms.BooleanField(label=_("Can receive proposals"), required=False, initial=True)


class OParlForm(forms.Form):
    url = forms.URLField(
        label=_("Address of the OParl system"),
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "The OParl 1.1 entry point of your council information system, for example "
            "https://ratsinfo.example.org/oparl/v1.1/system. Bodies, committees and their "
            "meetings are imported; nothing is deleted."
        ),
    )
