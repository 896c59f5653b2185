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
    return {}


def offer_objects(unit, users, today: date) -> dict:
    return {}


def housing_first_objects(unit, users, today: date) -> dict:
    """A candidate of the unit (the demo's list, or one made here) and the
    steering decision in force."""
    from referrals.models import Client
    from referrals.models.housing_first import (
        HousingFirstCandidate,
        ProposalSource,
        SteeringDecision,
        SteeringPriority,
    )

    candidate = HousingFirstCandidate.objects.filter(unit=unit, client__isnull=False).order_by("pk").first()
    if candidate is None:
        candidate = HousingFirstCandidate.objects.create(
            unit=unit, client=Client.objects.filter(unit=unit).order_by("pk").first(), source=ProposalSource.UNIT,
            proposed_by=users["case_officer"], proposed_on=today, situation="1", needs="Fiktivt behov",
            stage="assessed",
        )
    steering = SteeringDecision.objects.filter(unit=unit).order_by("-decided_on", "-id").first()
    if steering is None:
        steering = SteeringDecision.objects.create(unit=unit, decided_on=today, decided_by=users["manager"])
        SteeringPriority.objects.create(steering_decision=steering, candidate=candidate, position=1)
    return {"hf_candidate": candidate, "hf_steering": steering}


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
