"""Forms of the housing search: the search record, the monthly check, queue
registrations and applications. Edit forms carry the fingerprint of the
values they were opened with (see bolots.services.search)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import DateBoundsMixin
from referrals.forms.decisions import PastDateField

from ..models import HousingApplication, HousingSearchProfile, QueueRegistration


class FingerprintMixin(forms.Form):
    # The stored values the user opened the form with; see services.search.fingerprint.
    loaded = forms.CharField(widget=forms.HiddenInput, required=False)


class ProfileForm(FingerprintMixin, forms.ModelForm):
    class Meta:
        model = HousingSearchProfile
        fields = ["nationwide", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "nationwide": _("Searches for housing in other municipalities too, not only here."),
            "notes": _("What the client searches for and what has been agreed. No details about other people."),
        }


class CheckForm(DateBoundsMixin, forms.Form):
    checked_on = PastDateField(label=_("Checked on"))


class QueueRegistrationForm(DateBoundsMixin, FingerprintMixin, forms.ModelForm):
    registered_since = PastDateField(label=_("Registered since"))
    ended_on = PastDateField(
        label=_("Left the queue"), required=False, help_text=_("Leave empty while the client is in the queue.")
    )

    class Meta:
        model = QueueRegistration
        fields = ["queue", "registered_since", "ended_on"]
        help_texts = {"queue": _("E.g. the municipal housing queue or a housing company's queue.")}

    def clean(self):
        data = super().clean()
        since, ended = data.get("registered_since"), data.get("ended_on")
        if since and ended and ended < since:
            self.add_error("ended_on", _("The date cannot be before the registration date."))
        return data


class ApplicationForm(DateBoundsMixin, FingerprintMixin, forms.ModelForm):
    applied_on = PastDateField(label=_("Applied on"))

    class Meta:
        model = HousingApplication
        fields = ["applied_on", "where", "result"]
