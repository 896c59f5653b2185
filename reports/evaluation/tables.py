"""The evaluation's tables, formatted from the KPI engine's figures: the
operation in figures (apartments, tenants and clients, orders, visits),
the caseload per bolots, the cancellations by age group and the other
figures. Nothing here counts: every number is a measure's (reports.kpis).
"""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from bolots.models import CancelReason, VisitOutcome
from core.formatting import display_value, number

from ..kpis import CaseloadRow, Figure, FigureSection
from ..kpis.cancellations import ALL, OTHERS, YOUNG_ADULTS, CancellationStatistics, Figures
from .layout import Row, figure_row

# Additional figures (reports.kpis.additional_figures) shown in "The
# operation" rather than under "Other figures": apartments by kind and tenure
# (2.1) and visits (2.4 and the cancellations chapter, from the same
# measures month by month: reports.kpis.cancellations).
SHOWN_ELSEWHERE = {"apartments", "visits", "occupancy"}

# The occupancy figures printed under 2.1 beside the months (the rest are
# on the dashboard): reports.kpis.occupancy.
OCCUPANCY_IN_PDF = (
    "occupancy.rate", "occupancy.move_ins", "occupancy.turnover", "occupancy.vacancies_ended",
    "occupancy.vacancy_length", "occupancy.empty_over_60",
)


def client_rows(tenants: tuple[Figure, ...], supported: Figure) -> list[Row]:
    """Tenants, of them in a training apartment (indented), and clients with
    bolots support (reports.kpis.volumes)."""
    everyone, in_training = tenants
    return [figure_row(everyone), figure_row(in_training, indent=True), figure_row(supported)]


def order_rows(orders: tuple[Figure, ...]) -> list[Row]:
    """Orders sent by kind and in all (reports.kpis.volumes)."""
    return [figure_row(figure) for figure in orders]


def _percent(share: float | None) -> str:
    return display_value(None if share is None else share * 100, "percent")


def visit_rows(current: CancellationStatistics, previous: CancellationStatistics) -> list[Row]:
    now, before = current.totals[ALL], previous.totals[ALL]
    rows = [
        Row(_("Visits planned"), number(now.planned), number(before.planned)),
        Row(pgettext("evaluation", "Visits done"), number(now.done), number(before.done)),
        Row(_("Visits cancelled"), number(now.cancelled), number(before.cancelled)),
    ]
    for outcome in VisitOutcome.cancellations():
        rows.append(Row(outcome.label, number(now.outcomes[outcome]), number(before.outcomes[outcome]), indent=True))
    rows.append(Row(_("Share of planned visits cancelled"), _percent(now.cancelled_share),
                    _percent(before.cancelled_share)))
    return rows


def cancellation_table(current: CancellationStatistics) -> dict:
    """Cancellations by reason: young adults (18–25), others, everyone."""
    totals = [current.totals[group] for group in (YOUNG_ADULTS, OTHERS, ALL)]

    def cells(count_of) -> list[str]:
        out = []
        for figures in totals:
            count = count_of(figures)
            out.append(f"{number(count)} ({_percent(figures.share_of_cancelled(count))})")
        return out

    rows = [{"label": _("Visits planned"), "cells": [number(f.planned) for f in totals]},
            {"label": _("Visits cancelled"), "cells": [number(f.cancelled) for f in totals]}]
    for reason in CancelReason:
        rows.append({"label": reason.label, "cells": cells(lambda f, r=reason: f.reasons[r]), "indent": True})
    rows.append({"label": _("No reason given"), "cells": cells(lambda f: f.without_reason), "indent": True})
    rows.append({
        "label": _("Share of planned visits cancelled"),
        "cells": [_percent(f.cancelled_share) for f in totals],
    })
    return {"headers": [_("Young adults 18–25"), _("Others"), _("All")], "rows": rows}


def monthly_done_and_cancelled(current: CancellationStatistics) -> tuple[list[int], list[int]]:
    """Visits done and cancelled per month (January first), for the visits
    chart."""
    months: list[Figures] = [figures for _month, figures in current.monthly(ALL)]
    return [figures.done for figures in months], [figures.cancelled for figures in months]


def figure_rows(section: FigureSection, *, skip_empty: bool = False) -> list[Row]:
    """A section's figures as two-year rows; with `skip_empty`, figures that
    are zero in both years are left out (the first, the total, stays)."""
    rows = []
    for index, f in enumerate(section.figures):
        if skip_empty and index and not f.value and not f.previous:
            continue
        rows.append(figure_row(f, indent=skip_empty and index > 0))
    return rows


def figure_sections(sections: tuple[FigureSection, ...]) -> list[dict]:
    return [
        {"title": str(section.title), "anchor": f"figures-{section.key}", "rows": figure_rows(section)}
        for section in sections
        if section.key not in SHOWN_ELSEWHERE
    ]


def apartment_rows(sections: tuple[FigureSection, ...]) -> list[Row]:
    section = next((section for section in sections if section.key == "apartments"), None)
    return figure_rows(section, skip_empty=True) if section else []


def caseload_rows(rows: list[CaseloadRow]) -> list[dict]:
    """The KPI engine's caseload rows (reports.kpis.CaseloadRow), formatted.
    Staff are named: they are not clients."""
    return [
        {"name": row.name, "support": number(row.support), "outreach": number(row.outreach),
         "total": number(row.total)}
        for row in rows
    ]


def occupancy_table(sections: tuple[FigureSection, ...]) -> dict | None:
    """2.1's occupancy of the stock: the unit's days per month of Y with the
    year's total, and the turnover, vacancy length and apartments empty over
    60 days for Y and Y−1. None when the figures have no occupancy section
    (a year fixed before it existed)."""
    section = next((section for section in sections if section.key == "occupancy"), None)
    if section is None or not getattr(section, "months", None):
        return None
    months = [
        {"label": month.name.capitalize(), "programme": number(month.programme_days),
         "occupied": number(month.occupied_days), "empty": number(month.empty_days),
         "rate": display_value(month.rate, "percent")}
        for month in section.months
    ]
    programme = sum(month.programme_days for month in section.months)
    occupied = sum(month.occupied_days for month in section.months)
    rate = next((f.value for f in section.figures if f.key == "occupancy.rate"), None)
    total = {"label": _("Total"), "programme": number(programme), "occupied": number(occupied),
             "empty": number(programme - occupied), "rate": display_value(rate, "percent")}
    by_key = {figure.key: figure for figure in section.figures}
    rows = [figure_row(by_key[key]) for key in OCCUPANCY_IN_PDF if key in by_key]
    return {"months": months, "total": total, "rows": rows}
