"""The matching of a vacant apartment to waiting decisions
(tenancies.services.matching): which decisions are candidates, the hard
rules and the soft mismatches, and the order."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.tests.factories import UnitFactory
from referrals.models import Decision, DecisionKind, DecisionOutcome, ProtectionLevel
from referrals.tests.factories import ClientFactory
from tenancies.models import ApartmentKind, ApartmentOffer, HousingNeeds, OfferState, WaitingPriority
from tenancies.services import matching

from .factories import ApartmentFactory, TenancyFactory, granted_decision, list_entry

TODAY = date(2026, 3, 1)

pytestmark = pytest.mark.django_db


def _decision(unit, *, decided_on=date(2025, 6, 1), kind=DecisionKind.TRAINING_APARTMENT, needs=None, areas=(),
              **extra):
    decision = granted_decision(ClientFactory(unit=unit), kind=kind, decided_on=decided_on, **extra)
    if needs is not None:
        row = HousingNeeds.objects.create(decision=decision, **needs)
        row.areas.set([list_entry_for(unit, name) for name in areas])
    return decision


def list_entry_for(unit, name):
    from tenancies.models import Area

    return list_entry(Area, unit, name)


@pytest.fixture
def apartment(unit):
    # A 2-room training apartment on the third floor without a lift, in Centrum.
    return ApartmentFactory(unit=unit, rooms=2, floor=3, has_lift=False, area="Centrum")


def _ids(candidates):
    return [candidate.decision.pk for candidate in candidates]


def test_only_the_fitting_waiting_decisions_of_the_unit_are_candidates(unit, apartment, case_officer):
    no_needs = _decision(unit, decided_on=date(2025, 1, 10))
    fits_needs = _decision(unit, decided_on=date(2025, 2, 10), needs={"rooms_min": 1, "rooms_max": 2, "max_floor": 4},
                           areas=["Centrum", "Norr"])
    # Excluded, one rule each:
    _decision(unit, kind=DecisionKind.TRIAL_APARTMENT)  # another kind
    _decision(unit, needs={"rooms_min": 3})  # too few rooms
    _decision(unit, needs={"rooms_max": Decimal("1.5")})  # too many rooms
    _decision(unit, needs={"needs_lift": True})  # third floor, no lift
    _decision(unit, needs={"max_floor": 2})  # too high up
    _decision(unit, needs={}, areas=["Norr"])  # another area
    _decision(unit, executed_on=date(2025, 7, 1))  # executed
    _decision(unit, closed_on=date(2025, 7, 1), close_reason="Flyttade")  # closed
    rejected = _decision(unit)
    Decision.objects.filter(pk=rejected.pk).update(outcome=DecisionOutcome.REJECTED)
    _decision(unit, valid_to=date(2026, 2, 28))  # no longer valid
    _decision(UnitFactory())  # another unit's client
    offered = _decision(unit)  # has an open offer of another apartment
    ApartmentOffer.objects.create(
        apartment=ApartmentFactory(unit=unit), decision=offered, offered_on=date(2026, 2, 1),
        move_in_on=date(2026, 3, 1), answer_by=date(2026, 2, 8), made_by=case_officer,
    )

    candidates = matching.candidates_for(apartment, TODAY)

    assert _ids(candidates) == [no_needs.pk, fits_needs.pk]
    first, second = candidates
    assert first.mismatches == []
    assert "Inga boendebehov registrerade: alla lägenheter av slaget passar" in first.fits
    assert "2 rum (behov 1–2)" in second.fits
    assert "Område: Centrum" in second.fits
    assert "Våning 3 (högst 4)" in second.fits
    # 2025-01-10 to 2026-03-01.
    assert first.days_waiting == 415


def test_a_declined_offer_leaves_the_decision_a_candidate(unit, apartment, case_officer):
    decision = _decision(unit)
    ApartmentOffer.objects.create(
        apartment=ApartmentFactory(unit=unit), decision=decision, offered_on=date(2026, 2, 1),
        move_in_on=date(2026, 3, 1), answer_by=date(2026, 2, 8), made_by=case_officer,
        state=OfferState.DECLINED, decline_reason="area",
    )

    assert _ids(matching.candidates_for(apartment, TODAY)) == [decision.pk]


def test_lift_and_ground_floor(unit):
    needs = {"needs_lift": True}
    decision = _decision(unit, needs=needs)
    ground = ApartmentFactory(unit=unit, floor=0, has_lift=False)
    lift = ApartmentFactory(unit=unit, floor=5, has_lift=True)
    unknown = ApartmentFactory(unit=unit, floor=None, has_lift=False)
    first_floor = ApartmentFactory(unit=unit, floor=1, has_lift=False)

    assert "Bottenvåning" in matching.candidates_for(ground, TODAY)[0].fits
    assert "Hiss" in matching.candidates_for(lift, TODAY)[0].fits
    # The floor not recorded: still a candidate, with the doubt said.
    [candidate] = matching.candidates_for(unknown, TODAY)
    assert candidate.decision.pk == decision.pk
    assert candidate.mismatches == ["Behöver hiss eller bottenvåning: våningen är inte registrerad"]
    assert matching.candidates_for(first_floor, TODAY) == []


def test_children_fewer_rooms_is_a_soft_mismatch(unit):
    family = _decision(unit, needs={"children": 2, "accessibility": "Rullstol"})
    two_rooms = ApartmentFactory(unit=unit, rooms=2)
    three_rooms = ApartmentFactory(unit=unit, rooms=3)

    [candidate] = matching.candidates_for(two_rooms, TODAY)
    assert candidate.decision.pk == family.pk
    # Two children: a room each plus one for the parent = 3 rooms.
    assert candidate.mismatches == [
        "2 barn: färre rum än barnen plus ett",
        "Andra tillgänglighetsbehov att kontrollera: Rullstol",
    ]
    [candidate] = matching.candidates_for(three_rooms, TODAY)
    assert "Plats för 2 barn" in candidate.fits


def test_area_not_recorded_later_validity_and_current_tenancy_are_soft(unit):
    apartment = ApartmentFactory(unit=unit, area="")
    decision = _decision(unit, needs={}, areas=["Norr"], valid_from=date(2026, 4, 1))
    TenancyFactory(apartment=ApartmentFactory(unit=unit, kind=ApartmentKind.EMERGENCY), client=decision.client)

    [candidate] = matching.candidates_for(apartment, TODAY)

    assert candidate.mismatches == [
        "Vill ha vissa områden: lägenhetens område är inte registrerat",
        "Beslutet gäller från 2026-04-01",
        "Bor i en lägenhet i verksamheten nu: flytten blir en omflyttning",
    ]


def test_order_newest_priority_first_then_oldest_decision(unit, apartment, case_officer):
    oldest = _decision(unit, decided_on=date(2024, 1, 1))
    newer = _decision(unit, decided_on=date(2025, 1, 1))
    urgent_now = _decision(unit, decided_on=date(2025, 6, 1))
    was_urgent = _decision(unit, decided_on=date(2023, 6, 1))
    high = _decision(unit, decided_on=date(2025, 9, 1))
    WaitingPriority.objects.create(decision=urgent_now, level=WaitingPriority.Level.URGENT, reason="Akut hemlös",
                                   set_by=case_officer)
    WaitingPriority.objects.create(decision=was_urgent, level=WaitingPriority.Level.URGENT, reason="Akut",
                                   set_by=case_officer)
    # The newest priority is in force: was_urgent is normal now.
    WaitingPriority.objects.create(decision=was_urgent, level=WaitingPriority.Level.NORMAL, reason="Har ordnat boende",
                                   set_by=case_officer)
    WaitingPriority.objects.create(decision=high, level=WaitingPriority.Level.HIGH, reason="Barn", set_by=case_officer)

    candidates = matching.candidates_for(apartment, TODAY)

    # Urgent, high, then the normal ones (set or not) oldest first.
    assert _ids(candidates) == [urgent_now.pk, high.pk, was_urgent.pk, oldest.pk, newer.pk]
    assert candidates[0].priority_reason == "Akut hemlös"
    assert candidates[2].has_priority and not candidates[3].has_priority


def test_the_query_count_does_not_grow_with_the_candidates(unit, apartment, case_officer, django_assert_num_queries):
    for _ in range(2):
        _decision(unit, needs={"rooms_min": 1}, areas=["Centrum"])
    # One query: decisions with needs, priority, the areas' flags (and the
    # clients, for a page's user).
    with django_assert_num_queries(1):
        assert len(matching.candidates_for(apartment, TODAY)) == 2
    for _ in range(20):
        _decision(unit, needs={"rooms_min": 1}, areas=["Centrum"])
    with django_assert_num_queries(1):
        assert len(matching.candidates_for(apartment, TODAY)) == 22
    case_officer.has_role("x")  # the user's roles, read once per request
    with django_assert_num_queries(1):
        candidates = matching.candidates_for(apartment, TODAY, user=case_officer, sees_protected=False)
        assert {c.client.unit_id for c in candidates} == {unit.pk}


def test_attach_clients_leaves_out_protected_people_and_reads_no_client_for_them(unit, apartment, case_officer):
    shown = _decision(unit, decided_on=date(2025, 1, 1))
    protected = _decision(unit, decided_on=date(2025, 2, 1))
    protected.client.protection_level = ProtectionLevel.PROTECTED_REGISTRATION
    protected.client.save()
    candidates = matching.candidates_for(apartment, TODAY)

    visible, hidden = matching.attach_clients(candidates, case_officer, sees_protected=False)
    assert [c.decision.pk for c in visible] == [shown.pk] and hidden == 1
    assert visible[0].client.pk == shown.client_id

    candidates = matching.candidates_for(apartment, TODAY)
    visible, hidden = matching.attach_clients(candidates, case_officer, sees_protected=True)
    assert len(visible) == 2 and hidden == 0


def test_with_a_user_protected_people_are_left_out_in_sql(unit, apartment, case_officer, outside_officer):
    shown = _decision(unit, decided_on=date(2025, 1, 1))
    protected = _decision(unit, decided_on=date(2025, 2, 1))
    protected.client.protection_level = ProtectionLevel.CONFIDENTIALITY_MARK
    protected.client.save()

    assert _ids(matching.candidates_for(apartment, TODAY, user=case_officer, sees_protected=False)) == [shown.pk]
    assert _ids(matching.candidates_for(apartment, TODAY, user=case_officer)) == [shown.pk, protected.pk]
    # An officer of another unit may open none of the clients.
    assert matching.candidates_for(apartment, TODAY, user=outside_officer) == []


# --- A Housing First decision from the steering group (tenancies.housing_first) -------------


def _housing_first_decision(ctx, manager, unit, client, *, before=None):
    """A candidate proposed, assessed, placed by the steering group (after
    `before`, if given) and decided: the services' own path."""
    from datetime import timedelta

    from django.utils import timezone

    from referrals.models.housing_first import CandidateAssessment, HomelessSituation, ProposalSource
    from referrals.services import housing_first

    today = timezone.localdate()
    candidate = housing_first.propose_candidate(
        ctx, unit, client=client, source=ProposalSource.UNIT, situation=HomelessSituation.ACUTE,
        needs="Sover ute sedan två månader; behöver bo nära sin mottagning.", proposed_on=today - timedelta(days=20),
        assessment="Mest akuta behovet i gruppen just nu.",
    )
    housing_first.record_assessment(ctx, candidate, met_on=today - timedelta(days=10), notes="Akut.",
                                    recommendation=CandidateAssessment.Recommendation.RECOMMEND)
    order = [before, candidate] if before is not None else [candidate]
    housing_first.record_steering_decision(ctx(manager), unit, decided_on=today, candidates=order)
    return housing_first.make_decision(ctx, candidate, decided_on=today), candidate


