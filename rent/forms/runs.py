"""The run button's form: which month (services.runs.run_month)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rent.services.runs import parse_month


class RunForm(forms.Form):
    period = forms.CharField(label=_("Month the notices are for"), max_length=7,
                             help_text=_("Written YYYY-MM, for example 2026-12."))

    def clean_period(self):
        period = parse_month(self.cleaned_data["period"])
        if period is not None:
            return period
        raise forms.ValidationError(_("Give the month as YYYY-MM, for example 2026-12."))
