"""Writes of client data. Each function runs in one transaction and writes
its access-log row and field history there, so a write is never stored
without its trace, nor a trace without its write."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction

from audit.models import AccessAction
from audit.services import diff_fields, log_access, record_changes, snapshot
from audit.versioning import claim_version

from ..models import PROTECTED_FIELDS, Client

if TYPE_CHECKING:
    from collections.abc import Iterable

    from audit.context import AuditContext
    from referrals.models import TargetGroup

# Fields whose changes are kept in the history (all the user can edit).
TRACKED_FIELDS = [
    "first_name",
    "last_name",
    "personal_number",
    "protection_level",
    "target_groups",
    "children_in_home",
    "phone",
    "street_address",
    "postal_code",
    "city",
    "responsible_officer",
    "notes",
]


def _snapshot(client: Client) -> dict[str, tuple]:
    return snapshot(client, TRACKED_FIELDS, protected=PROTECTED_FIELDS)


@transaction.atomic
def create_client(ctx: AuditContext, client: Client, *, target_groups: Iterable[TargetGroup] = ()) -> Client:
    """Register a new client in the acting user's unit."""
    if not ctx.user.unit_id:
        raise PermissionDenied("A user without a unit cannot register clients.")
    client.unit_id = ctx.user.unit_id
    client.save()
    client.target_groups.set(target_groups)
    log_access(ctx, AccessAction.CREATE, client)
    return client


@transaction.atomic
def update_client(
    ctx: AuditContext, client: Client, *, expected_version: int, target_groups: Iterable[TargetGroup] | None = None,
) -> Client:
    """Save the edited `client`; raises ConcurrentEditError when someone
    else saved it after `expected_version` was read."""
    claim_version(client, expected_version)
    # Read after the claim: on PostgreSQL the row is now locked by us, so
    # this is the state our save replaces.
    stored = Client.objects.prefetch_related("target_groups").get(pk=client.pk)
    before = _snapshot(stored)
    client.save()
    if target_groups is not None:
        client.target_groups.set(target_groups)
    # Re-read the relations so the snapshot sees the saved state.
    client = Client.objects.prefetch_related("target_groups").get(pk=client.pk)
    changes = diff_fields(before, _snapshot(client), TRACKED_FIELDS)
    record_changes(ctx, client, changes)
    log_access(
        ctx,
        AccessAction.UPDATE,
        client,
        note=", ".join(change.field for change in changes),
    )
    return client
