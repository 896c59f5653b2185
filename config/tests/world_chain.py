"""The housing chain's part of the walk's world (world.py, issue 15): one
record of each kind a housing-chain page is about. One function per part;
each part fills its own and returns the objects its pages need, keyed by a
name no other part uses (the walk's ROUTES read them). Made directly or
with get-or-create of the demo's records: the world is built on a demo
database, whose unique constraints (one open vacancy and one open offer per
apartment, one narrative text per section) must not be broken."""

from datetime import date


def vacancy_objects(unit, users, today: date) -> dict:
    """An open vacancy of the unit (the demo's, rebuilt from its tenancies;
    one is opened on a vacant apartment if the demo left none)."""
    from tenancies.models import Apartment, ApartmentStatus
    from tenancies.models.chain import Vacancy, VacancyReason

    vacancy = Vacancy.objects.open().filter(apartment__unit=unit).order_by("pk").first()
    if vacancy is None:
        apartment = (
            Apartment.objects.filter(unit=unit, status=ApartmentStatus.VACANT)
            .exclude(vacancies__ended_on__isnull=True).order_by("pk").first()
        )
        vacancy = Vacancy.objects.create(apartment=apartment, vacant_from=today, reason=VacancyReason.MOVE_OUT)
    return {"vacancy": vacancy}


def waiting_objects(unit, users, today: date) -> dict:
    return {}


def offer_objects(unit, users, today: date) -> dict:
    return {}


def housing_first_objects(unit, users, today: date) -> dict:
    return {}


def person_link_objects(unit, users, today: date) -> dict:
    return {}


def narrative_objects(unit, users, today: date) -> dict:
    return {}


def checklist_objects(unit, users, today: date) -> dict:
    """The rules page is the manager's own unit's: it needs no record (the
    demo stores none, so it shows the default)."""
    return {}


def chain_objects(unit, users, today: date) -> dict:
    objects: dict = {}
    for part in (
        vacancy_objects, waiting_objects, offer_objects, housing_first_objects, person_link_objects,
        narrative_objects, checklist_objects,
    ):
        objects.update(part(unit, users, today))
    return objects
