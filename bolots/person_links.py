"""Visits follow their order's client (referrals.order_followers, declared as
`order_client_followers` on BolotsConfig; docs/housing-chain.md "One
person, one record").

A visit stores the order's client as it was when the visit was logged
(Visit.client, for the statistics by age). When an outreach order about an
unregistered person is linked to a client, its visits become the client's;
when the link is undone, the visits that followed it revert to no client.
Each changed visit is written through audit.tracked (change history and an
access-log row with the note below).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.tracked import write_fields

from .models import Signal, Visit
from .services.visits import age_on

if TYPE_CHECKING:
    from datetime import datetime

    from audit.context import AuditContext
    from referrals.models import Order

# The access-log note of a visit whose client followed its order (audit.labels).
NOTE_FOLLOWED = "client followed the order"


def follow_order_client(ctx: AuditContext, order: Order, previous_client_id: int | None) -> None:
    client = order.client if order.client_id else None
    visits = Visit.objects.filter(order=order).filter(
        Q(client_id=previous_client_id) if previous_client_id else Q(client__isnull=True)
    ).select_for_update().order_by("visited_at", "pk")
    for visit in visits:
        age = age_on(client.birth_date, timezone.localdate(visit.visited_at)) if client is not None else None
        write_fields(ctx, visit, note=NOTE_FOLLOWED, client=client, client_age=age)


def unlink_blockers(order: Order, client_id: int, since: datetime) -> list[str]:
    """Visits logged on the order as the client's after the link, or signals
    raised to the case officer from its visits, were written knowing who
    the person is: undoing the link would take them from the client."""
    found = []
    if Visit.objects.filter(order=order, client_id=client_id, created_at__gt=since).exists():
        found.append(_("Visits have been logged on the order since the link."))
    if Signal.objects.filter(visit__order=order, client_id=client_id).exists():
        found.append(_("Signals have been raised to the case officer from the order's visits."))
    return found
