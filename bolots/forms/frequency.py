from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.widgets import DateInput
from core.dates import DateBoundsMixin

from .. import frequency
from ..models import FrequencyChange


class FrequencyChangeForm(DateBoundsMixin, forms.ModelForm):
    """A new look-in frequency from a date, with the reason. The rules of
    bolots/frequency.py are checked here too, so that a refusal is shown
    beside the field; the service checks them again before writing."""

    class Meta:
        model = FrequencyChange
        fields = ["interval", "changed_on", "reason"]
        labels = {"interval": _("New look-in frequency"), "changed_on": _("Takes effect on")}
        widgets = {
            "interval": forms.RadioSelect,
            "changed_on": DateInput,
            "reason": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"interval": _("Never less often than monthly.")}

    def __init__(self, *args, start=None, **kwargs):
        self.start = start
        super().__init__(*args, **kwargs)
        self.fields["interval"].choices = list(FrequencyChange._meta.get_field("interval").choices)

    def clean(self):
        cleaned = super().clean()
        interval, changed_on = cleaned.get("interval"), cleaned.get("changed_on")
        if interval and changed_on:
            try:
                frequency.check_change(self.start, changed_on, interval)
            except frequency.FrequencyRuleError as refusal:
                self.add_error("changed_on", str(refusal))
        return cleaned
