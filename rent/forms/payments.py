"""Forms of the payment pages: the BgMax upload, matching a queued payment
to a tenancy, paying one back, and a payment registered by hand."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import DateBoundsMixin
from rent.models import PaymentSource
from rent.services.bgmax_import import MAX_FILE_BYTES
from tenancies.forms.tenancies import KronorField, ore_from_kronor


class BgMaxUploadForm(forms.Form):
    file = forms.FileField(
        label=_("BgMax file"),
        help_text=_("The file from Bankgirot (Bankgiro Inbetalningar, BgMax), as it came from the bank."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB."), params={"mb": MAX_FILE_BYTES // (1024 * 1024)}, code="size"
            )
        return upload


class MatchForm(forms.Form):
    tenancy = forms.TypedChoiceField(label=_("Tenancy"), coerce=int, choices=())

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenancy"].choices = [("", _("Choose a tenant"))] + list(choices)


class ReturnForm(forms.Form):
    note = forms.CharField(label=_("Why the payment is paid back"), max_length=300, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError(_("Write why the payment is paid back (a note is required)."))
        return note


class ManualPaymentForm(DateBoundsMixin, forms.Form):
    source = forms.ChoiceField(
        label=_("Paid by"),
        choices=[(PaymentSource.CASH.value, PaymentSource.CASH.label),
                 (PaymentSource.TRANSFER.value, PaymentSource.TRANSFER.label),
                 (PaymentSource.OTHER.value, PaymentSource.OTHER.label)],
    )
    paid_on = forms.DateField(label=_("Payment date"), widget=forms.DateInput(attrs={"type": "date"}))
    amount_kr = KronorField(label=_("Amount (kr)"))
    note = forms.CharField(
        label=_("Note"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How the payment was received, e.g. the receipt number. Required."),
    )

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError(_("The payment date cannot be in the future."))
        return paid_on

    def clean_amount_kr(self):
        amount = self.cleaned_data["amount_kr"]
        if amount is None or amount <= 0:
            raise forms.ValidationError(_("The amount must be more than 0 kr."))
        return amount

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError(_("Write how the payment was received (a note is required)."))
        return note

    def amount_in_ore(self) -> int:
        return ore_from_kronor(self.cleaned_data["amount_kr"])
