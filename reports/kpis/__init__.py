"""The KPI engine: every KPI of DOMAIN.md ("The KPIs") and the additional
figures for a year Y, with Y−1 beside them.

    compute_kpis(year, unit=None)        -> (KpiResult 1, ..., KpiResult 8)
    additional_figures(year, unit=None)  -> (FigureSection, ...)
    caseload_per_pilot(year, unit=None)  -> [(name, support, outreach, total)]

The one owner of every figure the dashboard, its charts, the exports, the
cancellations page and the yearly PDF show; those only format. Besides the
above: visits.monthly_counts (visit measures per month; cancellations.py
arranges them per age group), volumes.py (the PDF's tenants, clients and
orders) and common.counts_by (a measure per month or per reason, for the
charts).

unit=None is every unit (national figures); a Unit restricts every figure to
that unit's records. Everything is counted by the database in a fixed
number of aggregate queries (conditional counts over Y and Y−1), whatever
the number of records; docs/kpis.md gives the definitions as implemented.
"""

from . import additional, caseload, decisions, evictions, housing
from .caseload import CaseloadRow, caseload_per_pilot
from .result import Figure, FigureSection, KpiResult


def compute_kpis(year, unit=None):
    """KPIs 1–8 for year `year` (Y−1 beside each), in order."""
    kpi1, kpi4, kpi5, kpi7 = housing.compute(year, unit)
    return (
        kpi1,
        evictions.compute_kpi2(year, unit),
        evictions.compute_kpi3(year, unit),
        kpi4,
        kpi5,
        decisions.compute(year, unit),
        kpi7,
        caseload.compute(year, unit),
    )


def additional_figures(year, unit=None):
    """The "also reported" figures: visits and cancellations, complaints and
    damage, rent arrears, rent charged and collected, repayment plans
    (reports/kpis/rent.py), tenants (self-supporting share,
    years in the apartment), apartments by kind and tenure, decisions
    waiting."""
    return additional.sections(year, unit)


__all__ = [
    "CaseloadRow",
    "Figure",
    "FigureSection",
    "KpiResult",
    "additional_figures",
    "caseload_per_pilot",
    "compute_kpis",
]
