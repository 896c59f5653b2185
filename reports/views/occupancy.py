"""Occupancy of the stock per apartment (docs/housing-chain.md "Occupancy of
the stock"): for the manager's unit and a year, each apartment in the
programme with its days in the programme, occupied and empty, and its
occupancy rate. The unit's figures, the months and the apartments empty for
over 60 days are on the dashboard (reports.kpis.occupancy.section).

No client is named or loaded: the page is about apartments, so it writes
no access-log row. An apartment where a tenant with protected personal data
lived during the year is shown by its object number only, without the
address, unless the user may see protected whereabouts (referrals.protection).
Three queries for the figures and the unit, whatever the number of
apartments.
"""

from django.shortcuts import render
from django.utils import timezone

from accounts.access import permission_required
from referrals import protection

from ..forms import YearForm
from ..kpis import occupancy
from ..kpis.result import preliminary_label, preliminary_until
from .dashboard import available_years, check_year, unit_of


@permission_required("reports.view_kpi_dashboard")
def occupancy_page(request, year=None):
    unit = unit_of(request)
    today = timezone.localdate()
    years = available_years(unit, today)
    if year is None:
        form = YearForm(request.GET or None, years=years, initial={"ar": today.year})
        year = form.cleaned_data["ar"] if form.is_bound and form.is_valid() else today.year
    else:
        check_year(year, today)
        if year not in years:
            years = sorted({*years, year}, reverse=True)
        form = YearForm(years=years, initial={"ar": year})
    rows = occupancy.per_apartment(year, unit)
    until = preliminary_until(year, today)
    totals = occupancy.MonthRow(
        None, sum(row.programme_days for row in rows), sum(row.occupied_days for row in rows),
    )
    return render(request, "reports/occupancy.html", {
        "unit": unit,
        "year": year,
        "form": form,
        "rows": rows,
        "totals": totals,
        "until": until,
        "preliminary": preliminary_label(until) if until else "",
        "sees_protected": protection.sees_every_tenant(request.user),
    })
