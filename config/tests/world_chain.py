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
    """A link of the unit (the demo's, demo/chain/person_links.py, or one
    made here) and an order without a client to link (services.person_matching)."""
    from audit.context import AuditContext
    from referrals.models import Client, Order, OrderKind
    from referrals.models.links import PersonLink
    from referrals.services import person_matching
    from referrals.tests.factories_orders import outreach_order

    officer = users["case_officer"]
    link = PersonLink.objects.filter(client__unit=unit).order_by("-unlinked_at", "pk").first()
    if link is None:
        first, second = Client.objects.filter(unit=unit).order_by("pk")[:2]
        link = person_matching.confirm_different(AuditContext(user=officer, path="/walk/"), first, other_client=second)
    order = Order.objects.filter(unit=unit, kind=OrderKind.OUTREACH, client__isnull=True).order_by("pk").first()
    if order is None:
        order = outreach_order(unit, officer)
    return {"person_link": link, "person_link_order": order}


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
