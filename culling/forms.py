import re

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import VersionedFormMixin

from .models import CullingRules
from .registry import kind_choices


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the list is rejected"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the list's history. Do not name a person."),
        error_messages={"required": _("Write why the list is rejected.")},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Write why the list is rejected."))
        return reason


class RulesForm(VersionedFormMixin, forms.ModelForm):
    """The culling rules; research days typed as "5, 15, 25"."""

    research_days = forms.CharField(
        label=_("Research days"), max_length=100, required=False,
        help_text=_("Days of the month, separated by commas. Files of people born on these days are kept."),
    )
    exempt_kinds = forms.MultipleChoiceField(
        label=_("Record kinds never culled"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("A person with a record of a ticked kind is kept whole."),
    )

    class Meta:
        model = CullingRules
        fields = ["years"]
        labels = {"years": _("Years after the last entry")}
        error_messages = {"years": {"min_value": _("Enter a number of years from 1 to 50."),
                                    "max_value": _("Enter a number of years from 1 to 50.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["years"].widget.attrs.update(min=1, max=50)
        self.fields["exempt_kinds"].choices = kind_choices()
        if not self.is_bound:
            self.initial["research_days"] = ", ".join(str(day) for day in sorted(self.instance.research_days))
            self.initial["exempt_kinds"] = list(self.instance.exempt_kinds)

    def clean_years(self):
        years = self.cleaned_data["years"]
        if years is None or not 1 <= years <= 50:
            raise forms.ValidationError(_("Enter a number of years from 1 to 50."))
        return years

    def clean_research_days(self):
        text = self.cleaned_data["research_days"].strip()
        if not text:
            return []
        parts = [part for part in re.split(r"[\s,;]+", text) if part]
        if not all(part.isdigit() and 1 <= int(part) <= 31 for part in parts):
            raise forms.ValidationError(_("Enter days of the month from 1 to 31, separated by commas."))
        return sorted({int(part) for part in parts})

    def save(self, commit=True):
        rules = super().save(commit=False)
        rules.research_days = self.cleaned_data["research_days"]
        rules.exempt_kinds = sorted(self.cleaned_data["exempt_kinds"])
        if commit:
            rules.save()
        return rules
