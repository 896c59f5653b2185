"""Forms of the termination for arrears (services.terminations does the checks
that need the ledger; their messages go beside the field with
core.forms.add_rule_error)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.widgets import DateInput
from core.dates import DateBoundsMixin

from ..models import DeliveryMethod, LetterKind


class StartTerminationForm(DateBoundsMixin, forms.Form):
    decided_on = forms.DateField(
        label=_("Date of the termination"), widget=DateInput,
        help_text=_("The amount owed is what was unpaid on this day of the notices due before it."),
    )


class DeliveryForm(DateBoundsMixin, forms.Form):
    letter = forms.ChoiceField(label=_("Letter"), choices=LetterKind.choices)
    method = forms.ChoiceField(
        label=_("How"), choices=[(value, label) for value, label in DeliveryMethod.choices
                                 if value != DeliveryMethod.BY_HAND]
        + [(DeliveryMethod.BY_HAND, _("Handed over, scanned signed receipt"))],
    )
    delivered_on = forms.DateField(label=pgettext_lazy("rent termination", "Delivered on"), widget=DateInput)
    proof = forms.FileField(
        label=pgettext_lazy("rent termination", "Scanned receipt"), required=False,
        help_text=_("PDF, JPEG or PNG, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class SignDeliveryForm(DateBoundsMixin, forms.Form):
    letter = forms.ChoiceField(label=_("Letter"), choices=LetterKind.choices, initial=LetterKind.TERMINATION)
    delivered_on = forms.DateField(label=_("Handed over on"), widget=DateInput)
    confirm = forms.BooleanField(
        label=_("I handed the letter over to the tenant in person on this day."), required=True,
    )
