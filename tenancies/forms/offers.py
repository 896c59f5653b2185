"""Forms of the offer pages (views.offers): make an offer, record the
answer, withdraw. The rules are tenancies.services.offers'; the forms
check what a field can, and the views put a refused rule's message beside
the field it names."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.widgets import DateInput
from core.dates import DateBoundsMixin
from core.forms import VersionedFormMixin
from referrals.models import OfferDeclineReason


class OfferForm(DateBoundsMixin, forms.Form):
    # Planned events: at most two years ahead (core.dates).
    planned_dates = ("move_in_on", "answer_by")
    offered_on = forms.DateField(label=_("Offered on"), widget=DateInput)
    move_in_on = forms.DateField(
        label=_("Planned move-in"), widget=DateInput,
        help_text=_("The day the client can move in if they accept."),
    )
    answer_by = forms.DateField(label=_("Answer by"), widget=DateInput)
    note = forms.CharField(
        label=_("Note"), max_length=300, required=False,
        help_text=_("Do not write the address: the note is read beside the client's name."),
    )

    def clean(self):
        data = super().clean()
        offered, answer_by, move_in = data.get("offered_on"), data.get("answer_by"), data.get("move_in_on")
        if offered and answer_by and answer_by < offered:
            self.add_error("answer_by", _("The answer date cannot be before the offer date."))
        if offered and move_in and move_in < offered:
            self.add_error("move_in_on", _("The planned move-in cannot be before the offer date."))
        return data


ANSWER_CHOICES = [("accepted", _("Accepted: plan the move-in")), ("declined", _("Declined"))]


class AnswerForm(DateBoundsMixin, VersionedFormMixin, forms.Form):
    answer = forms.ChoiceField(label=_("Answer"), choices=ANSWER_CHOICES, widget=forms.RadioSelect)
    answered_on = forms.DateField(label=_("Answered on"), widget=DateInput)
    decline_reason = forms.ChoiceField(
        label=_("Reason for declining"), required=False,
        choices=[("", _("Choose the reason (when declined)"))] + OfferDeclineReason.choices,
        help_text=_("Goes to the IVO report's offers log."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("answer") == "declined" and not data.get("decline_reason"):
            self.add_error("decline_reason", _("Choose why the offer was declined."))
        return data

    @property
    def accepted(self) -> bool:
        return self.cleaned_data.get("answer") == "accepted"


class WithdrawForm(VersionedFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why the offer is withdrawn"), max_length=250,
        help_text=_("Kept in the IVO offers log with the offer."),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Write why the offer is withdrawn."), code="required")
        return reason
