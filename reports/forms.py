"""Forms of the reports app: the dashboard's year and the enforcement
authority's figures (KPI 2)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import VersionedFormMixin

from .models import EnforcementFigures

FIRST_YEAR = 2000


class YearForm(forms.Form):
    """The dashboard's year selector (GET `ar`)."""

    ar = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ar"].choices = [(year, str(year)) for year in years]


class EnforcementFiguresForm(VersionedFormMixin, forms.ModelForm):
    """The figures the enforcement authority (Kronofogden) publishes for the
    municipality and year. `municipality` is the manager's; the year is
    fixed when the figures for it exist already."""


    class Meta:
        model = EnforcementFigures
        fields = ["year", "eviction_applications", "executed_evictions", "children_affected"]
        labels = {
            "year": _("Year"),
            "eviction_applications": _("Applications for eviction"),
            "executed_evictions": _("Executed evictions"),
            "children_affected": _("Children affected by executed evictions"),
        }
        help_texts = {
            "eviction_applications": _("Applications for eviction the enforcement authority received for the "
                                       "municipality during the year."),
            "executed_evictions": _("Evictions the enforcement authority carried out during the year."),
            "children_affected": _("Children in the households evicted, as the enforcement authority reports them."),
        }
        error_messages = {
            "eviction_applications": {"min_value": _("Enter a number, 0 or more.")},
            "executed_evictions": {"min_value": _("Enter a number, 0 or more.")},
            "children_affected": {"min_value": _("Enter a number, 0 or more.")},
        }
        widgets = {
            name: forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"})
            for name in ("eviction_applications", "executed_evictions", "children_affected")
        }

    def __init__(self, *args, municipality, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.instance.municipality = municipality
        self.today = today or timezone.localdate()
        # The range is checked in clean_year() with one message for both ends.
        self.fields["year"].validators = []
        self.fields["year"].widget = forms.NumberInput(attrs={"min": FIRST_YEAR, "max": self.today.year})
        self.fields["year"].help_text = _("The year the figures are for, %(first)s–%(last)s.") % {
            "first": FIRST_YEAR, "last": self.today.year,
        }
        if self.instance.pk:
            # Correcting the figures of a year never moves them to another.
            self.fields["year"].disabled = True

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year < FIRST_YEAR or year > self.today.year:
            raise forms.ValidationError(
                _("Enter a year from %(first)s to %(last)s."), code="year_range",
                params={"first": FIRST_YEAR, "last": self.today.year},
            )
        if not self.instance.pk:
            taken = EnforcementFigures.objects.filter(municipality=self.municipality, year=year).exists()
            if taken:
                raise forms.ValidationError(
                    _("The figures for %(year)s are already entered. Open that year in the list to correct them."),
                    code="duplicate", params={"year": year},
                )
        return year

    def clean(self):
        cleaned = super().clean()
        applications = cleaned.get("eviction_applications")
        executed = cleaned.get("executed_evictions")
        if applications is not None and executed is not None and executed > applications:
            # On the field, so that the model's check constraint (the same
            # rule, with a generic message) is not run as well.
            self.add_error(
                "executed_evictions",
                forms.ValidationError(
                    _("Executed evictions cannot be more than the applications for eviction (%(applications)s)."),
                    code="executed_above_applications", params={"applications": applications},
                ),
            )
        return cleaned
