"""The corrections of a notice: a credit note (the housing administrator)
and a write-off (the manager). Amounts are typed in kronor; the rule "never
more than is open" is services.ledger's, put beside the amount field."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.widgets import DateInput
from core.dates import DateBoundsMixin
from tenancies.forms.tenancies import KronorField, ore_from_kronor


class CorrectionForm(DateBoundsMixin, forms.Form):
    amount = KronorField(label=_("Amount (kr)"), help_text=_("In kronor, for example 1 500 or 1 500,50."))
    on = forms.DateField(label=_("Date"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is None or amount <= 0:
            raise forms.ValidationError(_("Write an amount greater than 0."))
        return amount

    def amount_in_ore(self) -> int:
        return ore_from_kronor(self.cleaned_data["amount"])


class CreditNoteForm(CorrectionForm):
    pass


class WriteOffForm(CorrectionForm):
    pass
