"""The repayment plan's form: amounts typed in kronor (stored in öre),
months typed as YYYY-MM (stored as the month's first day)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import DateBoundsMixin
from core.forms import VersionedFormMixin
from referrals.forms.notices import KronorField
from rent.models import PlanStatus, RepaymentPlan


class MonthField(forms.DateField):
    """A month, typed or picked as YYYY-MM; cleaned to its first day."""

    widget = forms.DateInput(format="%Y-%m", attrs={"type": "month", "placeholder": "ÅÅÅÅ-MM"})
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


class RepaymentPlanForm(DateBoundsMixin, VersionedFormMixin, forms.ModelForm):
    debt = KronorField(label=_("Debt covered by the plan (kr)"))
    monthly_amount = KronorField(label=_("Amount per month (kr)"),
                                 help_text=_("Charged on each month's rent notice, on top of the rent."))
    start_month = MonthField(label=_("First month"), help_text=_("For example 2027-03."))
    end_month = MonthField(label=_("Last month"))

    class Meta:
        model = RepaymentPlan
        fields = ["debt", "monthly_amount", "start_month", "end_month", "debt_adviser", "status", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            del self.fields["status"]
        self.fields["debt_adviser"].help_text = _("The budget and debt adviser involved, if any.")

    def clean_monthly_amount(self):
        amount = self.cleaned_data.get("monthly_amount")
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("The amount per month must be more than 0 kr."), code="min_value")
        return amount

    def clean(self):
        data = super().clean()
        first, last = data.get("start_month"), data.get("end_month")
        if first and last and last < first:
            self.add_error("end_month", _("The last month cannot be before the first month."))
        return data


__all__ = ["MonthField", "PlanStatus", "RepaymentPlanForm"]
