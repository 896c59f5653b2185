"""The Housing First figures (reports.kpis.housing_first) on a small data set
built by hand; every expected number is worked out in the comments."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from referrals.models import DecisionKind, HousingFirstCandidate
from referrals.models.housing_first import CandidateStage, HomelessSituation, ProposalSource
from referrals.tests.factories import ClientFactory
from reports import snapshots
from reports.kpis import additional_figures
from reports.kpis.housing_first import section
from tenancies.models import ApartmentKind, EndReason
from tenancies.tests.factories import ApartmentFactory, TenancyFactory, granted_decision

pytestmark = pytest.mark.django_db

YEAR = 2025
# A day in 2026: 2025 is a closed year (reference day 31 December 2025).
TODAY = date(2026, 6, 1)
HF = ApartmentKind.HOUSING_FIRST


def candidate(unit, proposer, proposed_on, *, source=ProposalSource.UNIT, situation=HomelessSituation.ACUTE,
              stage=CandidateStage.PROPOSED, executed_on=None, move_in=None):
    """A candidate; `executed_on` or `move_in` make it decided with a
    Housing First decision executed that day (executed_on) or not marked
    executed but linked to a tenancy moving in that day (move_in)."""
    client = ClientFactory(unit=unit)
    decision = None
    if executed_on or move_in:
        stage = CandidateStage.DECIDED
        decision = granted_decision(client, kind=DecisionKind.HOUSING_FIRST, decided_on=proposed_on,
                                    executed_on=executed_on, decided_by=proposer)
        if move_in:
            TenancyFactory(apartment=ApartmentFactory(unit=unit, kind=HF), client=client, start_date=move_in,
                           decision=decision)
    return HousingFirstCandidate.objects.create(
        unit=unit, client=client, source=source, proposed_by=proposer, proposed_on=proposed_on,
        situation=situation, needs="Fiktiva behov.", stage=stage, decision=decision,
    )


@pytest.fixture
def candidates(unit, other_unit, case_officer):
    c = case_officer
    S = HomelessSituation
    # C1: proposed 2025-02-01 (unit, situation 1), housed 2025-03-03: 30 days.
    candidate(unit, c, date(2025, 2, 1), executed_on=date(2025, 3, 3))
    # C2: proposed 2025-03-01 (outreach, situation 2), decision not marked
    # executed, its tenancy moved in 2025-05-30: 90 days (31 + 30 + 29).
    candidate(unit, c, date(2025, 3, 1), source=ProposalSource.OUTREACH, situation=S.INSTITUTION,
              move_in=date(2025, 5, 30))
    # C3: proposed 2025-06-01 (unit, situation 1), assessed: waiting.
    candidate(unit, c, date(2025, 6, 1), stage=CandidateStage.ASSESSED)
    # C4: proposed 2025-11-01 (outreach, situation 4), housed 2026-01-15
    # (75 days: 29 + 31 + 15): waiting on 31 December 2025.
    candidate(unit, c, date(2025, 11, 1), source=ProposalSource.OUTREACH, situation=S.SHORT_TERM_PRIVATE,
              executed_on=date(2026, 1, 15))
    # C5: proposed 2024-05-01 (unit, situation 3), withdrawn: never waiting.
    candidate(unit, c, date(2024, 5, 1), situation=S.LONG_TERM_ARRANGED, stage=CandidateStage.WITHDRAWN)
    # C6: proposed 2024-10-01 (unit, situation 1), housed 2025-01-10:
    # 101 days (31 + 30 + 31 + 9); waiting on 31 December 2024.
    candidate(unit, c, date(2024, 10, 1), executed_on=date(2025, 1, 10))
    # C7: another unit's: never counted.
    candidate(other_unit, UserFactory(unit=other_unit, roles=[Role.CASE_OFFICER]), date(2025, 4, 1),
              executed_on=date(2025, 4, 2))
    # C8: proposed 2026-01-05: after 2025.
    candidate(unit, c, date(2026, 1, 5))


def hf_tenancy(unit, start, end=None, reason="", kind=HF, client=None):
    extra = {"client": client} if client else {}
    return TenancyFactory(apartment=ApartmentFactory(unit=unit, kind=kind), start_date=start, end_date=end,
                          end_reason=reason, **extra)


@pytest.fixture
def tenancies(unit, other_unit):
    R = EndReason
    # T1: started 2024-03-01, still living there: kept.
    hf_tenancy(unit, date(2024, 3, 1))
    # T2: started 2024-06-15, moved out 2025-06-14, the day before the
    # anniversary: not kept.
    hf_tenancy(unit, date(2024, 6, 15), date(2025, 6, 14), R.OTHER_PLACEMENT)
    # T3: started 29 February 2024, moved out on the anniversary, 28
    # February 2025 (the move-out day counts): kept.
    hf_tenancy(unit, date(2024, 2, 29), date(2025, 2, 28), R.OWN_HOUSING)
    # T4: started 2024-09-01, moved within the programme 2025-04-30 to a
    # training apartment (internal move): the stay continues: kept.
    t4 = hf_tenancy(unit, date(2024, 9, 1), date(2025, 4, 30), R.MOVED_WITHIN_PROGRAMME)
    hf_tenancy(unit, date(2025, 5, 1), kind=ApartmentKind.TRAINING, client=t4.client)
    # T5: started 2024-10-01, moved within the programme 2025-03-31 to an
    # emergency apartment, there on the anniversary: not kept.
    t5 = hf_tenancy(unit, date(2024, 10, 1), date(2025, 3, 31), R.MOVED_WITHIN_PROGRAMME)
    hf_tenancy(unit, date(2025, 4, 1), kind=ApartmentKind.EMERGENCY, client=t5.client)
    # T6: started 2023-05-01, still there: the 2024 cohort, kept.
    hf_tenancy(unit, date(2023, 5, 1))
    # T7: a training apartment from 2024-01-10: not Housing First.
    hf_tenancy(unit, date(2024, 1, 10), kind=ApartmentKind.TRAINING)
    # T8: started 2024-04-01, evicted 2024-12-31: not kept.
    hf_tenancy(unit, date(2024, 4, 1), date(2024, 12, 31), R.EVICTED)
    # T9: another unit's Housing First tenancy of 2024: never counted.
    hf_tenancy(other_unit, date(2024, 5, 1))
    # T10: a training apartment 2023-01-01–2024-02-29, then an internal move
    # into Housing First on 2024-03-01: not a new Housing First start.
    t10 = hf_tenancy(unit, date(2023, 1, 1), date(2024, 2, 29), R.MOVED_WITHIN_PROGRAMME,
                     kind=ApartmentKind.TRAINING)
    hf_tenancy(unit, date(2024, 3, 1), client=t10.client)
    # T11: started 2025-05-01, still there: the 2026 cohort (its
    # anniversary 2026-05-01 is before 2026-06-01).
    hf_tenancy(unit, date(2025, 5, 1))
    # T12: started 2025-08-01: its anniversary is after 2026-06-01.
    hf_tenancy(unit, date(2025, 8, 1))


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
