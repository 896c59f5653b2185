"""The yearly PDF evaluation, "Utvärdering av bolotsverksamheten Y".

It follows the structure of the 2018 evaluation report (seed 001): cover,
contents, background, the operation in figures, one section per project
goal (Mål, Effekt, Mätmetod, Resultat for Y and Y−1 with a chart), the
caseload per bolots, cancelled visits, other figures and a summary of the
goals met.

Everything in it is an aggregate: no client is named or can be picked out,
and no personal identity number appears. The only people named are staff
(the bolotsar in the caseload table). Every figure comes from the KPI
engine (reports.kpis: the KPIs, the additional figures, the volumes, the
visits per month), so the PDF shows the same numbers as the dashboard and
the cancellations page; this package only formats them and lays them out:

    layout.py   rows, bars and the running footer
    goals.py    the goal sections
    tables.py   the operation in figures, cancellations, other figures
    images.py   the dashboard's charts as PNG for WeasyPrint

Like pretix's renderers, `render_evaluation` returns (filename, mimetype,
bytes); reports.tasks stores the bytes in ReportRun.file.
"""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.formatting import number
from core.pdf import render_pdf

from .. import charts
from ..kpis import volumes
from ..kpis.cancellations import monthly_figures
from ..kpis.result import preliminary_label, preliminary_until
from ..services import narrative
from ..snapshots import frozen_year, is_closed
from ..year_figures import fresh_year
from . import tables
from .goals import goal_section
from .images import dashboard_chart
from .layout import css_string, page_counter_css

TEMPLATE = "reports/runs/evaluation_pdf.html"


def evaluation_filename(year: int) -> str:
    """ASCII only: the name goes into a Content-Disposition header and onto
    the file system."""
    return f"utvardering-bolotsverksamheten-{year}.pdf"


def _engine():
    # The KPIs, the additional figures and the caseload are looked up here
    # so that a test can hand the PDF figures no data set produces (money,
    # goals without a value).
    from reports import kpis

    return kpis


def _kept(unit, year: int, today):
    # Looked up here, like _engine(), so that a test handing the PDF made-up
    # engine figures can also do without the kept ones (None: count live).
    return fresh_year(unit, year, today).figures


def evaluation_context(year: int, unit=None, *, kpis=None, figures=None, caseload=None) -> dict:
    """Everything the template shows, formatted. `kpis`, `figures` and
    `caseload` default to the KPI engine's results for `year` and `unit`
    (None: every unit, for the national figures)."""
    today = timezone.localdate()
    # A fixed closed year of a unit (reports.snapshots) is read from its
    # snapshot: the PDF then shows the figures as fixed and counts nothing.
    closed = unit is not None and is_closed(year, today)
    frozen = frozen_year(unit, year) if closed else None
    # Any other closed year of a unit is read from its kept figures
    # (reports.year_figures.fresh_year): counted nothing when they are
    # fresh; counted first (and kept) when missing or stale after a
    # correction, because the evaluation is an official document and must
    # not carry figures the dashboard calls "being counted again".
    shown = frozen or (_kept(unit, year, today) if closed else None)
    if shown is not None:
        kpis = shown.kpis if kpis is None else kpis
        figures = shown.sections if figures is None else figures
        caseload = shown.caseload if caseload is None else caseload
        current, previous = shown.monthly_figures(), shown.monthly_figures(previous=True)
        supported, orders = shown.order_volumes()
        tenants, staff = shown.tenant_volumes(), shown.pdf["staff"]
        notices_data, end_reasons_data = shown.chart("eviction-notices"), shown.chart("end-reasons")
        # A year fixed before the rent figures existed has no arrears chart.
        arrears_data = next((chart for chart in shown.charts if chart.key == "arrears-trend"), None)
    else:
        engine = None
        if kpis is None or figures is None or caseload is None:
            engine = _engine()
        if kpis is None:
            kpis = engine.compute_kpis(year, unit)
        if figures is None:
            figures = engine.additional_figures(year, unit)
        if caseload is None:
            caseload = engine.caseload_per_pilot(year, unit) if unit is not None else ()
        current, previous = monthly_figures(year, unit), monthly_figures(year - 1, unit)
        supported, orders = volumes.order_volumes(year, unit)
        tenants, staff = volumes.tenant_volumes(year, unit), volumes.pilot_count(unit)
        notices_data, end_reasons_data = charts.eviction_notices_data(year, unit), charts.end_reasons_data(year, unit)
        arrears_data = charts.arrears_trend_data(year, unit)
    # The running year counts up to today: preliminary, and no goal judged.
    until = preliminary_until(year, today)
    goals = [goal_section(kpi, year, until) for kpi in sorted(kpis, key=lambda k: k.number)]
    judged = [goal for goal in goals if goal.met is not None]
    return {
        "year": year,
        "previous_year": year - 1,
        "unit": unit,
        "title": _("Evaluation of the bolots operation %(year)s") % {"year": year},
        "generated_on": today,
        "until": until,
        "preliminary": preliminary_label(until) if until else "",
        "frozen": frozen,
        "page_counter": page_counter_css(),
        "running_title": css_string(_("Evaluation of the bolots operation %(year)s") % {"year": year}),
        "apartments": tables.apartment_rows(figures),
        "occupancy": tables.occupancy_table(figures),
        "clients": tables.client_rows(tenants, supported),
        "orders": tables.order_rows(orders),
        "visits": tables.visit_rows(current, previous),
        # The dashboard's charts (reports.charts), the same code path. The
        # visits chart from the month figures counted above (the same
        # measures as charts.visits_data), without counting the year's
        # visits a second time.
        "visits_chart": dashboard_chart(charts.visits_chart_data(year, *tables.monthly_done_and_cancelled(current))),
        "notices_chart": dashboard_chart(notices_data),
        "end_reasons_chart": dashboard_chart(end_reasons_data),
        # The rent arrears at each month end (reports.kpis.rent), shown with
        # the arrears under "Other figures".
        "arrears_chart": dashboard_chart(arrears_data) if arrears_data is not None else "",
        "staff": number(staff),
        "goals": goals,
        "goals_met": sum(1 for goal in judged if goal.met),
        "goals_judged": len(judged),
        "caseload": tables.caseload_rows(caseload),
        "cancellations": tables.cancellation_table(current),
        "figure_sections": tables.figure_sections(figures),
        # The evaluation's own words, final texts only (reports.services.narrative).
        "narrative": narrative.pdf_texts(year, unit),
    }


def render_evaluation(year: int, unit=None, **context_overrides) -> tuple[str, str, bytes]:
    """The evaluation as (filename, mimetype, bytes), in Swedish whatever
    language the caller runs in (a Celery worker has no request)."""
    with translation.override(settings.LANGUAGE_CODE):
        context = evaluation_context(year, unit, **context_overrides)
        return render_pdf(TEMPLATE, context, evaluation_filename(year))
