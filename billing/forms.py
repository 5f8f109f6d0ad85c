"""Forms of the order flow and the billing page. They parse input; rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import Interval


class OrderForm(forms.Form):
    organisation = forms.CharField(label=_("Organisation"), max_length=120)
    contact_name = forms.CharField(label=_("Contact person"), max_length=120)
    contact_email = forms.EmailField(label=_("Contact e-mail (becomes the first admin)"))
    subdomain = forms.CharField(
        label=_("Address"),
        max_length=40,
        # Rendered as HTML (Django's help_text), so no angle brackets in it.
        help_text=_("Your portal's address: your-name.%(domain)s – small letters, digits, hyphens"),
    )
    plan = forms.ChoiceField(label=_("Plan"), widget=forms.RadioSelect)
    interval = forms.ChoiceField(
        label=_("Payment"),
        choices=Interval.choices,
        initial=Interval.MONTH,
        widget=forms.RadioSelect,
    )
    street = forms.CharField(label=_("Street and number"), max_length=120)
    postal_code = forms.CharField(label=_("Postal code"), max_length=12)
    city = forms.CharField(label=_("City"), max_length=80)
    country = forms.CharField(label=_("Country (two letters)"), max_length=2, initial="DE")
    vat_id = forms.CharField(label=_("VAT ID (optional)"), max_length=20, required=False)
    accept_terms = forms.BooleanField(
        label=_("I accept the terms of use and the data processing agreement."), required=False
    )

    def __init__(self, *args, plans=(), domain="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [(p.key, p.display_name) for p in plans]
        self.fields["subdomain"].help_text = self.fields["subdomain"].help_text % {"domain": domain}


class BillingEmailForm(forms.Form):
    billing_email = forms.EmailField(label=_("Billing e-mail"))
