"""The yearly PDF evaluation, "Utvärdering av bolotsverksamheten Y".

It follows the structure of the 2018 evaluation report (seed 001): cover,
contents, background, the operation in figures, one section per project
goal (Mål, Effekt, Mätmetod, Resultat for Y and Y−1 with a chart), the
caseload per bolots, cancelled visits, other figures and a summary of the
goals met.

Everything in it is an aggregate: no client is named or can be picked out,
and no personal identity number appears. The only people named are staff
(the bolotsar in the caseload table). The KPI figures come from the KPI
engine (reports.kpis) unchanged, so the PDF shows the same numbers as the
dashboard; this module only adds the volumes and lays the figures out.

Like pretix's renderers, `render_evaluation` returns (filename, mimetype,
bytes); reports.tasks stores the bytes in ReportRun.file.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from accounts.roles import Role
from bolots.models import CancelReason, Visit, VisitOutcome
from bolots.services import statistics
from core.charts import bar_chart_png
from core.formatting import display_value, number
from core.pdf import pdf_image, render_pdf
from referrals.models import Order, OrderKind
from tenancies.models import ApartmentKind, Tenancy

from . import charts
from .kpis.result import met_label

TEMPLATE = "reports/runs/evaluation_pdf.html"


def evaluation_filename(year):
    """ASCII only: the name goes into a Content-Disposition header and onto
    the file system."""
    return f"utvardering-bolotsverksamheten-{year}.pdf"


# --- Formatting --------------------------------------------------------------


def format_share(part, whole):
    """'3 av 8'."""
    if part is None or whole is None:
        return "–"
    return _("%(part)s of %(whole)s") % {"part": number(part), "whole": number(whole)}


def css_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_counter_css():
    """The running footer 'Sida 3 av 12' as a CSS `content` value: the
    translated sentence with its placeholders replaced by page counters."""
    sentence = _("Page {page} of {pages}")
    parts = re.split(r"(\{page\}|\{pages\})", sentence)
    counters = {"{page}": "counter(page)", "{pages}": "counter(pages)"}
    return " ".join(counters.get(part) or css_string(part) for part in parts if part)


# --- What the template gets --------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of a two-year table: label, Y, Y−1 (already formatted)."""

    label: str
    current: str
    previous: str
    indent: bool = False


@dataclass(frozen=True)
class Bar:
    """One bar of a goal's chart: the year, the result as printed and the
    bar's length as a CSS width, in per cent of the longer of the two
    ("42.5%": formatted here, as the template would localise a float)."""

    label: str
    value: str
    width: str


# Short headings for the goals, those of the 2018 evaluation report (seed
# 001, 6.1–6.9); the goal itself is printed in full under "Mål".
GOAL_TITLES = {
    1: gettext_lazy("Independent housing"),
    2: gettext_lazy("Fewer evictions"),
    3: gettext_lazy("Active outreach"),
    4: gettext_lazy("Mandatory housing course"),
    5: gettext_lazy("Reuse of training apartments"),
    6: gettext_lazy("Fewer non-executed decisions"),
    7: gettext_lazy("Takeover of first-hand contracts"),
    8: gettext_lazy("Caseload per bolots"),
}


@dataclass(frozen=True)
class GoalSection:
    anchor: str
    number: int
    title: str
    goal: str
    target: str
    definition: str
    headline: Row
    share: Row | None
    rows: tuple[Row, ...]
    met_label: str
    met: bool | None
    bars: tuple[Bar, ...]


def _year_range(year):
    return statistics.year_bounds(year)


