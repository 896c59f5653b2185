"""The housing chain's part of the walk's world (world.py, issue 15): one
record of each kind a housing-chain page is about. One function per part;
each part fills its own and returns the objects its pages need, keyed by a
name no other part uses (the walk's ROUTES read them). Made directly or
with get-or-create of the demo's records: the world is built on a demo
database, whose unique constraints (one open vacancy and one open offer per
apartment, one narrative text per section) must not be broken."""

from datetime import date


def vacancy_objects(unit, users, today: date) -> dict:
    return {}


def waiting_objects(unit, users, today: date) -> dict:
    """A waiting apartment decision of the unit with its needs and a
    priority (the demo gives most of them needs already)."""
    from referrals.models import Client, Decision, DecisionKind
    from tenancies.models import Area, HousingNeeds, WaitingPriority
    from tenancies.tests.factories import granted_decision

    decision = (
        Decision.objects.not_executed()
        .filter(client__unit=unit, kind__in=DecisionKind.apartment_kinds())
        .order_by("pk")
        .first()
    )
    if decision is None:
        client = Client.objects.filter(unit=unit).order_by("pk").first()
        decision = granted_decision(client, kind=DecisionKind.TRAINING_APARTMENT, decided_on=today,
                                    decided_by=users["case_officer"])
    needs, _created = HousingNeeds.objects.get_or_create(
        decision=decision, defaults={"rooms_min": 1, "rooms_max": 2, "children": 1, "notes": "Fiktiva behov"},
    )
    area = Area.objects.filter(unit=unit).order_by("pk").first()
    if area is not None:
        needs.areas.add(area)
    if not decision.waiting_priorities.exists():
        WaitingPriority.objects.create(decision=decision, level=WaitingPriority.Level.HIGH,
                                       reason="Fiktiv prioritering", set_by=users["case_officer"])
    return {"waiting_decision": decision}


def offer_objects(unit, users, today: date) -> dict:
    return {}


def housing_first_objects(unit, users, today: date) -> dict:
    return {}


def person_link_objects(unit, users, today: date) -> dict:
    return {}


def narrative_objects(unit, users, today: date) -> dict:
    return {}


def checklist_objects(unit, users, today: date) -> dict:
    return {}


def chain_objects(unit, users, today: date) -> dict:
    objects: dict = {}
    for part in (
        vacancy_objects, waiting_objects, offer_objects, housing_first_objects, person_link_objects,
        narrative_objects, checklist_objects,
    ):
        objects.update(part(unit, users, today))
    return objects
