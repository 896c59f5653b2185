"""Demo data: one person, one record (docs/housing-chain.md).

In the first unit: an outreach subject (an order about "a man called
Jonte", met at the station) later identified as one of the unit's clients
and linked to the file, with the order's visits following; and a second
subject linked to a client by mistake and the link undone with a reason.
Written through referrals.services.person_matching, so the access log and
the change history read as in real use. Fictional people only (the demo's
own clients). A second run adds nothing."""

from __future__ import annotations

from django.db import transaction
from django.utils import translation

from accounts.roles import Role
from audit.context import AuditContext
from referrals.models import Client, Order, OrderKind
from referrals.models.links import PersonLink
from referrals.services import orders as order_services
from referrals.services import person_matching

from ..context import DemoContext
from .common import rng_for

PATH = "/demo/kopplingar/"
LINKED_REASON = "Identifierad vid uppsök: känd av handläggaren sedan tidigare."
UNDONE_REASON = "Fel person: en annan med samma förnamn."


def seed(ctx: DemoContext) -> None:
    if not ctx.units:
        return
    unit = ctx.units[0]
    if PersonLink.objects.filter(client__unit=unit).exists():
        ctx.log("Kopplingar finns redan; inga nya skapas.")
        return
    officers = ctx.users_by_unit.get(unit.pk, {}).get(Role.CASE_OFFICER, [])
    if not officers:
        return
    rng = rng_for(ctx, "person_links")
    clients = list(Client.objects.filter(unit=unit, protection_level="none").order_by("pk")[:40])
    if len(clients) < 2:
        return
    found, mistaken = rng.sample(clients, 2)
    officer = officers[0]
    audit = AuditContext(user=officer, path=PATH)
    with translation.override("sv"), transaction.atomic():
        first = _subject(audit, unit, officer, f"Man som kallas {found.first_name}, träffad vid stationen",
                         "Stationsplan 1")
        person_matching.link_same_person(audit, found, order=first, reason=LINKED_REASON)
        # Described, not named in full: after the undone link the order is
        # about an unregistered person, and a client's full name on it would
        # read as that client's on every page that lists the order.
        second = _subject(audit, unit, officer, f"Person som kallas {mistaken.first_name}, ca 30 år",
                          "Centrumgången 3")
        link = person_matching.link_same_person(audit, mistaken, order=second, reason="Samma förnamn.")
        person_matching.unlink(audit, link, UNDONE_REASON)
    ctx.log("Kopplingar: ett uppsök kopplat till en akt, en koppling ångrad.")


def _subject(audit: AuditContext, unit, officer, name: str, address: str) -> Order:
    order = Order(unit=unit, kind=OrderKind.OUTREACH, client=None, subject_name=name[:200],
                  subject_address=address[:300], ordered_by=officer,
                  assignment="Sök upp personen och erbjud kontakt (demo).")
    return order_services.send_order(audit, order)
