"""The Housing First figures (reports.kpis.housing_first) on a small data set
built by hand (housing_first_data.py: C1–C8, T1–T12); every expected number
is worked out in the comments."""

from datetime import date

import pytest
from django.urls import reverse

from reports import snapshots
from reports.kpis import additional_figures
from reports.kpis.housing_first import section
from reports.tests.housing_first_data import build_candidates, build_tenancies

pytestmark = pytest.mark.django_db

YEAR = 2025
# A day in 2026: 2025 is a closed year (reference day 31 December 2025).
TODAY = date(2026, 6, 1)


@pytest.fixture
def candidates(unit, other_unit, case_officer):
    build_candidates(unit, other_unit, case_officer)


@pytest.fixture
def tenancies(unit, other_unit):
    build_tenancies(unit, other_unit)


def values(figures_section):
    return {figure.key.removeprefix("housing_first."): (figure.value, figure.previous)
            for figure in figures_section.figures}


def test_candidate_figures_of_a_closed_year(candidates, unit):
    got = values(section(YEAR, unit, today=TODAY))
    # Proposed in 2025: C1, C2, C3, C4; in 2024: C5, C6.
    assert got["proposed"] == (4, 2)
    # 2025: C1, C3 by the unit, C2, C4 from outreach; 2024: C5, C6 by the unit.
    assert got["source.unit"] == (2, 2)
    assert got["source.outreach"] == (2, 0)
    # Situation 1: C1, C3 (2025), C6 (2024); 2: C2; 3: C5 (2024); 4: C4.
    assert got["situation.1"] == (2, 1)
    assert got["situation.2"] == (1, 0)
    assert got["situation.3"] == (0, 1)
    assert got["situation.4"] == (1, 0)
    # On 31 December 2025: C3 (assessed) and C4 (housed in 2026); on 31
    # December 2024: C6 (housed in 2025). C5 withdrawn never counts.
    assert got["waiting"] == (2, 1)
    # Housed in 2025: C6 (101 days), C1 (30), C2 (90); none in 2024.
    assert got["housed"] == (3, 0)
    # Median of 30, 90, 101 = 90; mean 221 / 3 = 73.67 -> 73.7.
    assert got["median_days"] == (90, None)
    assert str(got["mean_days"][0]) == "73.7"
    assert got["mean_days"][1] is None


def test_tenancies_kept_after_twelve_months(tenancies, unit):
    got = values(section(YEAR, unit, today=TODAY))
    # The 2025 cohort: Housing First tenancies started in 2024, not internal
    # moves: T1, T2, T3, T4, T5, T8 (T10's is an internal move, T9 another
    # unit's); kept: T1, T3 (leap day), T4 (internal move) = 3 of 6.
    # The 2024 cohort: T6, kept.
    assert got["cohort"] == (6, 1)
    assert got["kept"] == (3, 1)
    assert str(got["kept_share"][0]) == "50.0"
    assert str(got["kept_share"][1]) == "100.0"


def test_the_running_year_counts_up_to_today(candidates, tenancies, unit):
    got = values(section(2026, unit, today=TODAY))
    # 2026 up to 1 June: C8 proposed; C4 housed 2026-01-15 (75 days);
    # waiting today: C3 and C8.
    assert got["proposed"] == (1, 4)
    assert got["housed"] == (1, 3)
    assert got["median_days"][0] == 75
    assert got["waiting"] == (1 + 1, 2)
    # Cohort 2026 by 1 June: T11 (anniversary 2026-05-01) and C2's tenancy
    # (moved in 2025-05-30, anniversary 2026-05-30), both still there; not
    # T12 (anniversary 2026-08-01).
    assert got["cohort"] == (2, 6)
    assert got["kept"] == (2, 3)


def test_three_queries_whatever_the_data(candidates, tenancies, unit, django_assert_num_queries):
    with django_assert_num_queries(3):
        section(YEAR, unit, today=TODAY)


def test_the_section_is_among_the_dashboards_figures_and_in_a_fixed_year(candidates, tenancies, unit, manager):
    live = next(s for s in additional_figures(YEAR, unit) if s.key == "housing_first")
    snapshot, _created = snapshots.freeze_year(unit, YEAR, user=manager)
    frozen = snapshots.frozen_year(unit, YEAR)
    fixed = next(s for s in frozen.sections if s.key == "housing_first")
    assert values(fixed) == values(live)
    assert values(fixed)["kept"] == (3, 1)


def test_the_dashboard_shows_the_section(candidates, unit, manager, client):
    client.force_login(manager)
    response = client.get(reverse("reports:dashboard", args=[YEAR]))
    assert response.status_code == 200
    assert 'id="section-housing_first-heading"' in response.content.decode()
