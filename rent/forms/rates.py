"""Forms for a tenancy's rent from a date (services.rates.set_rate) and the
yearly increase for a kind of apartment (services.rates.apply_increase)."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from core.dates import DateBoundsMixin
from referrals.forms.notices import KronorField
from tenancies.models import ApartmentKind


class RateForm(DateBoundsMixin, forms.Form):
    valid_from = forms.DateField(label=_("New rent from"), widget=forms.DateInput(attrs={"type": "date"}))
    monthly_rent = KronorField(label=_("Monthly rent"),
                               help_text=_("In kronor per month, for example 6 500 or 6 500,50."))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean_monthly_rent(self):
        value = self.cleaned_data["monthly_rent"]
        if value is not None and value <= 0:
            raise forms.ValidationError(_("The amount must be more than 0 kr."))
        return value


class IncreaseForm(DateBoundsMixin, forms.Form):
    apartment_kind = forms.ChoiceField(
        label=_("Kind of apartment"), required=False,
        choices=[("", _("Every kind"))] + list(ApartmentKind.choices),
    )
    valid_from = forms.DateField(label=_("New rent from"), widget=forms.DateInput(attrs={"type": "date"}))
    percent = forms.DecimalField(
        label=_("Increase in per cent"), required=False, max_digits=5, decimal_places=2, localize=True,
        validators=[MinValueValidator(Decimal("-50")), MaxValueValidator(Decimal("100"))],
        help_text=_("The new rent is rounded to whole kronor."),
    )
    amount = KronorField(label=_("Or an increase per month in kronor"), required=False)

    def clean(self):
        cleaned = super().clean()
        percent, amount = cleaned.get("percent"), cleaned.get("amount")
        if "percent" in self.errors or "amount" in self.errors:
            return cleaned
        if (percent is None) == (amount is None):
            self.add_error("percent", _("Give either a percentage or an amount, not both."))
        return cleaned
