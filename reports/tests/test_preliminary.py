"""The running year is preliminary (issue 12 §8): the dashboard, the CSV/XLSX
exports and the yearly PDF say "Preliminärt, t.o.m. <today>" and judge no
goal before the year ends; a closed year reads as before. The date is frozen
by replacing django.utils.timezone.localdate, which every report reads
"today" from."""

import csv
import io
import re
from datetime import date

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from reports import evaluation
from reports.kpis import compute_kpis
from reports.kpis.result import met_label, preliminary_until
from reports.tests.golden_data import build_golden_dataset

pytestmark = pytest.mark.django_db
TODAY = date(2025, 12, 6)
RUNNING, CLOSED = 2025, 2024
PRELIMINARY = "Preliminärt, t.o.m. 2025-12-06"
VERDICTS = ("Uppfyllt", "Ej uppfyllt", "Bedöms inte")


@pytest.fixture
def frozen(monkeypatch):
    original = timezone.localdate

    def localdate(value=None, timezone=None):
        return TODAY if value is None else original(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return TODAY


@pytest.fixture
def golden(unit, other_unit):
    return build_golden_dataset(unit, other_unit)


def test_only_the_running_year_is_preliminary(frozen):
    assert preliminary_until(RUNNING) == TODAY
    assert preliminary_until(CLOSED) is None
    assert met_label(True, TODAY) == met_label(False, TODAY) == met_label(None, TODAY) == PRELIMINARY
    assert met_label(True) == "Uppfyllt" and met_label(False) == "Ej uppfyllt" and met_label(None) == "Bedöms inte"


# --- The dashboard --------------------------------------------------------------------


def badges(html):
    return re.findall(r'<span class="badge[^"]*"[^>]*>(?:<span aria-hidden="true">[^<]*</span>)?([^<]*)</span>', html)


def test_dashboard_running_year_is_preliminary_and_judges_no_goal(client, frozen, golden, unit):
    client.force_login(golden["manager"])
    response = client.get(reverse("reports:dashboard", args=[RUNNING]))
    assert response.status_code == 200
    html = response.content.decode()
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)
    assert "Mål 2025" in heading and PRELIMINARY in heading
    kpis = compute_kpis(RUNNING, unit)
    assert len(kpis) == 8
    # The heading's mark and one per goal, instead of its verdict.
    assert badges(html) == [PRELIMINARY] * (1 + len(kpis))
    for kpi in kpis:
        card = html[html.index(f'id="mal-{kpi.number}"'):]
        card = card[:card.index("</article>")]
        assert PRELIMINARY in card
        assert not any(verdict in card for verdict in VERDICTS)


def test_dashboard_closed_year_is_judged_as_before(client, frozen, golden, unit):
    client.force_login(golden["manager"])
    response = client.get(reverse("reports:dashboard", args=[CLOSED]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preliminärt" not in html
    expected = [met_label(kpi.met) for kpi in compute_kpis(CLOSED, unit)]
    assert badges(html) == expected


def test_dashboard_of_this_year_by_default_is_preliminary(client, frozen, manager):
    client.force_login(manager)
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    assert response.context["year"] == RUNNING
    assert PRELIMINARY in response.content.decode()


# --- The exports ----------------------------------------------------------------------


def parse_csv(content):
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


def test_csv_of_the_running_year_says_period_and_preliminary(client, frozen, golden, unit):
    client.force_login(golden["manager"])
    response = client.get(reverse("reports:export_csv", args=[RUNNING]))
    assert response.status_code == 200
    rows = parse_csv(response.content.decode("utf-8"))
    assert rows[0][3] == f"Värde år 2025 (2025-01-01 – 2025-12-06, {PRELIMINARY})"
    assert rows[0][6] == "Värde år 2024"
    goal_rows = [row for row in rows[1:] if "." not in row[0]]
    assert len(goal_rows) == len(compute_kpis(RUNNING, unit))
    assert all(row[7] == PRELIMINARY for row in goal_rows)
    assert not any(verdict in response.content.decode("utf-8") for verdict in ("Ej uppfyllt", "Bedöms inte"))


def test_csv_of_a_closed_year_is_unchanged(client, frozen, golden, unit):
    client.force_login(golden["manager"])
    content = client.get(reverse("reports:export_csv", args=[CLOSED])).content.decode("utf-8")
    rows = parse_csv(content)
    assert rows[0][3] == "Värde år 2024"
    assert "Preliminärt" not in content
    goal_rows = [row for row in rows[1:] if "." not in row[0]]
    assert [row[7] for row in goal_rows] == [met_label(kpi.met) for kpi in compute_kpis(CLOSED, unit)]


@pytest.mark.parametrize(("year", "header", "preliminary"), [
    (RUNNING, f"Värde år 2025 (2025-01-01 – 2025-12-06, {PRELIMINARY})", True),
    (CLOSED, "Värde år 2024", False),
])
def test_xlsx_says_period_and_preliminary_for_the_running_year(client, frozen, golden, unit, year, header,
                                                              preliminary):
    client.force_login(golden["manager"])
    response = client.get(reverse("reports:export_xlsx", args=[year]))
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = [[cell.value for cell in row] for row in workbook.active.iter_rows()]
    assert rows[0][3] == header
    judged = [row[7] for row in rows[1:] if "." not in row[0]]
    kpis = compute_kpis(year, unit)
    assert judged == ([PRELIMINARY] * len(kpis) if preliminary else [met_label(kpi.met) for kpi in kpis])
    assert (PRELIMINARY in (workbook.properties.title or "")) is preliminary


# --- The yearly PDF -------------------------------------------------------------------


def pdf_text(content):
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().replace("\xa0", " ").split()) for page in reader.pages)


def test_pdf_of_the_running_year_is_preliminary_on_the_cover_and_every_goal(frozen, golden, unit):
    text = pdf_text(evaluation.render_evaluation(RUNNING, unit)[2])
    assert "Period 2025-01-01 – 2025-12-06 (jämfört med 2024)" in text
    assert "2025-12-31" not in text.split("Innehåll")[0], "the cover does not say the period ends 31 December"
    assert (f"Status {PRELIMINARY}. Året 2025 är inte slut: inget mål bedöms förrän året är slut."
            in text)
    # Every goal's assessment, and the summary table, instead of a verdict.
    assert text.count(f"Bedömning: {PRELIMINARY}") == 8
    assert text.count(PRELIMINARY) >= 1 + 8 + 1 + 8
    assert "uppfylldes 2025" not in text
    assert not any(verdict in text for verdict in ("Bedömning: Uppfyllt", "Bedömning: Ej uppfyllt",
                                                   "Bedömning: Bedöms inte"))


def test_pdf_of_a_closed_year_is_unchanged(frozen, unit):
    text = pdf_text(evaluation.render_evaluation(CLOSED, unit)[2])
    assert "Period 2024-01-01 – 2024-12-31 (jämfört med 2023)" in text
    assert "Preliminärt" not in text
    assert "Bedömning: Preliminärt" not in text
    assert re.search(r"\d+ av \d+ mål som kan bedömas uppfylldes 2024\.", text)
