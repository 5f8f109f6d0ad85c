from django import forms
from django.utils.translation import gettext_lazy as _

from documents.models import Folder


class UploadForm(forms.Form):
    # Required is checked by the service (one message for the form and the API).
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("At most 50 MB."),
        widget=forms.ClearableFileInput(attrs={"required": True}),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the file name."),
    )
    folder = forms.ModelChoiceField(
        label=_("Folder"),
        queryset=Folder.objects.none(),
        required=False,
        empty_label=_("(top level)"),
    )

    def __init__(self, *args, folders=None, **kwargs):
        super().__init__(*args, **kwargs)
        if folders is not None:
            self.fields["folder"].queryset = folders


class VersionForm(forms.Form):
    file = forms.FileField(
        label=_("New version"),
        required=False,
        help_text=_("At most 50 MB."),
        widget=forms.ClearableFileInput(attrs={"required": True}),
    )


class FolderForm(forms.Form):
    name = forms.CharField(label=_("Folder name"), max_length=120)
