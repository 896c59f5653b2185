"""A charge other than rent on a tenancy (services.charges)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import DateBoundsMixin
from referrals.forms.notices import KronorField
from rent.models import ChargeKind


class ChargeForm(DateBoundsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of charge"), choices=ChargeKind.choices)
    text = forms.CharField(label=_("Text on the notice"), max_length=200)
    amount = KronorField(label=_("Amount"), help_text=_("In kronor, for example 1 250 or 1 250,50."))
    charged_on = forms.DateField(label=_("Date of the charge"), widget=forms.DateInput(attrs={"type": "date"}))
    invoice_now = forms.BooleanField(
        label=_("Send an invoice of its own now"), required=False,
        help_text=_("For a tenant who has moved out. Otherwise the charge goes on the next rent notice."),
    )

    def clean_amount(self):
        value = self.cleaned_data["amount"]
        if value is not None and value <= 0:
            raise forms.ValidationError(_("The amount must be more than 0 kr."))
        return value