def _overlaps_year(prefix, year):
    """A date period [start, end] (end open) that meets calendar year `year`."""
    first, last = datetime(year, 1, 1).date(), datetime(year, 12, 31).date()
    return (Q(**{f"{prefix}start_date__lte": last})
            & (Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": first})))


def _unit_filter(unit, field="unit"):
    return Q() if unit is None else Q(**{field: unit})


# --- Volumes -------------------------------------------------------------------


def client_volumes(year, unit):
    """Distinct tenants and distinct clients with bolots support, Y and Y−1:
    two queries."""
    tenancies = Tenancy.objects.filter(_unit_filter(unit, "apartment__unit")).aggregate(
        current=Count("client", distinct=True, filter=_overlaps_year("", year)),
        previous=Count("client", distinct=True, filter=_overlaps_year("", year - 1)),
        current_training=Count("client", distinct=True,
                               filter=_overlaps_year("", year) & Q(apartment__kind=ApartmentKind.TRAINING)),
        previous_training=Count("client", distinct=True,
                                filter=_overlaps_year("", year - 1) & Q(apartment__kind=ApartmentKind.TRAINING)),
    )

    def supported(y):
        start, end = _year_range(y)
        return (
            Q(accepted_at__lt=end)
            & (Q(completed_at__isnull=True) | Q(completed_at__gte=start))
            & (Q(cancelled_at__isnull=True) | Q(cancelled_at__gte=start))
        )

    support = Order.objects.filter(_unit_filter(unit), kind=OrderKind.BOLOTS_SUPPORT, client__isnull=False).aggregate(
        current=Count("client", distinct=True, filter=supported(year)),
        previous=Count("client", distinct=True, filter=supported(year - 1)),
    )
    return [
        Row(_("Tenants in the programme's apartments"), number(tenancies["current"]), number(tenancies["previous"])),
        Row(_("of whom in a training apartment"), number(tenancies["current_training"]),
            number(tenancies["previous_training"]), indent=True),
        Row(_("Clients with bolots support"), number(support["current"]), number(support["previous"])),
    ]


def order_volumes(year, unit):
    """Orders sent in Y and Y−1 by kind: one query."""
    (start, end), (previous_start, _previous_end) = _year_range(year), _year_range(year - 1)
    rows = (
        Order.objects.filter(_unit_filter(unit), sent_at__gte=previous_start, sent_at__lt=end)
        .values("kind")
        .annotate(current=Count("id", filter=Q(sent_at__gte=start)), previous=Count("id", filter=Q(sent_at__lt=start)))
        .order_by()
    )
    counts = {row["kind"]: (row["current"], row["previous"]) for row in rows}
    table = [Row(kind.label, number(counts.get(kind.value, (0, 0))[0]), number(counts.get(kind.value, (0, 0))[1]))
             for kind in OrderKind]
    table.append(Row(_("All orders"), number(sum(c for c, _p in counts.values())),
                     number(sum(p for _c, p in counts.values()))))
    return table


def visit_statistics(year, unit):
    """Visits per month of `year` with the cancellation reasons (one query).

    For a unit this is bolots.services.statistics.cancellation_statistics,
    the same figures as the bolots' statistics page. For the whole country
    (unit None, the national benchmark) the same grouped query runs over
    every visit, with that module's definitions.
    """
    if unit is not None:
        return statistics.cancellation_statistics(unit.pk, year)
    start, end = statistics.year_bounds(year)
    aggregates = {
        alias: Count("id", filter=condition) if condition else Count("id")
        for alias, condition in statistics._metrics().items()
    }
    rows = (
        Visit.objects.filter(visited_at__gte=start, visited_at__lt=end)
        .annotate(month=TruncMonth("visited_at", tzinfo=statistics.TZ))
        .values("month")
        .annotate(**aggregates)
        .order_by("month")
    )
    groups = statistics.GROUPS
    months = {group: {month: statistics.Figures() for month in statistics.MONTHS} for group in groups}
    for row in rows:
        month = timezone.localtime(row["month"], statistics.TZ).month
        everyone, young = statistics._figures(row, "all"), statistics._figures(row, "young")
        months[statistics.ALL][month] = everyone
        months[statistics.YOUNG_ADULTS][month] = young
        months[statistics.OTHERS][month] = everyone - young
    totals = {group: sum(months[group].values(), statistics.Figures()) for group in groups}
    return statistics.CancellationStatistics(year=year, months=months, totals=totals)


def visits_chart_data(current):
    """The dashboard's visits chart (reports.charts.visits_data) from a
    year's CancellationStatistics."""
    months = [current.months[statistics.ALL][month] for month in statistics.MONTHS]
    return charts.visits_chart_data(current.year, [figures.done for figures in months],
                                    [figures.cancelled for figures in months])


def visit_volumes(current, previous):
    now, before = current.totals[statistics.ALL], previous.totals[statistics.ALL]
    rows = [
        Row(_("Visits planned"), number(now.planned), number(before.planned)),
        Row(pgettext("evaluation", "Visits done"), number(now.done), number(before.done)),
        Row(_("Visits cancelled"), number(now.cancelled), number(before.cancelled)),
    ]
    for outcome in VisitOutcome.cancellations():
        rows.append(Row(outcome.label, number(now.outcomes[outcome]), number(before.outcomes[outcome]), indent=True))
    share = now.cancelled_share
    previous_share = before.cancelled_share
    rows.append(Row(_("Share of planned visits cancelled"),
                    display_value(None if share is None else share * 100, "percent"),
                    display_value(None if previous_share is None else previous_share * 100, "percent")))
    return rows


def cancellation_table(current):
    """Cancellations by reason: young adults (18–25), others, everyone."""
    groups = (statistics.YOUNG_ADULTS, statistics.OTHERS, statistics.ALL)
    totals = [current.totals[group] for group in groups]

    def cells(count_of):
        out = []
        for figures in totals:
            count = count_of(figures)
            share = figures.share_of_cancelled(count)
            out.append(f"{number(count)} ({display_value(None if share is None else share * 100, 'percent')})")
        return out

    rows = [{"label": _("Visits planned"), "cells": [number(f.planned) for f in totals]},
            {"label": _("Visits cancelled"), "cells": [number(f.cancelled) for f in totals]}]
    for reason in CancelReason:
        rows.append({"label": reason.label, "cells": cells(lambda f, r=reason: f.reasons[r]), "indent": True})
    rows.append({"label": _("No reason given"), "cells": cells(lambda f: f.without_reason), "indent": True})
    rows.append({
        "label": _("Share of planned visits cancelled"),
        "cells": [display_value(None if f.cancelled_share is None else f.cancelled_share * 100, "percent")
                  for f in totals],
    })
    return {"headers": [_("Young adults 18–25"), _("Others"), _("All")], "rows": rows}


def staff_count(unit):
    """Active bolotsar of the unit (of every unit for the national figure)."""
    from accounts.models import User

    return User.objects.with_role(Role.PILOT).filter(_unit_filter(unit)).distinct().count()


# --- Charts --------------------------------------------------------------------


# Resolution of the charts in the PDF: sharp in print at the width they
# have on the page (at most 17 cm), a few tens of kB each.
CHART_DPI = 150


def dashboard_chart(data):
    """One of the dashboard's charts (reports.charts), the same data and
    drawing as there (reports.charts.render), as PNG."""
    return pdf_image(bar_chart_png(
        data.categories, data.series, title=data.title, y_label=data.y_label, stacked=data.stacked,
        size=data.size, dpi=CHART_DPI,
    ), data.title)


# --- Goals ---------------------------------------------------------------------


def goal_bars(kpi, year):
    """The goal's chart: the result of Y−1 and Y as two horizontal bars on a
    common scale, drawn by the template as boxes (vector graphics and text
    in the PDF). A two-bar chart does not need matplotlib: drawing it there
    and WeasyPrint embedding or drawing the image cost 0.1–0.25 s per goal
    (docs/performance.md)."""
    if kpi.value is None and kpi.previous is None:
        return ()
    values = ((year - 1, kpi.previous), (year, kpi.value))
    longest = max(max(float(value or 0), 0) for _year, value in values)
    return tuple(
        Bar(str(label), display_value(value, kpi.kind),
            f"{max(float(value or 0), 0) / longest * 100:.1f}%" if longest else "0.0%")
        for label, value in values
    )


def goal_section(kpi, year):
    share = None
    # "2 av 8" only where the headline is a share of a whole (KPI 8's
    # numerator and denominator are orders and bolotsar: an average).
    if kpi.kind == "percent" and (kpi.denominator is not None or kpi.previous_denominator is not None):
        share = Row(_("Counted of the whole"), format_share(kpi.numerator, kpi.denominator),
                    format_share(kpi.previous_numerator, kpi.previous_denominator))
    return GoalSection(
        anchor=f"goal-{kpi.number}",
        number=kpi.number,
        title=str(GOAL_TITLES.get(kpi.number, kpi.goal)),
        goal=str(kpi.goal),
        target=str(kpi.target),
        definition=str(kpi.definition),
        headline=Row(_("Result"), display_value(kpi.value, kpi.kind), display_value(kpi.previous, kpi.kind)),
        share=share,
        rows=tuple(Row(str(f.label), display_value(f.value, f.kind), display_value(f.previous, f.kind))
                   for f in kpi.figures),
        met_label=met_label(kpi.met),
        met=kpi.met,
        bars=goal_bars(kpi, year),
    )


# Additional figures (reports.kpis.additional_figures) shown in "The
# operation" rather than under "Other figures": apartments by kind and tenure
# (2.1) and visits (2.4 and the cancellations chapter, from
# bolots.services.statistics).
SHOWN_ELSEWHERE = {"apartments", "visits"}


def figure_rows(section, *, skip_empty=False):
    """A section's figures as two-year rows; with `skip_empty`, figures that
    are zero in both years are left out (the first, the total, stays)."""
    rows = []
    for index, f in enumerate(section.figures):
        if skip_empty and index and not f.value and not f.previous:
            continue
        rows.append(Row(str(f.label), display_value(f.value, f.kind), display_value(f.previous, f.kind),
                        indent=skip_empty and index > 0))
    return rows


def figure_sections(sections):
    return [
        {"title": str(section.title), "anchor": f"figures-{section.key}", "rows": figure_rows(section)}
        for section in sections
        if section.key not in SHOWN_ELSEWHERE
    ]


def apartment_rows(sections):
    section = next((section for section in sections if section.key == "apartments"), None)
    return figure_rows(section, skip_empty=True) if section else []


def caseload_rows(rows):
    """The KPI engine's caseload rows (reports.kpis.CaseloadRow), formatted.
    Staff are named: they are not clients."""
    return [
        {"name": row.name, "support": number(row.support), "outreach": number(row.outreach),
         "total": number(row.total)}
        for row in rows
    ]


# --- Context and rendering --------------------------------------------------------


def _engine():
    # Imported when used: the KPI engine is a sibling package and the task
    # may run where the web process never loads it.
    from reports import kpis

    return kpis


def evaluation_context(year, unit=None, *, kpis=None, figures=None, caseload=None):
    """Everything the template shows, formatted. `kpis`, `figures` and
    `caseload` default to the KPI engine's results for `year` and `unit`
    (None: every unit, for the national figures)."""
    engine = None
    if kpis is None or figures is None or caseload is None:
        engine = _engine()
    if kpis is None:
        kpis = engine.compute_kpis(year, unit)
    if figures is None:
        figures = engine.additional_figures(year, unit)
    if caseload is None:
        caseload = engine.caseload_per_pilot(year, unit) if unit is not None else ()
    current, previous = visit_statistics(year, unit), visit_statistics(year - 1, unit)
    goals = [goal_section(kpi, year) for kpi in sorted(kpis, key=lambda k: k.number)]
    judged = [goal for goal in goals if goal.met is not None]
    return {
        "year": year,
        "previous_year": year - 1,
        "unit": unit,
        "title": _("Evaluation of the bolots operation %(year)s") % {"year": year},
        "generated_on": timezone.localdate(),
        "page_counter": page_counter_css(),
        "running_title": css_string(_("Evaluation of the bolots operation %(year)s") % {"year": year}),
        "apartments": apartment_rows(figures),
        "clients": client_volumes(year, unit),
        "orders": order_volumes(year, unit),
        "visits": visit_volumes(current, previous),
        # The dashboard's charts (reports.charts), the same code path.
        # The visits chart from the month figures counted above: the same
        # definitions as charts.visits_data, without scanning the year's
        # visits a second time.
        "visits_chart": dashboard_chart(visits_chart_data(current)),
        "notices_chart": dashboard_chart(charts.eviction_notices_data(year, unit)),
        "end_reasons_chart": dashboard_chart(charts.end_reasons_data(year, unit)),
        "staff": number(staff_count(unit)),
        "goals": goals,
        "goals_met": sum(1 for goal in judged if goal.met),
        "goals_judged": len(judged),
        "caseload": caseload_rows(caseload),
        "cancellations": cancellation_table(current),
        "figure_sections": figure_sections(figures),
    }


def render_evaluation(year, unit=None, **context_overrides):
    """The evaluation as (filename, mimetype, bytes), in Swedish whatever
    language the caller runs in (a Celery worker has no request)."""
    with translation.override(settings.LANGUAGE_CODE):
        context = evaluation_context(year, unit, **context_overrides)
        return render_pdf(TEMPLATE, context, evaluation_filename(year))
