"""The Housing First workflow's rules (services.housing_first): who may take
which step, in which stage, and what each step writes. Every refusal is a
Swedish RuleError and leaves nothing written."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AccessLogEntry
from audit.versioning import ConcurrentEditError
from referrals.models import Decision, DecisionKind, DecisionOutcome, LegalReference, Order
from referrals.models.housing_first import (
    CandidateAssessment,
    CandidateStage,
    HomelessSituation,
    HousingFirstCandidate,
    ProposalSource,
    SteeringDecision,
)
from referrals.services import housing_first as services
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import make_pilot, outreach_order

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
RECOMMEND = CandidateAssessment.Recommendation.RECOMMEND


def propose(ctx, unit, client=None, order=None, **kwargs):
    kwargs.setdefault("source", ProposalSource.UNIT if client else ProposalSource.OUTREACH)
    kwargs.setdefault("situation", HomelessSituation.ACUTE)
    kwargs.setdefault("needs", "Sover ute sedan två månader, stort stödbehov.")
    kwargs.setdefault("proposed_on", TODAY - timedelta(days=20))
    return services.propose_candidate(ctx, unit, client=client, outreach_order=order, **kwargs)


@pytest.fixture
def street_order(unit, case_officer, pilot):
    """An outreach order under way, the pilot the active bolots."""
    return outreach_order(unit, case_officer, state="accepted", active_pilot=pilot,
                          passive_pilot=make_pilot(unit, "bolots_passiv"), accepted_at=timezone.now())


def assessed(ctx, candidate, met_on=None):
    services.record_assessment(ctx, candidate, met_on=met_on or TODAY - timedelta(days=10),
                               notes="Mest akut behov just nu.", recommendation=RECOMMEND)
    return candidate


# --- Proposing ----------------------------------------------------------------


def test_case_officer_proposes_a_client(ctx, unit, client_record):
    candidate = propose(ctx, unit, client=client_record, assessment="Aktuell för Bostad först.")

    assert candidate.stage == CandidateStage.PROPOSED
    assert candidate.proposed_by == ctx.user
    assert candidate.assessment == "Aktuell för Bostad först."
    assert AccessLogEntry.objects.filter(action="create", object_type="referrals.housingfirstcandidate",
                                         client_id=client_record.pk).exists()


def test_pilot_proposes_from_own_outreach_order_only(ctx, unit, pilot, second_pilot, street_order):
    candidate = propose(ctx(pilot), unit, order=street_order, assessment="ignored")

    assert candidate.source == ProposalSource.OUTREACH
    assert candidate.client is None
    assert candidate.assessment == "", "the case officer writes the assessment"
    other = outreach_order(unit, street_order.ordered_by)  # sent, nobody's yet
    with pytest.raises(services.HousingFirstError) as refused:
        propose(ctx(pilot), unit, order=other)
    assert refused.value.field == "outreach_order"
    with pytest.raises(services.HousingFirstError):
        propose(ctx(second_pilot), unit, order=street_order)


def test_pilot_cannot_propose_from_the_unit(ctx, unit, pilot, client_record, street_order):
    with pytest.raises(services.HousingFirstError) as refused:
        propose(ctx(pilot), unit, client=client_record)
    assert refused.value.field == "source"
    assert not HousingFirstCandidate.objects.exists()


def test_proposal_refusals(ctx, unit, other_unit, client_record, street_order, housing_admin, outside_officer):
    # Neither or both persons.
    with pytest.raises(services.HousingFirstError):
        propose(ctx, unit, source=ProposalSource.UNIT)
    with pytest.raises(services.HousingFirstError):
        propose(ctx, unit, client=client_record, order=street_order)
    # A client of another unit.
    with pytest.raises(services.HousingFirstError) as refused:
        propose(ctx, unit, client=ClientFactory(unit=other_unit))
    assert refused.value.field == "client"
    # In another unit, or without the permission.
    with pytest.raises(services.HousingFirstError):
        propose(ctx(outside_officer), unit, client=client_record)
    with pytest.raises(services.HousingFirstError):
        propose(ctx(housing_admin), unit, client=client_record)
    # A future date, empty needs.
    with pytest.raises(services.HousingFirstError) as refused:
        propose(ctx, unit, client=client_record, proposed_on=TODAY + timedelta(days=1))
    assert refused.value.field == "proposed_on"
    with pytest.raises(services.HousingFirstError) as refused:
        propose(ctx, unit, client=client_record, needs="  ")
    assert refused.value.field == "needs"
    assert not HousingFirstCandidate.objects.exists()


def test_a_person_is_on_the_list_once_while_active(ctx, unit, client_record):
    first = propose(ctx, unit, client=client_record)
    with pytest.raises(services.HousingFirstError) as refused:
        propose(ctx, unit, client=client_record)
    assert refused.value.code == "duplicate"
    services.withdraw(ctx, first, "Fick eget boende.")
    assert propose(ctx, unit, client=client_record).pk != first.pk


def test_update_candidate_keeps_history_and_detects_conflicts(ctx, unit, client_record):
    candidate = propose(ctx, unit, client=client_record)
    version = candidate.version
    candidate.assessment = "Nu akut: vräkt i veckan."
    services.update_candidate(ctx, candidate, expected_version=version)
    candidate.refresh_from_db()
    assert candidate.assessment == "Nu akut: vräkt i veckan."
    stale = HousingFirstCandidate.objects.get(pk=candidate.pk)
    stale.needs = "Annat"
    with pytest.raises(ConcurrentEditError):
        services.update_candidate(ctx, stale, expected_version=version)


# --- The working group ----------------------------------------------------------


def test_assessment_moves_proposed_to_assessed_and_keeps_every_row(ctx, unit, client_record):
    candidate = propose(ctx, unit, client=client_record)
    assessed(ctx, candidate, TODAY - timedelta(days=10))
    assessed(ctx, candidate, TODAY - timedelta(days=5))

    candidate.refresh_from_db()
    assert candidate.stage == CandidateStage.ASSESSED
    assert list(candidate.assessments.values_list("met_on", flat=True)) == [
        TODAY - timedelta(days=10), TODAY - timedelta(days=5)]


def test_assessment_refusals(ctx, unit, pilot, manager, client_record):
    candidate = propose(ctx, unit, client=client_record)
    for who in (pilot, manager):
        with pytest.raises(services.HousingFirstError):
            assessed(ctx(who), candidate)
    with pytest.raises(services.HousingFirstError) as refused:
        assessed(ctx, candidate, candidate.proposed_on - timedelta(days=1))
    assert refused.value.field == "met_on"
    with pytest.raises(services.HousingFirstError):
        services.record_assessment(ctx, candidate, met_on=TODAY, notes="", recommendation=RECOMMEND)
    services.withdraw(ctx, candidate, "Flyttat.")
    with pytest.raises(services.HousingFirstError) as refused:
        assessed(ctx, candidate)
    assert refused.value.code == "stage"
    assert not CandidateAssessment.objects.exists()


# --- The steering group ---------------------------------------------------------


def test_steering_decision_orders_and_replaces_the_order_in_force(ctx, unit, manager):
    a, b, c = (assessed(ctx, propose(ctx, unit, client=ClientFactory(unit=unit))) for _ in range(3))

    first = services.record_steering_decision(ctx(manager), unit, decided_on=TODAY - timedelta(days=3),
                                              candidates=[b, a], notes="Protokoll 1")
    assert list(first.priorities.values_list("candidate_id", "position")) == [(b.pk, 1), (a.pk, 2)]
    for candidate, stage in ((a, "prioritised"), (b, "prioritised"), (c, "assessed")):
        candidate.refresh_from_db()
        assert candidate.stage == stage, "left out: stays assessed"

    # The next meeting: c's need is now the most acute; b is left out.
    second = services.record_steering_decision(ctx(manager), unit, decided_on=TODAY, candidates=[c, a])
    for candidate, stage in ((a, "prioritised"), (b, "assessed"), (c, "prioritised")):
        candidate.refresh_from_db()
        assert candidate.stage == stage
    assert SteeringDecision.objects.count() == 2, "the older decision is kept as history"
    assert list(second.priorities.values_list("position", flat=True)) == [1, 2]


def test_steering_refusals(ctx, unit, other_unit, manager, client_record):
    proposed = propose(ctx, unit, client=client_record)
    ready = assessed(ctx, propose(ctx, unit, client=ClientFactory(unit=unit)))
    # Nobody decides alone on their own proposals: case officers may not.
    with pytest.raises(services.HousingFirstError) as refused:
        services.record_steering_decision(ctx, unit, decided_on=TODAY, candidates=[ready])
    assert refused.value.code == "permission"
    with pytest.raises(services.HousingFirstError) as refused:
        services.record_steering_decision(ctx(manager), unit, decided_on=TODAY, candidates=[proposed])
    assert refused.value.code == "stage"
    with pytest.raises(services.HousingFirstError):
        services.record_steering_decision(ctx(manager), unit, decided_on=TODAY, candidates=[])
    with pytest.raises(services.HousingFirstError):
        services.record_steering_decision(ctx(manager), unit, decided_on=TODAY, candidates=[ready, ready])
    with pytest.raises(services.HousingFirstError):
        services.record_steering_decision(ctx(manager), other_unit, decided_on=TODAY, candidates=[ready])
    services.record_steering_decision(ctx(manager), unit, decided_on=TODAY, candidates=[ready])
    with pytest.raises(services.HousingFirstError) as refused:
        services.record_steering_decision(ctx(manager), unit, decided_on=TODAY - timedelta(days=1),
                                          candidates=[ready])
    assert refused.value.field == "decided_on"
    assert SteeringDecision.objects.count() == 1


# --- The decision ---------------------------------------------------------------


def test_prioritised_client_gets_a_granted_housing_first_decision(ctx, unit, manager, client_record):
    candidate = assessed(ctx, propose(ctx, unit, client=client_record))
    with pytest.raises(services.HousingFirstError) as refused:
        services.make_decision(ctx, candidate, decided_on=TODAY)
    assert refused.value.code == "stage"
    services.record_steering_decision(ctx(manager), unit, decided_on=TODAY, candidates=[candidate])
    with pytest.raises(services.HousingFirstError):
        services.make_decision(ctx(manager), candidate, decided_on=TODAY)

    decision = services.make_decision(ctx, candidate, decided_on=TODAY)

    candidate.refresh_from_db()
    assert candidate.stage == CandidateStage.DECIDED and candidate.decision == decision
    assert decision.kind == DecisionKind.HOUSING_FIRST and decision.outcome == DecisionOutcome.GRANTED
    assert decision.client == client_record and decision.applied_on == candidate.proposed_on
    assert decision.legal_basis is not None and decision.legal_basis.is_valid_on(TODAY)
    # It now waits for an apartment (the waiting list and matching read these).
    assert decision in Decision.objects.not_executed()
    with pytest.raises(services.HousingFirstError):
        services.make_decision(ctx, candidate, decided_on=TODAY)


def test_outreach_subject_needs_a_client_first(ctx, unit, manager, pilot, street_order):
    candidate = assessed(ctx, propose(ctx(pilot), unit, order=street_order))
    services.record_steering_decision(ctx(manager), unit, decided_on=TODAY, candidates=[candidate])
    with pytest.raises(services.HousingFirstError) as refused:
        services.make_decision(ctx, candidate, decided_on=TODAY)
    assert refused.value.code == "no_client"
    assert not Decision.objects.filter(kind=DecisionKind.HOUSING_FIRST).exists()

    # Registered and linked: the order's client is the candidate's.
    client = ClientFactory(unit=unit)
    Order.objects.filter(pk=street_order.pk).update(client=client)
    decision = services.make_decision(ctx, candidate, decided_on=TODAY)
    candidate.refresh_from_db()
    assert candidate.client == client and decision.client == client


def test_withdraw_needs_a_reason_and_an_active_stage(ctx, unit, pilot, client_record):
    candidate = propose(ctx, unit, client=client_record)
    with pytest.raises(services.HousingFirstError):
        services.withdraw(ctx(pilot), candidate, "Nej")
    with pytest.raises(services.HousingFirstError) as refused:
        services.withdraw(ctx, candidate, " ")
    assert refused.value.field == "reason"
    services.withdraw(ctx, candidate, "Fick eget kontrakt.")
    candidate.refresh_from_db()
    assert (candidate.stage, candidate.stage_reason) == (CandidateStage.WITHDRAWN, "Fick eget kontrakt.")
    with pytest.raises(services.HousingFirstError):
        services.withdraw(ctx, candidate, "Igen")


def test_visibility(ctx, unit, pilot, second_pilot, manager, outside_officer, housing_admin, client_record,
                    street_order):
    from_unit = propose(ctx, unit, client=client_record)
    from_street = propose(ctx(pilot), unit, order=street_order)

    assert set(services.visible_candidates(ctx.user)) == {from_unit, from_street}
    assert set(services.visible_candidates(manager)) == {from_unit, from_street}
    assert list(services.visible_candidates(pilot)) == [from_street]
    assert list(services.visible_candidates(second_pilot)) == []
    assert list(services.visible_candidates(outside_officer)) == []
    assert list(services.visible_candidates(housing_admin)) == []


# --- Every step × role × stage, as a property -------------------------------------

ROLES = ["case_officer", "pilot", "housing_admin", "manager", "outside_officer"]


def allowed(step, role, stage):
    """The rule: which role may take which step from which stage."""
    if step == "assess":
        return role == "case_officer" and stage in services.ASSESSABLE
    if step == "steer":
        return role == "manager" and stage in services.STEERABLE
    if step == "decide":
        return role == "case_officer" and stage == CandidateStage.PRIORITISED
    if step == "withdraw":
        return role == "case_officer" and stage in CandidateStage.active()
    raise AssertionError(step)


def take(step, ctx, unit, candidate):
    if step == "assess":
        assessed(ctx, candidate, TODAY)
    elif step == "steer":
        services.record_steering_decision(ctx, unit, decided_on=TODAY, candidates=[candidate])
    elif step == "decide":
        services.make_decision(ctx, candidate, decided_on=TODAY)
    else:
        services.withdraw(ctx, candidate, "Skäl")


def test_every_step_by_every_role_from_every_stage(ctx, users, unit, manager):
    """Each step is taken exactly when the rule allows it, and a refused one
    writes nothing (the stage and the rows stay as they were)."""
    from django.db import transaction

    for stage in CandidateStage.values:
        for role in ROLES:
            for step in ("assess", "steer", "decide", "withdraw"):
                client = ClientFactory(unit=unit)
                candidate = HousingFirstCandidate.objects.create(
                    unit=unit, client=client, source=ProposalSource.UNIT, proposed_by=users["case_officer"],
                    proposed_on=TODAY - timedelta(days=5), situation=HomelessSituation.ACUTE, needs="Behov",
                    stage=stage,
                    decision=Decision.objects.create(
                        client=client, kind=DecisionKind.HOUSING_FIRST, legal_basis=LegalReference.objects.first(), applied_on=TODAY,
                        decided_on=TODAY, outcome=DecisionOutcome.GRANTED, valid_from=TODAY,
                        decided_by=users["case_officer"],
                    ) if stage == CandidateStage.DECIDED else None,
                )
                rows = (CandidateAssessment.objects.count(), SteeringDecision.objects.count(),
                        Decision.objects.count())
                try:
                    with transaction.atomic():
                        take(step, ctx(users[role]), unit, candidate)
                except services.HousingFirstError:
                    taken = False
                else:
                    taken = True
                assert taken == allowed(step, role, stage), (step, role, stage)
                if not taken:
                    candidate.refresh_from_db()
                    assert candidate.stage == stage
                    assert rows == (CandidateAssessment.objects.count(), SteeringDecision.objects.count(),
                                    Decision.objects.count())


# --- The candidate follows the person link (services.person_matching) -----------------


def test_outreach_candidate_follows_the_orders_link_and_its_undoing(ctx, unit, manager, pilot, street_order):
    from audit.models import FieldChange
    from referrals.services import person_matching

    candidate = propose(ctx(pilot), unit, order=street_order)
    assert candidate.client is None
    client = ClientFactory(unit=unit)

    link = person_matching.link_same_person(ctx, client, order=street_order, reason="Identifierad vid besök")

    candidate.refresh_from_db()
    # The candidate list and the steering group now see the client.
    assert candidate.client == client and candidate.outreach_order == street_order
    assert FieldChange.objects.filter(object_type="referrals.housingfirstcandidate", object_id=str(candidate.pk),
                                      field="client").count() == 1
    assert AccessLogEntry.objects.filter(object_type="referrals.housingfirstcandidate", client_id=client.pk,
                                         note=person_matching.NOTE_SAME).exists()

    # Undoing the link gives the candidacy back to the order's subject.
    person_matching.unlink(ctx, link, "Fel person")
    candidate.refresh_from_db()
    street_order.refresh_from_db()
    assert candidate.client is None and street_order.client is None
    assert FieldChange.objects.filter(object_type="referrals.housingfirstcandidate", object_id=str(candidate.pk),
                                      field="client").count() == 2

    # Linked again and decided: the decision is the client's, so the link
    # can no longer be undone, and the candidacy keeps its client.
    link = person_matching.link_same_person(ctx, client, order=street_order)
    services.record_steering_decision(ctx(manager), unit, decided_on=TODAY, candidates=[assessed(ctx, candidate)])
    decision = services.make_decision(ctx, candidate, decided_on=TODAY)
    assert decision.client == client
    assert person_matching.unlink_blockers(link) == [
        "Ett beslut om Bostad först har fattats för klienten utifrån uppdragets kandidatur."
    ]
    with pytest.raises(person_matching.LinkRefused):
        person_matching.unlink(ctx, link, "Fel person")
    candidate.refresh_from_db()
    assert candidate.client == client


def test_the_link_leaves_other_candidacies_alone(ctx, unit, pilot, street_order, client_record):
    from referrals.services import person_matching

    own = propose(ctx, unit, client=client_record)
    candidate = propose(ctx(pilot), unit, order=street_order)
    other = ClientFactory(unit=unit)

    link = person_matching.link_same_person(ctx, other, order=street_order)
    own.refresh_from_db()
    candidate.refresh_from_db()
    assert own.client == client_record and candidate.client == other
    person_matching.unlink(ctx, link, "Fel person")
    own.refresh_from_db()
    assert own.client == client_record
