from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import DateBoundsMixin

from .flags import flag_choices
from .models import AccessAction


class LogFilterForm(DateBoundsMixin, forms.Form):
    user = forms.ModelChoiceField(
        # The choices are the reviewer's unit's users, set per request below;
        # no model is touched when the module is imported.
        label=_("User"), queryset=None, required=False,
        empty_label=_("All users"),
    )
    client = forms.CharField(
        label=_("Client"),
        required=False,
        max_length=100,
        help_text=_("Name or personal identity number (whole or partial)."),
    )
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All actions"))] + AccessAction.choices
    )
    flags = forms.MultipleChoiceField(
        # The choices are the flags the apps declare (audit.flags), set below.
        label=_("Only rows"), required=False, choices=[], widget=forms.CheckboxSelectMultiple,
    )
    date_from = forms.DateField(
        label=_("From date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
        self.fields["flags"].choices = flag_choices()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned
