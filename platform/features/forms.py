from django import forms

from features.catalogue import built


class SwitchForm(forms.Form):
    feature = forms.ChoiceField(choices=[(k, f.name) for k, f in built().items()])
    enabled = forms.TypedChoiceField(choices=[("1", "on"), ("0", "off")], coerce=lambda v: v == "1")
