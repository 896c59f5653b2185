"""Forms of the vacancy pages: the list's filters and the ready-from date."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.widgets import DateInput
from core.dates import DateBoundsMixin
from core.forms import VersionedFormMixin

from ..models import ApartmentKind
from ..models.chain import Vacancy


class VacancyFilterForm(forms.Form):
    """The list filters. Plain GET parameters: none carries personal data."""

    typ = forms.ChoiceField(label=_("Kind of apartment"), required=False)
    omrade = forms.ChoiceField(label=_("Area"), required=False)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["typ"].choices = [("", _("All kinds"))] + list(ApartmentKind.choices)
        # The unit's areas by id (the ids are no personal data).
        self.fields["omrade"].choices = [("", _("All areas"))] + [(str(pk), name) for pk, name in areas]


class VacancyReadyForm(DateBoundsMixin, VersionedFormMixin, forms.ModelForm):
    """When the apartment can take a tenant, and what remains before that
    (a planned day: the two-year bound of core.dates)."""

    planned_dates = ("ready_from",)

    class Meta:
        model = Vacancy
        fields = ["ready_from", "ready_note"]
        widgets = {"ready_from": DateInput}

    field_order = ["version", "ready_from", "ready_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ready_from"].help_text = _(
            "When repairs, cleaning and the key return are done. Leave empty while it is not known."
        )
        self.fields["ready_note"].help_text = _("For example “Painting the kitchen, keys back on Friday”.")
