"""The demo's housing chain (demo/chain/): after a small seed the pages of
issue 15 have something to show: vacancies with days empty, decisions
waiting with needs and priorities (none past the IVO deadline but the one
the casework demo plants), a Housing First list with assessments, a
steering group's order and a decision that waits with that order's priority
and the candidate's needs, and person links (one in force, one undone).
One seed for all the checks: it is the slow part."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Unit
from referrals.models import Decision, DecisionKind
from referrals.models.housing_first import (
    CandidateAssessment,
    CandidateStage,
    HousingFirstCandidate,
    ProposalSource,
    SteeringDecision,
)
from referrals.models.links import PersonLink, PersonLinkKind
from reports.kpis import occupancy
from tenancies.models import HousingNeeds, Vacancy, WaitingPriority
from tenancies.services import waiting

pytestmark = pytest.mark.django_db


def test_small_demo_fills_the_housing_chain_pages():
    call_command("seed_demo", force=True, scale="small", seed=3, stdout=io.StringIO())
    today = timezone.localdate()
    units = list(Unit.objects.filter(clients__isnull=False).distinct().order_by("pk"))
    assert units

    # Vacancies: open ones with days empty, some with a ready-from date.
    open_vacancies = Vacancy.objects.filter(ended_on__isnull=True, vacant_from__lte=today)
    assert open_vacancies.exists()
    assert open_vacancies.filter(ready_from__isnull=False).exists()
    assert Vacancy.objects.filter(ended_on__isnull=False).exists()

    # The waiting list: every unit with clients has decisions waiting, most
    # with needs, some with a priority (each with its reason).
    rows = [row for unit in units for row in waiting.waiting_decisions(unit, today)]
    assert rows and all(waiting.is_waiting(decision) for decision in rows)
    with_needs = HousingNeeds.objects.filter(decision__in=[decision.pk for decision in rows]).count()
    assert with_needs > len(rows) / 2
    prioritised = [decision for decision in rows if decision.priority_level is not None]
    assert prioritised and all(decision.priority_reason for decision in prioritised)
    # IVO: the waiting list's own decisions (5–85 days old) are never
    # reportable; the only one past the deadline is the casework demo's
    # person without a number, who waits on purpose (test_seed_demo.py).
    reportable = [decision for decision in rows if waiting.ivo_state(decision, today) == waiting.IvoState.REPORTABLE]
    assert [decision.client.personal_number for decision in reportable] == [""] * len(reportable)
    assert len(reportable) <= 1
    assert any(waiting.ivo_state(decision, today) == waiting.IvoState.SOON for decision in rows)

    # Housing First: candidates from the unit and from outreach, assessed,
    # a steering group's order in force after an older one, and a decision
    # that waits with the steering group's priority and the candidate's needs.
    candidates = HousingFirstCandidate.objects.all()
    assert {c.source for c in candidates} == {ProposalSource.UNIT, ProposalSource.OUTREACH}
    assert CandidateAssessment.objects.exists()
    for unit in {c.unit for c in candidates}:
        decisions = list(SteeringDecision.objects.filter(unit=unit).order_by("decided_on", "pk"))
        assert len(decisions) == 2
        places = list(decisions[-1].priorities.values_list("position", flat=True))
        assert places == list(range(1, len(places) + 1))
    decided = candidates.filter(stage=CandidateStage.DECIDED).select_related("decision")
    assert decided
    for candidate in decided:
        decision = candidate.decision
        assert decision.kind == DecisionKind.HOUSING_FIRST and decision in Decision.objects.not_executed()
        priority = decision.waiting_priorities.get()
        assert priority.level == WaitingPriority.Level.HIGH and "styrgruppens prioriteringsordning" in priority.reason
        assert candidate.needs in decision.housing_needs.notes
        assert decision.pk in {row.pk for row in rows}

    # Person links: one outreach order linked to its client, one undone.
    linked = PersonLink.objects.filter(kind=PersonLinkKind.SAME_PERSON, order__isnull=False)
    in_force = [link for link in linked if link.unlinked_at is None]
    undone = [link for link in linked if link.unlinked_at is not None]
    assert in_force and undone
    assert all(link.order.client_id == link.client_id for link in in_force)
    assert all(link.order.client_id is None and link.unlink_reason for link in undone)

    # Occupancy: the running year's page has apartments, with empty days.
    rows = occupancy.per_apartment(today.year, units[0])
    assert rows and sum(row.empty_days for row in rows) > 0
