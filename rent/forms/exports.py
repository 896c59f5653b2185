"""The export to the finance system: which month, which format."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from rent.models import ExportFormat, FinanceExport
from rent.services import periods

# With nothing exported yet, the unit may start from one of this many ended months.
FIRST_CHOICES = 12


def exportable_months(unit: Unit, today: date) -> list[date]:
    """The months that may be exported now, newest first: the first month
    after the last exported one (once it has ended), then the locked months
    (again). With nothing exported: the last FIRST_CHOICES ended months."""
    this_month = periods.month_of(today)
    last = periods.last_locked_month(unit.pk)
    if last is None:
        return [this_month - relativedelta(months=n) for n in range(1, FIRST_CHOICES + 1)]
    months = [last + relativedelta(months=1)] if last + relativedelta(months=1) < this_month else []
    exported = FinanceExport.objects.filter(unit=unit).order_by("-month").values_list("month", flat=True).distinct()
    return months + sorted(set(exported), reverse=True)


class FinanceExportForm(forms.Form):
    month = forms.TypedChoiceField(
        label=_("Month"), coerce=date.fromisoformat,
        error_messages={"invalid_choice": _("Choose a month from the list: months are exported in order, "
                                            "once they have ended.")},
    )
    format = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices, initial=ExportFormat.SIE,
                               widget=forms.RadioSelect)

    def __init__(self, *args, unit: Unit, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        locked = periods.last_locked_month(unit.pk)
        self.fields["month"].choices = [
            (month.isoformat(), formats.date_format(month, "F Y").capitalize()
             + (" " + str(_("(exported: again)")) if locked is not None and month <= locked else ""))
            for month in exportable_months(unit, today)
        ]
