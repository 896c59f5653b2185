"""The rent figures where they are shown: the dashboard (figures, the
arrears trend chart), their drill-down lists (access rules, access log),
the yearly PDF (pypdf) and a fixed year (the figures stay as fixed after a
later, back-dated payment). The ledger is rent_data.py's."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessLogEntry
from rent.services.allocation import allocate_tenancy
from reports import evaluation
from reports.kpis import additional_figures
from reports.snapshots import freeze_year, frozen_year
from reports.tests.rent_data import KR, build_rent_dataset, pay
from reports.tests.test_evaluation_pdf import body_text

pytestmark = pytest.mark.django_db
YEAR = 2025


@pytest.fixture
def ledger(unit, other_unit):
    return build_rent_dataset(unit, other_unit)


def arrears_amount(sections):
    section = next(section for section in sections if section.key == "arrears")
    return next(figure for figure in section.figures if figure.key == "arrears.amount")


def test_dashboard_shows_the_rent_figures_and_the_trend(client, ledger, manager):
    client.force_login(manager)
    response = client.get(reverse("reports:dashboard", args=[YEAR]))
    assert response.status_code == 200
    html = response.content.decode().replace("\xa0", " ")
    assert "Hyresskulder" in html and "13 000 kr" in html
    assert "Inbetalningsgrad" in html and "56,4 %" in html
    assert "Avbetalningsplaner" in html and "80,0 %" in html
    assert 'id="chart-arrears-trend' in html
    # The amount links to the tenancies behind it.
    assert reverse("reports:drilldown", args=[YEAR, "arrears.tenancies"]) in html
    charts = {data.key: data for data, _svg in response.context["charts"]}
    trend = charts["arrears-trend"]
    assert trend.series[str(YEAR)][-3:] == [5_000, 12_000, 13_000]
    assert not trend.summable


def test_drilldown_lists_the_tenancies_in_arrears_and_logs_the_view(client, ledger, manager):
    client.force_login(manager)
    response = client.get(reverse("reports:drilldown", args=[YEAR, "arrears.tenancies"]))
    assert response.status_code == 200
    assert response.context["total"] == 1
    entries = AccessLogEntry.objects.filter(object_type="reports.drilldown")
    assert [entry.client_id for entry in entries] == [ledger["ta"].client_id]
    assert entries[0].note.startswith(f"arrears.tenancies {YEAR}")


def test_drilldown_access(client, ledger, unit, other_unit):
    url = reverse("reports:drilldown", args=[YEAR, "arrears.tenants"])
    assert client.get(url).status_code == 302
    client.force_login(UserFactory(unit=unit, roles=[Role.PILOT]))
    assert client.get(url).status_code == 403
    # A manager of the other unit sees that unit's figure (TC), never TA.
    client.force_login(UserFactory(unit=other_unit, roles=[Role.MANAGER]))
    response = client.get(url)
    assert response.status_code == 200
    shown = {row.link_text for row, _cells in response.context["rows"]}
    assert ledger["ta"].client.full_name not in shown
    assert response.context["total"] == 1


def test_pdf_has_the_rent_figures_and_the_trend(ledger, unit):
    _name, _mime, content = evaluation.render_evaluation(YEAR, unit)
    text = body_text(content)
    assert "Hyresskulder" in text
    assert "Hyresskulder 31 december 13 000 kr 9 000 kr" in text
    assert "Hyror och avgifter för året 19 500 kr 9 000 kr" in text
    assert "Inbetalningsgrad 56,4 % 0,0 %" in text
    assert "Andel avbetalningar betalda i tid 80,0 % 100,0 %" in text
    assert "Hyresskulder: det som är obetalt vid dagens slut" in text
    # The trend chart is an image (its title is drawn, not text): it is in the context, as PNG.
    assert 'alt="Hyresskulder per månadsslut 2025"' in str(evaluation.evaluation_context(YEAR, unit)["arrears_chart"])


def test_a_fixed_year_keeps_its_arrears_after_a_later_payment(ledger, unit, manager):
    snapshot, created = freeze_year(unit, YEAR, user=manager)
    assert created
    # A payment registered later but dated 20 December 2025 settles TA's debt: counted live, the arrears
    # on 31 December 2025 fall to 0; the fixed figures stay as reported.
    pay(ledger["ta"], date(2025, 12, 20), 13_000)
    allocate_tenancy(ledger["ta"].pk)
    assert arrears_amount(additional_figures(YEAR, unit)).value == 0
    frozen = frozen_year(unit, YEAR)
    assert arrears_amount(frozen.sections).value == 13_000 * KR
    assert arrears_amount(frozen.sections).previous == 9_000 * KR
    assert frozen.chart("arrears-trend").series[str(YEAR)][-1] == 13_000
    assert frozen.drilldown["arrears.tenancies"]["records"] == 1
