"""The housing demo data at the small scale: apartments with histories that
obey the register's rules, agree with the casework's decisions, and a
second run that adds nothing."""

from collections import Counter, defaultdict
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from referrals.models import Decision, DecisionKind
from tenancies.models import (
    Apartment,
    ApartmentKind,
    ApartmentStatus,
    Complaint,
    EndReason,
    KeySet,
    Tenancy,
)
from tenancies.services.tenancies import derive_programme_fields

MODELS = (Apartment, Tenancy, KeySet, Complaint)


def seed(seed=2016):
    call_command("seed_demo", scale="small", seed=seed, force=True, stdout=StringIO())


@pytest.fixture
def seeded(db):
    seed()
    return list(Tenancy.objects.select_related("apartment", "client", "decision").order_by("start_date", "pk"))


def test_apartments_have_histories_of_one_to_ten_years(seeded):
    today = date.today()
    apartments = list(Apartment.objects.all())
    assert len(apartments) >= 25
    assert Counter(a.kind for a in apartments).most_common(1)[0][0] == ApartmentKind.TRAINING
    assert {a.kind for a in apartments} == set(ApartmentKind.values)
    assert {a.tenure for a in apartments} == {"rental", "municipal_tenant_owner"}
    assert len({a.area for a in apartments}) >= 3
    first_move_in = defaultdict(lambda: today)
    for tenancy in seeded:
        first_move_in[tenancy.apartment_id] = min(first_move_in[tenancy.apartment_id], tenancy.start_date)
    years = [(today - day).days / 365 for day in first_move_in.values()]
    assert len(first_move_in) >= 0.9 * len(apartments), "nearly every apartment has been let"
    assert min(years) < 3 and max(years) > 7, "histories from a year or two to about ten"
    assert all(a.lease_start and a.lease_start >= today - timedelta(days=11 * 366) for a in apartments)
    assert Counter(len([t for t in seeded if t.apartment_id == a.pk]) >= 3 for a in apartments)[True] >= 10


def test_the_register_rules_hold(seeded):
    by_apartment, by_client = defaultdict(list), defaultdict(list)
    for tenancy in seeded:
        by_apartment[tenancy.apartment_id].append(tenancy)
        by_client[tenancy.client_id].append(tenancy)
        # Every ended tenancy has its reason, and only ended ones.
        assert bool(tenancy.end_date) == bool(tenancy.end_reason), tenancy
        assert tenancy.end_date is None or tenancy.end_date >= tenancy.start_date
        assert tenancy.start_date <= date.today()
    for tenancies in list(by_apartment.values()) + list(by_client.values()):
        # No two tenancies of an apartment overlap; a client lives in one
        # apartment at a time (so never has two active tenancies).
        for earlier, later in zip(tenancies, tenancies[1:], strict=False):
            assert earlier.end_date is not None and earlier.end_date < later.start_date, (earlier, later)
    for tenancies in by_apartment.values():
        takeovers = [t for t in tenancies if t.end_reason == EndReason.FIRST_HAND_TAKEOVER]
        assert not takeovers or takeovers[-1] is tenancies[-1], "nothing is let after a takeover"
    for apartment in Apartment.objects.all():
        last = by_apartment[apartment.pk][-1] if by_apartment[apartment.pk] else None
        if last is not None and last.end_date is None:
            assert apartment.status == ApartmentStatus.OCCUPIED
        elif last is not None and last.end_reason == EndReason.FIRST_HAND_TAKEOVER:
            assert apartment.status == ApartmentStatus.LEFT_PROGRAMME
        else:
            assert apartment.status in (ApartmentStatus.VACANT, ApartmentStatus.REPAIR,
                                        ApartmentStatus.BEING_RETURNED)


def test_the_derived_fields_are_what_the_services_would_set(seeded):
    for tenancy in seeded:
        stored = (tenancy.is_internal_move, tenancy.continuous_since)
        derive_programme_fields(tenancy)
        assert (tenancy.is_internal_move, tenancy.continuous_since) == stored, tenancy
    assert sum(t.is_internal_move for t in seeded) >= 3


def test_executed_training_decisions_have_their_move_in(seeded):
    executed = Decision.objects.filter(kind=DecisionKind.TRAINING_APARTMENT, executed_on__isnull=False)
    assert executed.count() >= 40
    started = {(t.decision_id, t.start_date): t for t in seeded if t.decision_id}
    for decision in executed:
        tenancy = started.get((decision.pk, decision.executed_on))
        assert tenancy is not None, decision
        assert tenancy.apartment.kind == ApartmentKind.TRAINING and tenancy.client_id == decision.client_id
    for tenancy in seeded:
        if tenancy.decision_id:
            assert tenancy.decision.kind == tenancy.apartment.decision_kind
            assert tenancy.decision.executed_on <= tenancy.start_date


