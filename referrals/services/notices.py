"""Writes of eviction notices (underrättelser), their contact attempts and
outcome, concern reports (orosanmälningar), and the orders made from them.

Each function runs in one transaction and writes its access-log row (and for
edits the field history) there, so a write is never stored without its
trace. Orders are sent through services.orders.send_order, which adds the
order's own event, log row and the bolots unit's notification.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AccessAction
from audit.services import log_access, snapshot
from audit.tracked import save_tracked
from core.formatting import kr

from ..models import Order, OrderKind
from .orders import send_order

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Sequence
    from datetime import date

    from django.db import models
    from django.db.models import Model

    from audit.context import AuditContext
    from referrals.models import Client, ConcernReport, ContactAttempt, EvictionNotice

# Fields whose changes are kept in the history: everything the user can edit.
NOTICE_TRACKED_FIELDS = [
    "received_on",
    "source",
    "landlord",
    "client",
    "tenant_name",
    "address",
    "reason",
    "amount_owed",
    "termination_date",
    "pay_by_date",
    "eviction_date",
    "children_count",
    "outcome",
    "outcome_on",
    "notes",
]
CONCERN_TRACKED_FIELDS = [
    "received_on",
    "reporter_type",
    "reporter",
    "client",
    "subject_name",
    "subject_address",
    "concern",
]
# The home's address of a protected client is as secret as the client's own
# address: its history is hidden from users without the permission.
NOTICE_PROTECTED_FIELDS = ("address",)
CONCERN_PROTECTED_FIELDS = ("subject_address",)


class OrderAlreadyOpen(Exception):
    """The record already has an open order of the kind; a second one would
    send two pairs of bolotsar to the same door (a double click does this)."""

    def __init__(self, order: Order) -> None:
        super().__init__(order.pk)
        self.order = order


def _refuse_second_open_order(record: models.Model, kind: str) -> None:
    existing = record.orders.open().filter(kind=kind).order_by("sent_at").first()
    if existing is not None:
        raise OrderAlreadyOpen(existing)


def _require_unit(ctx: AuditContext) -> None:
    if not ctx.user.unit_id:
        raise PermissionDenied("A user without a unit cannot register notices or concern reports.")


def _is_protected(record: models.Model) -> bool:
    return record.client is not None and record.client.is_protected


def display_snapshot(record: models.Model, fields: Iterable[str], protected: Collection[str] = ()) -> dict[str, tuple]:
    values = snapshot(record, fields, protected=protected)
    if "amount_owed" in values:
        # Stored in öre; the history shows what the user typed and reads.
        label, _value, is_protected = values["amount_owed"]
        amount = record.amount_owed
        values["amount_owed"] = (label, "" if amount is None else kr(amount), is_protected)
    return values


def _protected(fields: Sequence[str]) -> Callable[[Model, Model], Sequence[str]]:
    """The protected fields hidden in the history when the person was
    protected before the edit or is now."""
    return lambda stored, record: fields if _is_protected(stored) or _is_protected(record) else ()


# --- Eviction notices ------------------------------------------------------


@transaction.atomic
def create_notice(ctx: AuditContext, notice: EvictionNotice) -> EvictionNotice:
    """Register a new eviction notice in the acting user's unit. The pay-by
    date is derived from the reason and dates in EvictionNotice.save()."""
    _require_unit(ctx)
    notice.unit_id = ctx.user.unit_id
    notice.registered_by = ctx.user
    notice.save()
    log_access(ctx, AccessAction.CREATE, notice)
    return notice


@transaction.atomic
def update_notice(ctx: AuditContext, notice: EvictionNotice, *, expected_version: int) -> EvictionNotice:
    """Save the edited `notice`; raises ConcurrentEditError when someone else
    saved it after `expected_version` was read."""
    return save_tracked(
        ctx, notice, NOTICE_TRACKED_FIELDS, expected_version=expected_version,
        stored=type(notice).objects.select_related("client"), display=display_snapshot,
        protected=_protected(NOTICE_PROTECTED_FIELDS),
    ).record


@transaction.atomic
def set_notice_outcome(
    ctx: AuditContext, notice: EvictionNotice, *, outcome: str, outcome_on: date, expected_version: int,
) -> EvictionNotice:
    notice.outcome = outcome
    notice.outcome_on = outcome_on
    return update_notice(ctx, notice, expected_version=expected_version)


@transaction.atomic
def log_contact_attempt(ctx: AuditContext, notice: EvictionNotice, attempt: ContactAttempt) -> ContactAttempt:
    """Store one phone call, letter or visit made to reach the tenant."""
    attempt.notice = notice
    attempt.by = ctx.user
    attempt.save()
    log_access(ctx, AccessAction.CREATE, attempt)
    return attempt


def _order_address(client: Client | None, address: str) -> str:
    """The address written on the order. A protected client's address is
    not copied: the order shows the client's own address through the
    client's protection rule, and a copy would escape it."""
    return "" if client is not None and client.is_protected else address