def test_a_housing_first_decision_waits_with_the_steering_groups_priority_and_the_needs(ctx, unit, manager):
    from referrals.models import Client
    from referrals.models.housing_first import HousingFirstCandidate

    first = HousingFirstCandidate.objects.create(
        unit=unit, client=ClientFactory(unit=unit), source="unit", proposed_by=ctx.user,
        proposed_on=date(2026, 1, 1), situation="1", needs="Annan", stage="assessed",
    )
    decision, _candidate = _housing_first_decision(ctx, manager, unit, ClientFactory(unit=unit), before=first)

    priority = WaitingPriority.objects.get(decision=decision)
    assert priority.level == WaitingPriority.Level.HIGH and priority.set_by == ctx.user
    day = decision.decided_on.strftime("%Y-%m-%d")
    assert priority.reason == f"Bostad först: plats 2 av 2 i styrgruppens prioriteringsordning {day}."
    needs = HousingNeeds.objects.get(decision=decision)
    assert "Sover ute sedan två månader; behöver bo nära sin mottagning." in needs.notes
    assert "Mest akuta behovet i gruppen just nu." in needs.notes
    assert needs.version == 1 and Client.objects.filter(pk=decision.client_id).exists()


def test_a_housing_first_decision_is_matched_to_a_housing_first_apartment_on_the_matching_page(
    client, ctx, unit, manager, case_officer,
):
    from django.urls import reverse

    from tenancies.models import Vacancy, VacancyReason

    apartment = ApartmentFactory(unit=unit, kind=ApartmentKind.HOUSING_FIRST, rooms=1, floor=0,
                                 street_address="Bostad först-gatan 1")
    Vacancy.objects.create(apartment=apartment, reason=VacancyReason.MOVE_OUT, vacant_from=date(2026, 1, 1))
    # An older Housing First decision without a priority, and a training
    # apartment decision: the steering group's decision comes first, the
    # training one is no candidate for this apartment.
    older = _decision(unit, kind=DecisionKind.HOUSING_FIRST, decided_on=date(2025, 1, 10))
    training = _decision(unit, decided_on=date(2024, 1, 10))
    prioritised = ClientFactory(unit=unit, first_name="Stina", last_name="Styrgruppsdotter")
    decision, _candidate = _housing_first_decision(ctx, manager, unit, prioritised)

    client.force_login(case_officer)
    response = client.get(reverse("tenancies:vacancy_match", args=[apartment.pk]))

    assert response.status_code == 200
    assert [c.decision.pk for c in response.context["candidates"]] == [decision.pk, older.pk]
    assert training.pk not in {c.decision.pk for c in response.context["candidates"]}
    first = response.context["candidates"][0]
    assert first.level == WaitingPriority.Level.HIGH and first.has_priority
    body = response.content.decode()
    assert "Stina Styrgruppsdotter" in body
    assert "styrgruppens prioriteringsordning" in body
