"""Writes of client data. Each function runs in one transaction and writes
its access-log row and field history there, so a write is never stored
without its trace, nor a trace without its write."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction

from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from audit.tracked import save_tracked

from ..models import PROTECTED_FIELDS, Client, TargetGroup

if TYPE_CHECKING:
    from collections.abc import Iterable

    from audit.context import AuditContext
    from referrals.models import TargetGroup

# Fields whose changes are kept in the history (all the user can edit).
TRACKED_FIELDS = [
    "first_name",
    "last_name",
    "personal_number",
    # Entered for a person without a Swedish number (forms.clients).
    "birth_date",
    "legal_gender",
    "protection_level",
    "target_groups",
    "children_in_home",
    "phone",
    "street_address",
    "postal_code",
    "city",
    "responsible_officer",
    "is_municipal_staff",
    "notes",
]


@transaction.atomic
def create_client(
    ctx: AuditContext, client: Client, *, target_groups: Iterable[TargetGroup] = (), note: str = ""
) -> Client:
    """Register a new client in the acting user's unit. `note` goes on the
    access-log entry (the register import says "import")."""
    if not ctx.user.unit_id:
        raise PermissionDenied("A user without a unit cannot register clients.")
    client.unit_id = ctx.user.unit_id
    client.save()
    client.target_groups.set(target_groups)
    log_access(ctx, AccessAction.CREATE, client, note=note)
    return client


@transaction.atomic
def update_client(
    ctx: AuditContext, client: Client, *, expected_version: int, target_groups: Iterable[TargetGroup] | None = None,
) -> Client:
    """Save the edited `client`; raises ConcurrentEditError when someone
    else saved it after `expected_version` was read."""
    def save() -> None:
        client.save()
        if target_groups is not None:
            client.target_groups.set(target_groups)

    # Read the relations back so the snapshot sees the saved state.
    with_groups = Client.objects.prefetch_related("target_groups")
    return save_tracked(
        ctx, client, TRACKED_FIELDS, expected_version=expected_version, stored=with_groups, save=save,
        reread=with_groups, protected=PROTECTED_FIELDS,
    ).record
