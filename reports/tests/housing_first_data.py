"""The hand-built Housing First data set (reports.kpis.housing_first): the
figures' tests (test_housing_first_figures.py) work out every expected
number from it in their comments, the drill-down's tests
(test_housing_first_drilldown.py) the records behind them."""

from datetime import date

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from referrals.models import DecisionKind, HousingFirstCandidate
from referrals.models.housing_first import CandidateStage, HomelessSituation, ProposalSource
from referrals.tests.factories import ClientFactory
from tenancies.models import ApartmentKind, EndReason
from tenancies.tests.factories import ApartmentFactory, TenancyFactory, granted_decision

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


def build_candidates(unit, other_unit, case_officer):
    """The candidates C1–C8 (the figures' comments name them)."""
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


def build_tenancies(unit, other_unit):
    """The tenancies T1–T12 (the figures' comments name them)."""
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
