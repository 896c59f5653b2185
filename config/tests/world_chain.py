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
    return {}


def person_link_objects(unit, users, today: date) -> dict:
    return {}


def narrative_objects(unit, users, today: date) -> dict:
    """The last closed year's texts (the demo writes them final) and a
    delegation of the running year to the case officer; the routes walk the
    texts page with and without a year, each section's edit and history
    pages, and the delegates page."""
    from reports.models import NarrativeDelegate, NarrativeSection, NarrativeText

    year = today.year - 1
    manager = users["manager"]
    text, _created = NarrativeText.objects.get_or_create(
        unit=unit, year=year, section=NarrativeSection.BACKGROUND,
        defaults={"text": "Verksamheten startade som ett projekt.", "state": "final", "updated_by": manager},
    )
    delegation = NarrativeDelegate.objects.filter(unit=unit, year=today.year, user=users["case_officer"],
                                                  revoked_at__isnull=True).first()
    if delegation is None:
        delegation = NarrativeDelegate.objects.create(unit=unit, year=today.year, user=users["case_officer"],
                                                      granted_by=manager)
    return {"narrative_text": text, "narrative_year": year, "narrative_delegation": delegation,
            "narrative_section": text.section.replace("_", "-")}


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
