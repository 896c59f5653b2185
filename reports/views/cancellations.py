"""The cancellations page: visits planned, done and cancelled per month, the
cancellation reasons, and young adults (18–25) apart from the rest, as
tables and as bar charts. Aggregates of the user's unit only; no personal
data, so nothing is written to the access log.

The URL stays under /bolots/ (the bolotsar's menu) while the view lives in
reports: its figures are the KPI engine's (reports.services.cancellations)."""

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.dates import MONTHS, MONTHS_3
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import permission_required
from bolots.models import CancelReason, VisitOutcome
from core.charts import bar_chart_svg
from core.formatting import number, percent

from ..kpis.cancellations import ALL, OTHERS, YOUNG_ADULTS
from ..running_year import counted_label
from ..services import cancellations as services


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in years]


def _years(unit_id, this_year):
    """From the year of the unit's first visit to this year, newest first."""
    first = services.first_year_with_visits(unit_id) or this_year
    return list(range(this_year, min(first, this_year) - 1, -1))


def _chart(stats, group, heading):
    figures = stats.monthly(group)
    total = stats.totals[group]
    description = _(
        "Visits per month %(year)s, %(group)s: %(planned)s planned, %(done)s done and %(cancelled)s "
        "cancelled (%(share)s). The same figures are in the table below the chart."
    ) % {
        "year": stats.year, "group": heading, "planned": number(total.planned), "done": number(total.done),
        "cancelled": number(total.cancelled), "share": percent(total.cancelled_share),
    }
    return bar_chart_svg(
        [str(MONTHS_3[month]) for month, _f in figures],
        {
            _("Visits done"): [f.done for _m, f in figures],
            _("Cancelled visits"): [f.cancelled for _m, f in figures],
        },
        title=_("Done and cancelled visits %(year)s: %(group)s") % {"year": stats.year, "group": heading},
        y_label=_("Number of visits"),
        description=description,
        chart_id=f"chart-{group}",
    )


@permission_required("bolots.view_visit_statistics")
def cancellations(request):
    unit_id = request.user.unit_id
    this_year = timezone.localdate().year
    years = _years(unit_id, this_year)
    form = YearForm(request.GET or None, years=years, initial={"year": this_year})
    year = form.cleaned_data["year"] if form.is_bound and form.is_valid() else this_year
    stats, counted_at = services.running_or_live_statistics(unit_id, year)
    headings = {
        YOUNG_ADULTS: _("young adults (18–25 years)"),
        OTHERS: _("other visits"),
    }
    groups = [
        {
            "key": group,
            "heading": heading,
            "months": [(MONTHS[month], figures) for month, figures in stats.monthly(group)],
            "total": stats.totals[group],
            "chart": _chart(stats, group, heading),
        }
        for group, heading in headings.items()
    ]
    summary = [
        (_("Young adults (18–25 years)"), stats.totals[YOUNG_ADULTS]),
        (_("Other visits"), stats.totals[OTHERS]),
        (_("All visits"), stats.totals[ALL]),
    ]
    return render(request, "reports/cancellations.html", {
        "form": form,
        "year": year,
        "groups": groups,
        "summary": summary,
        "cancel_outcomes": [VisitOutcome(value).label for value in VisitOutcome.cancellations()],
        "reasons": [label for _value, label in CancelReason.choices],
        "counted_at": counted_label(counted_at),
    })
