"""Occupancy of the stock per apartment (docs/housing-chain.md "Occupancy of
the stock"): for the manager's unit and a year, each apartment in the
programme with its days in the programme, occupied and empty, and its
occupancy rate. The unit's figures, the months and the apartments empty for
over 60 days are on the dashboard (reports.kpis.occupancy.section).

Per apartment, as for the unit: the days per month and for the year,
move-ins and turnover, the vacancies ended and their average length, and
the days empty so far on the last day counted (over 60 marked).

No client is named or loaded: the page is about apartments, so it writes
no access-log row. Where a tenant with protected personal data lived during
the year (or moved out just before a vacancy counted), the row's occupied
and empty days, months, move-ins and vacancies are that tenant's move dates
in another form (referrals.protection: an apartment is never shown with a
protected tenant's tenancy dates): a user without the permission sees the
object number, kind and days in the programme only; the unit's totals
still include the row. Four queries for the figures and the unit, whatever
the number of apartments.
"""

from django.shortcuts import render
from django.utils import timezone

from accounts.access import permission_required
from referrals import protection

from ..forms import YearForm
from ..kpis import occupancy
from ..kpis.common import one_decimal, share
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
    # The unit's months and year: the sums of the rows (the dashboard's
    # figures, reports.kpis.occupancy.section, add up the same way).
    months = tuple(
        occupancy.MonthRow(month, sum(row.months[month - 1].programme_days for row in rows),
                           sum(row.months[month - 1].occupied_days for row in rows))
        for month in occupancy.MONTHS
    )
    totals = occupancy.MonthRow(None, sum(m.programme_days for m in months), sum(m.occupied_days for m in months))
    move_ins = sum(row.move_ins for row in rows)
    ended = sum(row.vacancies_ended for row in rows)
    unit_figures = {
        "move_ins": move_ins,
        "turnover": share(move_ins * rows[0].period_days, totals.programme_days) if rows else None,
        "vacancies_ended": ended,
        "vacancy_length": one_decimal(sum(row.vacancy_days for row in rows) / ended) if ended else None,
        "empty_now": sum(row.empty_now_days is not None for row in rows),
        "empty_over_60": sum(row.empty_over_60 for row in rows),
    }
    return render(request, "reports/occupancy.html", {
        "unit": unit,
        "year": year,
        "form": form,
        "rows": rows,
        "totals": totals,
        "months": months,
        "unit_figures": unit_figures,
        # The months of the period (January up to the reference day's
        # month): no columns for the months of a running year still to come.
        "month_count": sum(1 for month in occupancy.MONTHS if occupancy.month_range(year, month)),
        "until": until,
        "preliminary": preliminary_label(until) if until else "",
        "sees_protected": protection.sees_every_tenant(request.user),
    })
