"""Forms of the housing search: the search record, the monthly check, queue
registrations and applications. Edit forms carry the version they were
opened with (core.forms.VersionedFormMixin, bolots.services.search)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import DateBoundsMixin
from core.forms import VersionedFormMixin
from referrals.forms.decisions import PastDateField

from ..models import HousingApplication, HousingSearchProfile, QueueRegistration


class ProfileForm(VersionedFormMixin, forms.ModelForm):
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


class QueueRegistrationForm(DateBoundsMixin, VersionedFormMixin, forms.ModelForm):
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


class ApplicationForm(DateBoundsMixin, VersionedFormMixin, forms.ModelForm):
    applied_on = PastDateField(label=_("Applied on"))

    class Meta:
        model = HousingApplication
        fields = ["applied_on", "where", "result"]
