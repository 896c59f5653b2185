from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import VersionedFormMixin

from ..models import ReviewSettings, RiskRule
from ..reminders import review_permission_holders


def _reviewer_label(user) -> str:
    name = user.get_full_name() or user.username
    return f"{name} ({user.unit.name})" if user.unit_id else name


# A sample larger than this is no longer a sample a manager can review in a month.
MAX_SAMPLE = 500


class ReviewSettingsForm(VersionedFormMixin, forms.ModelForm):
    rules = forms.MultipleChoiceField(
        label=_("Risk rules in use"), choices=RiskRule.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every read that hits a rule in use is drawn for review."),
    )

    class Meta:
        model = ReviewSettings
        fields = ["rules", "sample_size", "workday_starts", "workday_ends", "many_clients_factor", "second_reviewer"]
        widgets = {
            "workday_starts": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "workday_ends": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sample_size"].widget.attrs.update(min=0, max=MAX_SAMPLE)
        self.fields["many_clients_factor"].widget.attrs.update(min="1.5", step="0.5")
        self.fields["sample_size"].error_messages["invalid"] = _("Write a whole number.")
        self.fields["many_clients_factor"].error_messages["invalid"] = _("Write a number, for example 3 or 2.5.")
        for name in ("workday_starts", "workday_ends"):
            self.fields[name].error_messages["invalid"] = _("Write a time as HH:MM, for example 07:30.")
        # Someone outside the unit who may review the log: a manager of the
        # unit already reviews its other managers' reads.
        reviewer = self.fields["second_reviewer"]
        reviewer.queryset = review_permission_holders().exclude(unit_id=self.instance.unit_id).select_related("unit")
        reviewer.label_from_instance = _reviewer_label
        reviewer.empty_label = _("None")
        reviewer.error_messages["invalid_choice"] = _(
            "Choose an active user of another unit who may review the log.")

    def clean_rules(self):
        # Stored in RiskRule order, so the page and the draw list them alike.
        chosen = set(self.cleaned_data["rules"])
        return [rule.value for rule in RiskRule if rule.value in chosen]

    def clean_sample_size(self):
        size = self.cleaned_data["sample_size"]
        if size is not None and size > MAX_SAMPLE:
            raise forms.ValidationError(
                _("At most %(max)s reads can be drawn at random."), code="max_value", params={"max": MAX_SAMPLE}
            )
        return size

    def clean_many_clients_factor(self):
        factor = self.cleaned_data["many_clients_factor"]
        if factor is not None and factor < 1.5:
            raise forms.ValidationError(
                _("Use at least 1.5: a smaller factor flags ordinary months."), code="min_value"
            )
        return factor

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("workday_starts"), cleaned.get("workday_ends")
        if starts and ends and ends <= starts:
            self.add_error("workday_ends", _("The working day must end after it starts."))
        return cleaned
