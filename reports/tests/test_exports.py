"""The KPI table as CSV and XLSX: parsed back and compared with the engine's
results; access; the access log; no personal data."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from audit.models import AccessAction, AccessLogEntry
from core.formatting import decimals_of
from reports.kpis import compute_kpis
from reports.kpis.result import Figure, KpiResult
from reports.tests.golden_data import build_golden_dataset
from reports.views.exports import csv_content, xlsx_content

YEAR = 2025
CSV_URL = reverse("reports:export_csv", args=[YEAR])
XLSX_URL = reverse("reports:export_xlsx", args=[YEAR])
HEADERS = ["Nr", "Mål", "Målvärde", f"Värde år {YEAR}", "Täljare", "Nämnare", f"Värde år {YEAR - 1}", "Uppfyllt",
           "Definition"]


def parse_csv(content):
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


def number_of(text):
    """'54,5 %' / '1234' / '' -> Decimal or None."""
    text = text.replace(" %", "").replace(" kr", "").replace(",", ".")
    return Decimal(text) if text else None


def handmade():
    return (
        KpiResult(
            number=1, key="kpi1", goal="Klienter går vidare till eget boende", target="≥ 50 %",
            definition="Täljare: avslutade …; nämnare: klienter …", value=Decimal("54.5"), previous=Decimal("12.0"),
            kind="percent", met=True, numerator=6, denominator=11, previous_numerator=1, previous_denominator=8,
            figures=(Figure(key="kpi1.own", label="Eget boende", value=4, previous=1),
                     Figure(key="kpi1.takeover", label="=Övertog", value=2, previous=0)),
        ),
        KpiResult(number=6, key="kpi6", goal="Färre icke verkställda beslut", target="−50 %", definition="…",
                  value=3, previous=None, kind="count", met=None),
        KpiResult(number=8, key="kpi8", goal="35–45 per bolots", target="35–45", definition="…",
                  value=Decimal("37.5"), previous=Decimal("1234.0"), kind="count", met=False,
                  numerator=75, denominator=2, figures=(
                      Figure(key="kpi6.median", label="Mediantid", value=Decimal("45"), previous=12, kind="days"),)),
    )


# --- Formatting, with hand-made results -----------------------------------------------


@pytest.mark.django_db
def test_csv_formatting():
    rows = parse_csv(csv_content(handmade(), YEAR))
    assert rows[0] == HEADERS
    assert rows[1] == ["1", "Klienter går vidare till eget boende", "≥ 50 %", "54,5 %", "6", "11", "12,0 %", "Uppfyllt",
                       "Täljare: avslutade …; nämnare: klienter …"]
    assert rows[2] == ["1.1", "Eget boende", "", "4", "", "", "1", "", ""]
    # A label that a spreadsheet would run as a formula is defused.
    assert rows[3][1] == "'=Övertog"
    # No previous value; the goal cannot be judged.
    assert rows[4] == ["6", "Färre icke verkställda beslut", "−50 %", "3",
                       "", "", "", "Bedöms inte", "…"]
    # An average has a decimal; no thousands separator in CSV.
    assert rows[5][3] == "37,5" and rows[5][6] == "1234,0" and rows[5][7] == "Ej uppfyllt"
    assert rows[6][3] == "45"


@pytest.mark.django_db
def test_xlsx_formatting():
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_content(handmade(), YEAR, "Enheten")))
    sheet = workbook.active
    assert sheet.title == f"Mål {YEAR}"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == HEADERS
    assert rows[1][:8] == ["1", "Klienter går vidare till eget boende", "≥ 50 %", pytest.approx(0.545), 6, 11,
                           pytest.approx(0.12), "Uppfyllt"]
    assert sheet["D2"].number_format == "0.0%"
    assert sheet["E2"].number_format == "#,##0"
    assert rows[2][:7] == ["1.1", "Eget boende", None, 4, None, None, 1]
    assert rows[3][1] == "'=Övertog"
    assert rows[4][3] == 3 and rows[4][6] is None and rows[4][7] == "Bedöms inte"
    assert rows[5][3] == pytest.approx(37.5) and sheet["D6"].number_format == "#,##0.0"
    assert rows[6][3] == pytest.approx(45.0) and sheet["D7"].number_format == "#,##0"


# --- The views ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_anonymous_goes_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["case_officer", "pilot", "housing_admin", "system_admin", "outside_officer"])
@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_other_roles_are_refused(client, users, role, url):
    client.force_login(users[role])
    assert client.get(url).status_code == 403
    assert not AccessLogEntry.objects.filter(action=AccessAction.EXPORT).exists()


@pytest.mark.django_db
def test_year_out_of_range_is_404(client, manager):
    client.force_login(manager)
    assert client.get(reverse("reports:export_csv", args=[1999])).status_code == 404
    assert client.get(reverse("reports:export_xlsx", args=[1999])).status_code == 404


@pytest.fixture
def golden(unit, other_unit):
    return build_golden_dataset(unit, other_unit)


def _kpi_rows(rows):
    return [row for row in rows[1:] if "." not in row[0]]


@pytest.mark.django_db
def test_csv_matches_the_engine(client, golden, unit):
    client.force_login(golden["manager"])
    response = client.get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="mal-{YEAR}.csv"' in response["Content-Disposition"]
    rows = parse_csv(response.content.decode("utf-8"))
    assert rows[0] == HEADERS
    kpis = compute_kpis(YEAR, unit)
    kpi_rows = _kpi_rows(rows)
    assert [int(row[0]) for row in kpi_rows] == [kpi.number for kpi in kpis] == list(range(1, 9))
    for row, kpi in zip(kpi_rows, kpis, strict=True):
        assert row[1] == str(kpi.goal)
        assert row[2] == str(kpi.target)
        for text, value in ((row[3], kpi.value), (row[6], kpi.previous)):
            if value is None:
                assert text == ""
            else:
                decimals = decimals_of(value, kpi.kind)
                assert number_of(text) == round(Decimal(value), decimals)
        assert row[4] == ("" if kpi.numerator is None else str(kpi.numerator))
        assert row[5] == ("" if kpi.denominator is None else str(kpi.denominator))
        assert row[7] == {True: "Uppfyllt", False: "Ej uppfyllt", None: "Bedöms inte"}[kpi.met]
        assert row[8] == str(kpi.definition)
    # The part figures follow their goal.
    figure_rows = [row for row in rows[1:] if row[0].startswith("2.")]
    assert [row[1] for row in figure_rows] == [str(figure.label) for figure in kpis[1].figures]
    entry = AccessLogEntry.objects.get(action=AccessAction.EXPORT)
    assert (entry.user, entry.object_type, entry.note) == (golden["manager"], "reports.kpi_table", f"CSV {YEAR}")


@pytest.mark.django_db
def test_xlsx_matches_the_engine(client, golden, unit):
    client.force_login(golden["manager"])
    response = client.get(XLSX_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == HEADERS
    kpis = compute_kpis(YEAR, unit)
    kpi_rows = [row for row in rows[1:] if "." not in row[0]]
    for row, kpi in zip(kpi_rows, kpis, strict=True):
        assert row[0] == str(kpi.number)
        assert row[1] == str(kpi.goal)
        for cell, value in ((row[3], kpi.value), (row[6], kpi.previous)):
            if value is None:
                assert cell is None
            elif kpi.kind == "percent":
                assert cell == pytest.approx(float(value) / 100)
            else:
                assert cell == pytest.approx(float(value))
        assert row[4] == kpi.numerator and row[5] == kpi.denominator
    percent_rows = [index for index, kpi in enumerate(kpis) if kpi.kind == "percent"]
    assert percent_rows
    entry = AccessLogEntry.objects.get(action=AccessAction.EXPORT)
    assert entry.note == f"XLSX {YEAR}"


@pytest.mark.django_db
def test_no_personal_data_in_the_exports(client, golden):
    client.force_login(golden["manager"])
    text = client.get(CSV_URL).content.decode("utf-8")
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(XLSX_URL).content)).active
    xlsx_text = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row)
    clients = [value for value in golden.values() if getattr(value, "_meta", None) and value._meta.model_name == "client"]
    assert clients
    for person in clients:
        for content in (text, xlsx_text):
            assert person.full_name not in content
            assert person.personal_number not in content
