"""The goal dashboard: who may open it, what it shows (the KPI engine's
figures for the manager's unit only), the year selector, and a query count
that does not grow with the data."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from core.formatting import display_value
from referrals.tests.factories_notices import EvictionNoticeFactory
from reports.kpis import compute_kpis
from reports.tests.golden_data import build_golden_dataset
from tenancies.models import EndReason
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

pytestmark = pytest.mark.django_db
YEAR = 2025
DASHBOARD = reverse("reports:dashboard")


def year_url(year=YEAR):
    return reverse("reports:dashboard", args=[year])


@pytest.fixture
def golden(unit, other_unit):
    return build_golden_dataset(unit, other_unit)


@pytest.mark.parametrize("url", [DASHBOARD, year_url()])
def test_anonymous_goes_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("role", ["case_officer", "pilot", "housing_admin", "system_admin", "outside_officer"])
@pytest.mark.parametrize("url", [DASHBOARD, year_url()])
def test_other_roles_are_refused(client, users, role, url):
    client.force_login(users[role])
    assert client.get(url).status_code == 403


def test_manager_without_unit_is_refused(client):
    client.force_login(UserFactory(username="chef_utan", unit=None, roles=[Role.MANAGER]))
    assert client.get(DASHBOARD).status_code == 403


@pytest.mark.parametrize("year", [1999, date.today().year + 1])
def test_year_out_of_range_is_404(client, manager, year):
    client.force_login(manager)
    assert client.get(year_url(year)).status_code == 404


def test_shows_the_engine_figures_of_the_unit(client, golden, unit, other_unit):
    manager = golden["manager"]
    client.force_login(manager)
    response = client.get(year_url())
    assert response.status_code == 200
    kpis = compute_kpis(YEAR, unit)
    assert response.context["kpis"] == kpis
    assert response.context["year"] == YEAR
    html = response.content.decode()
    for kpi in kpis:
        assert f'id="mal-{kpi.number}"' in html
        assert str(kpi.goal) in html or str(kpi.goal).replace("'", "&#x27;") in html
        assert display_value(kpi.value, kpi.kind) in html
        # The definition is printed beside the figure.
        assert "<details>" in html
    # Met / not met in words, not colour alone.
    assert "Uppfyllt" in html or "Ej uppfyllt" in html
    # Drill-down links from the figures.
    assert reverse("reports:drilldown", args=[YEAR, "kpi2.notices"]) in html
    assert reverse("reports:drilldown", args=[YEAR - 1, "kpi2.notices"]) in html
    # The caseload per bolots names the unit's bolotsar, never another unit's.
    assert "Medarbetare Ett" in html
    assert "Medarbetare Annan" not in html
    # Five charts with their tables (the fifth the rent arrears per month end).
    assert html.count('role="img"') == 5
    charts = {data.key: data for data, _svg in response.context["charts"]}
    assert charts["eviction-notices"].totals()[0] == kpis[1].figures[0].value or kpis[1].value is not None
    # Exports of the same year.
    assert reverse("reports:export_csv", args=[YEAR]) in html
    assert reverse("reports:export_xlsx", args=[YEAR]) in html


def test_other_unit_sees_only_its_own(client, golden, other_unit):
    other_manager = UserFactory(username="chef_annan", unit=other_unit, roles=[Role.MANAGER])
    client.force_login(other_manager)
    response = client.get(year_url())
    assert response.context["kpis"] == compute_kpis(YEAR, other_unit)
    html = response.content.decode()
    assert "Medarbetare Annan" in html
    assert "Medarbetare Ett" not in html


def test_year_selector(client, golden, manager):
    client.force_login(manager)
    response = client.get(DASHBOARD, {"ar": YEAR - 1})
    assert response.status_code == 200
    assert response.context["year"] == YEAR - 1
    assert response.context["kpis"] == compute_kpis(YEAR - 1, manager.unit)
    years = [value for value, _label in response.context["form"].fields["ar"].choices]
    # From the unit's first record to this year, newest first.
    assert years[0] == date.today().year
    assert years[-1] == min(
        t.start_date.year for t in golden.values() if getattr(t, "_meta", None) and t._meta.model_name == "tenancy"
        and t.apartment.unit_id == manager.unit_id
    )
    assert years == sorted(years, reverse=True)
    html = response.content.decode()
    assert f'<option value="{YEAR - 1}" selected>' in html


def test_unknown_year_in_the_selector_falls_back_to_this_year(client, manager):
    client.force_login(manager)
    response = client.get(DASHBOARD, {"ar": "1990"})
    assert response.status_code == 200
    assert response.context["year"] == date.today().year


def test_menu_entry(client, manager, case_officer):
    client.force_login(manager)
    html = client.get(reverse("home")).content.decode()
    assert DASHBOARD in html
    assert reverse("reports:enforcement_list") in html
    client.force_login(case_officer)
    html = client.get(reverse("home")).content.decode()
    assert DASHBOARD not in html


def _more_data(unit, count):
    """`count` more records of each charted kind in YEAR."""
    for index in range(count):
        EvictionNoticeFactory(unit=unit, received_on=date(YEAR, 1 + index % 12, 1 + index % 28),
                              children_count=index % 3)
        TenancyFactory(apartment=ApartmentFactory(unit=unit), start_date=date(YEAR - 1, 1, 1),
                       end_date=date(YEAR, 1 + index % 12, 10), end_reason=list(EndReason)[index % len(EndReason)])


def test_query_count_does_not_grow_with_the_data(client, unit, other_unit, django_assert_num_queries):
    """The whole page counted live, for a near-empty unit and for the golden
    data set with 40 more notices and tenancies: the same number of queries.
    Live is the running year (a closed year is read from its kept figures:
    test_year_figures.py); the data is the year before, its Y−1."""
    manager = UserFactory(username="chef_q", unit=unit, roles=[Role.MANAGER])
    _more_data(unit, 1)
    client.force_login(manager)
    running = year_url(timezone.localdate().year)
    client.get(running)  # warm the session and the permission cache of nothing
    with django_assert_num_queries(QUERIES - 1) as small:
        assert client.get(running).status_code == 200
    build_golden_dataset(unit, other_unit)
    _more_data(unit, 40)
    with django_assert_num_queries(QUERIES - 1) as large:
        response = client.get(running)
    assert response.status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)


# Fixed, whatever the data (the budget of 12 is for lists and detail pages;
# this page aggregates eight KPIs and four charts):
#   2  the request: the user and the unread-notification count of the menu
#      (session and permissions from the cache, the session row renewed
#      only once a minute: issue 16 §1);
#   2  the manager's unit and the years with data;
#   1  whether the (closed) year is fixed (reports.snapshots.frozen_year;
#      a fixed year runs none of the queries below: test_snapshots.py; nor
#      does a closed year's kept figures: test_year_figures.py). The running
#      year, counted live, has no such query: QUERIES - 1;
#  22  the KPI engine: 7 for KPIs 1–8 (KPI 2 with the enforcement figures,
#      KPI 6 with its median), 14 for the additional figures (3 of them the
#      rent figures, 3 the occupancy of the stock, 3 Housing First's), 1 for
#      the caseload per bolots;
#   5  the charts, one grouped query each (the fifth the rent arrears trend).
QUERIES = 32
