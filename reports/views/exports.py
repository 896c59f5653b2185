"""The KPI table of a year as CSV and XLSX.

The same rows as the dashboard's cards (reports.kpis.compute_kpis), one row
per goal followed by its part figures ("2.1", "2.2", …). Aggregates only:
no personal data leaves in these files. Each download is written to the
access log as an export.
"""

import io
from decimal import Decimal

import openpyxl
from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from accounts.access import log_export, permission_required
from core.exports import csv_text, neutralise
from core.formatting import plain_value

from ..kpis import compute_kpis
from ..kpis.result import met_label, preliminary_label, preliminary_until
from ..snapshots import frozen_year, is_closed
from ..year_figures import fresh_year
from .dashboard import check_year, unit_of

EXPORT_OBJECT_TYPE = "reports.kpi_table"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Number formats per value kind; shares are stored as 0–1 so that the
# spreadsheet shows and computes them as percentages.
XLSX_FORMATS = {
    "count": "#,##0",
    "percent": "0.0%",
    "days": "#,##0",
    "kr": '#,##0 "kr"',
    "years": "0.0",
}


def headers(year, until=None):
    """`until`: the running year's last counted day; its value column then
    says the period and that the figures are preliminary."""
    current = _("Value year %(year)s") % {"year": year}
    if until is not None:
        current = f"{current} ({year}-01-01 – {until:%Y-%m-%d}, {preliminary_label(until)})"
    return [
        _("No."),
        _("Goal"),
        _("Target"),
        current,
        _("Numerator"),
        _("Denominator"),
        _("Value year %(year)s") % {"year": year - 1},
        _("Met"),
        _("Definition"),
    ]


def table_rows(kpis, until=None):
    """[(number, goal, target, value, kind, numerator, denominator, previous,
    met, definition)] per KPI and part figure, values unformatted. No goal
    is judged in the running year (`until` given)."""
    rows = []
    for kpi in kpis:
        rows.append((
            str(kpi.number), kpi.goal, kpi.target, kpi.value, kpi.kind, kpi.numerator, kpi.denominator,
            kpi.previous, met_label(kpi.met, until), kpi.definition,
        ))
        for index, figure in enumerate(kpi.figures, start=1):
            rows.append((
                f"{kpi.number}.{index}", figure.label, "", figure.value, figure.kind, None, None,
                figure.previous, "", "",
            ))
    return rows


def _safe_text(value):
    # XLSX too: openpyxl stores a text starting with "=" as a formula.
    return neutralise(value)


def csv_content(kpis, year, until=None):
    """The table in the Swedish Excel dialect (core.exports)."""
    return csv_text(headers(year, until), [
        [number, goal, target, plain_value(value, kind), plain_value(numerator), plain_value(denominator),
         plain_value(previous, kind), met, definition]
        for number, goal, target, value, kind, numerator, denominator, previous, met, definition
        in table_rows(kpis, until)
    ])


def _cell_number(value, kind):
    if value is None:
        return None
    if kind == "percent":
        return float(value) / 100
    if kind == "kr":
        return float(value) / 100
    if kind in ("days", "years") or isinstance(value, Decimal):
        return float(value)
    return int(value)


def xlsx_content(kpis, year, unit_name="", until=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("Goals %(year)s") % {"year": year}
    sheet.append(headers(year, until))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, goal, target, value, kind, numerator, denominator, previous, met, definition in table_rows(kpis, until):
        sheet.append([
            number, _safe_text(goal), _safe_text(target), _cell_number(value, kind),
            numerator, denominator, _cell_number(previous, kind), met, _safe_text(definition),
        ])
        row = sheet.max_row
        for column, cell_value in ((4, value), (7, previous)):
            number_format = XLSX_FORMATS.get(kind, "General")
            if kind == "count" and isinstance(cell_value, Decimal):
                number_format = "#,##0.0"  # an average, e.g. caseload per bolots
            sheet.cell(row=row, column=column).number_format = number_format
        for column in (5, 6):
            sheet.cell(row=row, column=column).number_format = XLSX_FORMATS["count"]
        sheet.cell(row=row, column=9).alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in enumerate((6, 40, 16, 14, 11, 11, 14, 14, 80), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    workbook.properties.title = (_("Goals %(year)s") % {"year": year} + (f" – {unit_name}" if unit_name else "")
                                 + (f" ({preliminary_label(until)})" if until else ""))
    workbook.properties.creator = "Bolots"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def year_kpis(year, unit):
    """The KPIs as the dashboard shows them: a fixed year's from its
    snapshot (reports.snapshots); any other closed year's from its kept
    figures (reports.year_figures.fresh_year: no KPI query when they are
    fresh; counted first and kept when missing or stale, since a file
    carries no "being counted again" note); the running year counted."""
    if not is_closed(year):
        return compute_kpis(year, unit)
    frozen = frozen_year(unit, year)
    return frozen.kpis if frozen is not None else fresh_year(unit, year).figures.kpis


@permission_required("reports.view_kpi_dashboard")
def export_csv(request, year):
    check_year(year)
    unit = unit_of(request)
    kpis = year_kpis(year, unit)
    response = HttpResponse(csv_content(kpis, year, until=preliminary_until(year)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mal-{year}.csv"'
    log_export(request, object_type=EXPORT_OBJECT_TYPE, note=f"CSV {year}")
    return response


@permission_required("reports.view_kpi_dashboard")
def export_xlsx(request, year):
    check_year(year)
    unit = unit_of(request)
    kpis = year_kpis(year, unit)
    response = HttpResponse(xlsx_content(kpis, year, unit_name=str(unit), until=preliminary_until(year)),
                            content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="mal-{year}.xlsx"'
    log_export(request, object_type=EXPORT_OBJECT_TYPE, note=f"XLSX {year}")
    return response
