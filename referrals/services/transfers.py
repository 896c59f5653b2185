"""Registering a number another unit holds: no existence oracle, a logged
lookup and a transfer request to the holding unit's managers."""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import notify, notify_many
from accounts.roles import Role
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access

from ..models import Client, TransferRequest, TransferState

if TYPE_CHECKING:
    from django.db.models import QuerySet

LOOKUP_OBJECT_TYPE = "referrals.client.number_lookup"


def number_digest(digits: str) -> str:
    """A keyed hash of a personal identity number, for the log. A plain hash
    would not protect it: there are only a few million valid numbers, so an
    unkeyed SHA-256 is reversed by trying them all. The key is SECRET_KEY,
    so the same number gives the same digest (a reviewer can see repeated
    probing) without the log ever holding the number."""
    return hmac.new(settings.SECRET_KEY.encode(), digits.encode(), hashlib.sha256).hexdigest()[:32]


def held_elsewhere(user: User, digits: str, exclude_pk: int | None = None) -> Client | None:
    """The client holding `digits` when `user` may not see it, else None."""
    holder = Client.objects.filter(personal_number=digits).exclude(pk=exclude_pk).first()
    if holder is None or Client.objects.visible_to(user).filter(pk=holder.pk).exists():
        return None
    return holder


def log_number_lookup(ctx: AuditContext, digits: str) -> None:
    """Record that the user tried to register a number held by a unit they
    cannot see. No client is named (the row is shown to the user's own
    managers, who may not see the other unit's client either)."""
    log_access(
        ctx, AccessAction.VIEW, object_type=LOOKUP_OBJECT_TYPE,
        note=f"registration refused: number held elsewhere; hmac={number_digest(digits)}",
    )


@transaction.atomic
def request_transfer(ctx: AuditContext, digits: str, reason: str) -> TransferRequest | None:
    """File a request to the holding unit's managers. Returns None when no
    other unit holds the number (the caller answers the same either way)."""
    user = ctx.user
    if not (user.has_perm("referrals.add_client") and user.unit_id):
        raise PermissionDenied
    log_number_lookup(ctx, digits)
    holder = held_elsewhere(user, digits)
    if holder is None:
        return None
    existing = TransferRequest.objects.filter(
        client=holder, requesting_unit_id=user.unit_id, state=TransferState.PENDING
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            transfer = TransferRequest.objects.create(
                client=holder, holding_unit_id=holder.unit_id, requesting_unit_id=user.unit_id,
                requested_by=user, reason=reason,
            )
    except IntegrityError:  # referrals_transfer_one_pending: a colleague was first
        return TransferRequest.objects.get(client=holder, requesting_unit_id=user.unit_id, state=TransferState.PENDING)
    log_access(ctx, AccessAction.CREATE, object_type="referrals.transferrequest", note=f"#{transfer.pk}")
    managers = User.objects.with_role(Role.MANAGER).filter(unit_id=holder.unit_id)
    notify_many(
        [m for m in managers if m.has_perm("referrals.decide_transferrequest")],
        _("Transfer request #%(id)s is waiting for a decision.") % {"id": transfer.pk},
        reverse("referrals:transfer_requests"),
    )
    return transfer


def pending_for(user: User) -> QuerySet[TransferRequest]:
    """The pending requests `user` may decide: those about their unit's files."""
    if not (user.is_authenticated and user.is_active and user.unit_id
            and user.has_perm("referrals.decide_transferrequest")):
        return TransferRequest.objects.none()
    return TransferRequest.objects.filter(holding_unit_id=user.unit_id, state=TransferState.PENDING).select_related(
        "client", "requesting_unit", "requested_by"
    )


@transaction.atomic
def decide_transfer(ctx: AuditContext, transfer: TransferRequest, *, accept: bool, note: str = "") -> TransferRequest:
    transfer = TransferRequest.objects.select_for_update().select_related("client").get(pk=transfer.pk)
    if not pending_for(ctx.user).filter(pk=transfer.pk).exists():
        raise PermissionDenied
    transfer.record_decision(TransferState.ACCEPTED if accept else TransferState.DECLINED, ctx.user, note)
    log_access(ctx, AccessAction.UPDATE, transfer, client=transfer.client,
               note="transfer accepted" if accept else "transfer declined")
    # The requester learns the outcome, not whose file it was.
    notify(
        transfer.requested_by,
        (_("Transfer request #%(id)s was accepted. The managers arrange the move.") if accept
         else _("Transfer request #%(id)s was declined.")) % {"id": transfer.pk},
    )
    return transfer