def prevention_assignment(notice: EvictionNotice) -> str:
    """The assignment text of an eviction-prevention order, in Swedish,
    from the notice's data (stored as typed: the bolots unit reads it)."""
    lines = [
        _("Eviction prevention after a notice received %(received)s from %(landlord)s (%(source)s).") % {
            "received": f"{notice.received_on:%Y-%m-%d}",
            "landlord": notice.landlord,
            "source": notice.get_source_display(),
        },
        _("Reason: %(reason)s.") % {"reason": notice.get_reason_display()},
    ]
    if notice.amount_owed is not None:
        lines.append(_("Amount owed: %(amount)s.") % {"amount": kr(notice.amount_owed)})
    for label, day in (
        (_("Date of the termination"), notice.termination_date),
        (_("Pay by"), notice.pay_by_date),
        (_("Eviction date"), notice.eviction_date),
    ):
        if day:
            lines.append(f"{label}: {day:%Y-%m-%d}.")
    if notice.children_count:
        lines.append(_("Children in the household: %(count)s.") % {"count": notice.children_count})
    lines.append(_("Contact the tenant within 48 hours, help with paying or a repayment plan, and report back."))
    return "\n".join(lines)


@transaction.atomic
def create_prevention_order(ctx: AuditContext, notice: EvictionNotice) -> Order:
    """Send an eviction-prevention order to the bolots unit from `notice`;
    raises OrderAlreadyOpen when one is already under way."""
    # Lock the notice so that two requests cannot both pass the check.
    type(notice).objects.select_for_update().filter(pk=notice.pk).exists()
    _refuse_second_open_order(notice, OrderKind.EVICTION_PREVENTION)
    order = Order(
        unit_id=notice.unit_id,
        kind=OrderKind.EVICTION_PREVENTION,
        eviction_notice=notice,
        client=notice.client,
        subject_name="" if notice.client_id else notice.tenant_name,
        subject_address=_order_address(notice.client, notice.address),
        assignment=prevention_assignment(notice),
        risk_children=notice.children_count > 0,
    )
    return send_order(ctx, order)


# --- Concern reports -------------------------------------------------------


@transaction.atomic
def create_concern(ctx: AuditContext, concern: ConcernReport) -> ConcernReport:
    _require_unit(ctx)
    concern.unit_id = ctx.user.unit_id
    concern.registered_by = ctx.user
    concern.save()
    log_access(ctx, AccessAction.CREATE, concern)
    return concern


@transaction.atomic
def update_concern(ctx: AuditContext, concern: ConcernReport, *, expected_version: int) -> ConcernReport:
    return save_tracked(
        ctx, concern, CONCERN_TRACKED_FIELDS, expected_version=expected_version,
        stored=type(concern).objects.select_related("client"), display=display_snapshot,
        protected=_protected(CONCERN_PROTECTED_FIELDS),
    ).record


def outreach_assignment(concern: ConcernReport) -> str:
    return "\n".join([
        _("Outreach after a concern report received %(received)s from %(reporter)s.") % {
            "received": f"{concern.received_on:%Y-%m-%d}",
            "reporter": concern.reporter or concern.get_reporter_type_display(),
        },
        _("The concern: %(concern)s") % {"concern": concern.concern},
        _("Seek the person out within 48 hours, assess the need of support and report back."),
    ])


@transaction.atomic
def create_outreach_order(ctx: AuditContext, concern: ConcernReport) -> Order:
    """Send an outreach order to the bolots unit from `concern`; raises
    OrderAlreadyOpen when one is already under way."""
    type(concern).objects.select_for_update().filter(pk=concern.pk).exists()
    _refuse_second_open_order(concern, OrderKind.OUTREACH)
    order = Order(
        unit_id=concern.unit_id,
        kind=OrderKind.OUTREACH,
        concern_report=concern,
        client=concern.client,
        subject_name="" if concern.client_id else concern.subject_name,
        subject_address=_order_address(concern.client, concern.subject_address),
        assignment=outreach_assignment(concern),
    )
    return send_order(ctx, order)

