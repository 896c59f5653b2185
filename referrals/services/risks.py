"""The client's current risk information (Client.risk_*).

One write path, save_tracked (docs/architecture.md "One path for editing a
tracked record"): the optimistic lock on the client's version, the field
history (who changed which flag from what to what, shown by
views.risks.client_risk_history and the client's own history) and the
access-log row, in one transaction. The order form prefills from it
(forms.orders.OrderForm) and sending an order makes the order's risks the
client's (adopt_order_risk); the order keeps its own copy as the snapshot
of what the bolots unit was told.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from audit.tracked import Saved, save_tracked

from ..models import Client
from ..models.risks import RISK_FIELDS, RISK_FLAGS

if TYPE_CHECKING:
    from accounts.models import User
    from audit.context import AuditContext

    from ..models import Order

CHANGE_PERM = "referrals.change_client_risk"
# What the "changed" stamp is saved with, besides the risk fields.
STAMP_FIELDS = ("risk_changed_at", "risk_changed_by")


def may_change_risk(user: User, client: Client) -> bool:
    """The client's unit's case officers and the bolotsar assigned to an
    accepted or started order for the client: the permission (roles) and
    the client access rule (ClientQuerySet.visible_to, which also keeps
    other units and unassigned bolotsar out). Managers see but do not edit."""
    return user.has_perm(CHANGE_PERM) and Client.objects.visible_to(user).filter(pk=client.pk).exists()


def _save(
    ctx: AuditContext, client: Client, values: Mapping[str, Any], *, expected_version: int | None, note: str | None,
) -> Saved:
    for name in RISK_FIELDS:
        setattr(client, name, values[name])

    def stamp(stored: Client) -> None:
        # Inside the lock: only a real change moves "last changed"; a save
        # without changes keeps the stored stamp (never the form's stale one).
        if any(getattr(stored, name) != getattr(client, name) for name in RISK_FIELDS):
            client.risk_changed_at = timezone.now()
            client.risk_changed_by = ctx.user
        else:
            client.risk_changed_at = stored.risk_changed_at
            client.risk_changed_by_id = stored.risk_changed_by_id

    return save_tracked(
        ctx, client, RISK_FIELDS, expected_version=expected_version, check=stamp,
        update_fields=[*RISK_FIELDS, *STAMP_FIELDS], note=note,
    )


@transaction.atomic
def update_risk(
    ctx: AuditContext, client: Client, values: Mapping[str, Any], *, expected_version: int | None,
) -> Saved:
    """Save the risk fields `values` on `client`, opened at
    `expected_version` (ConcurrentEditError when someone saved the client
    since: a bolots and the case officer updating at once must see each
    other's change). PermissionDenied for anyone may_change_risk refuses."""
    if not may_change_risk(ctx.user, client):
        raise PermissionDenied
    return _save(ctx, client, values, expected_version=expected_version, note=None)


@transaction.atomic
def adopt_order_risk(ctx: AuditContext, order: Order, *, merge: bool = False) -> Saved | None:
    """Make a new order's risk information the client's.

    Sending (merge=False): the case officer has just stated the risks on the
    order (prefilled from the client's), so the order's become the client's.
    Linking an outreach order to an existing client (merge=True): nothing
    known is dropped: flags set on either stay set, the client's own notes
    are kept unless empty. Nothing is written when nothing changes. The
    client's row is locked first, so its version is current."""
    if order.client_id is None:
        return None
    client = Client.objects.select_for_update().get(pk=order.client_id)
    if merge:
        values = {name: getattr(client, name) or getattr(order, name) for name in RISK_FLAGS}
        values["risk_notes"] = client.risk_notes or order.risk_notes
    else:
        values = {name: getattr(order, name) for name in RISK_FIELDS}
    if values == client.risk_values():
        return None
    return _save(ctx, client, values, expected_version=client.version,
                 note=f"risk information from order #{order.pk}")