def test_end_reasons_come_in_realistic_proportions(seeded):
    reasons = Counter(t.end_reason for t in seeded if t.end_date)
    ended = sum(reasons.values())
    moved_on = reasons[EndReason.OWN_HOUSING] + reasons[EndReason.MOVED_WITHIN_PROGRAMME] + reasons[
        EndReason.OTHER_PLACEMENT]
    assert ended >= 100
    assert moved_on / ended >= 0.6, reasons
    assert reasons[EndReason.OWN_HOUSING] == max(reasons.values())
    assert 2 <= reasons[EndReason.FIRST_HAND_TAKEOVER] <= 0.1 * ended
    terminated = reasons[EndReason.TERMINATED_ARREARS] + reasons[EndReason.TERMINATED_DISTURBANCE]
    assert 0.05 * ended <= terminated + reasons[EndReason.EVICTED] <= 0.25 * ended
    assert reasons[EndReason.EVICTED] >= 1
    assert reasons[EndReason.DIED] <= 0.03 * ended
    for tenancy in seeded:
        if tenancy.end_reason == EndReason.FIRST_HAND_TAKEOVER:
            # After about three years in the programme.
            assert (tenancy.end_date - tenancy.continuous_since).days >= 3 * 365 - 10


def test_vacancies_keys_and_complaints(seeded):
    today = date.today()
    statuses = Counter(Apartment.objects.values_list("status", flat=True))
    assert statuses[ApartmentStatus.VACANT] >= 3 and statuses[ApartmentStatus.OCCUPIED] >= 10
    gaps = [later.start_date - earlier.end_date for earlier, later in _consecutive(seeded)]
    assert sum(gap > timedelta(days=30) for gap in gaps) >= 10, "past vacancies"
    assert KeySet.objects.filter(kept_at="Hyresgästen").count() == statuses[ApartmentStatus.OCCUPIED]
    assert not Apartment.objects.filter(keys__isnull=True).exists()
    complaints = list(Complaint.objects.select_related("tenancy"))
    assert len(complaints) >= 20
    assert {c.kind for c in complaints} == {"disturbance", "damage", "other"}
    for complaint in complaints:
        # Linked to the tenancy running on its date, as the service does.
        tenancy = complaint.tenancy
        assert tenancy.apartment_id == complaint.apartment_id
        assert tenancy.start_date <= complaint.occurred_on <= (tenancy.end_date or today)
    disturbed = {t.pk for t in seeded if t.end_reason == EndReason.TERMINATED_DISTURBANCE}
    assert disturbed <= {c.tenancy_id for c in complaints}, "terminations for disturbance had complaints"


def _consecutive(tenancies):
    by_apartment = defaultdict(list)
    for tenancy in tenancies:
        by_apartment[tenancy.apartment_id].append(tenancy)
    for rows in by_apartment.values():
        yield from zip(rows, rows[1:], strict=False)


def test_a_second_run_adds_nothing(seeded):
    before = {model.__name__: model.objects.count() for model in MODELS}

    seed()

    assert {model.__name__: model.objects.count() for model in MODELS} == before


def test_areas_and_landlords_are_lists_and_an_empty_apartment_has_a_cost(seeded):
    # Issue 12 §7: every apartment's area and landlord are entries of its
    # unit's lists, one entry per name; a vacant apartment shows what the
    # vacancy has cost.
    from tenancies.models import Area, Landlord
    from tenancies.services.vacancy import vacancy_cost

    apartments = list(Apartment.objects.select_related("area", "landlord"))
    assert all(a.area.unit_id == a.unit_id and a.landlord.unit_id == a.unit_id for a in apartments)
    for model in (Area, Landlord):
        names = list(model.objects.values_list("unit_id", "name"))
        assert len(names) == len({(unit, name.casefold()) for unit, name in names})
    from tenancies.services.apartments import days_vacant_expression
    from tenancies.services.vacancy import since_from_days

    today = date.today()
    rows = Apartment.objects.filter(status=ApartmentStatus.VACANT).annotate(
        days_vacant=days_vacant_expression(today)).values_list("monthly_cost", "days_vacant")
    costs = [vacancy_cost(cost, since_from_days(days, today), today) for cost, days in rows]
    assert any(cost is not None and cost.since_vacant > 0 for cost in costs)


def test_a_client_who_moved_into_a_training_apartment_is_visited_there(seeded, client):
    # Issue 12 §2: the registered address followed the move-in by decision,
    # and "where to go" is the apartment, on the demo bolots's Min dag too.
    from django.urls import reverse

    from accounts.models import User
    from referrals.models import Order, OrderState
    from tenancies.services.addresses import visit_addresses

    today = date.today()
    moved = [t for t in seeded if t.end_date is None and t.decision_id and t.start_date <= today
             and t.apartment.kind == ApartmentKind.TRAINING]
    assert moved
    for tenancy in moved:
        assert tenancy.client.street_address == tenancy.apartment.street_address
    where = visit_addresses([t.client for t in moved])
    assert all(where[t.client_id].from_tenancy and not where[t.client_id].differs for t in moved)

    pilot = User.objects.get(username="bolots")
    shown = Order.objects.assigned_to(pilot).filter(
        state__in=OrderState.active_states(), client__in=[t.client_id for t in moved]
    )
    assert shown.exists(), "the demo bolots works with a client who moved in"
    client.force_login(pilot)
    html = client.get(reverse("bolots:my_day") + "?typ=bolots_support").content.decode()
    assert any(t.apartment.street_address in html for t in moved if t.client_id in {o.client_id for o in shown})
