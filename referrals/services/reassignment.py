"""Bulk reassignment of one person's caseload when they leave or change job.

A manager moves either everything a case officer is responsible for (their
clients and the open orders they sent) or everything a bolots is assigned
(their open orders) to another active person with the same role in the
manager's unit. One transaction: the rows, a Reassignment record with the
counts, field history and an access-log row for every record touched, an
OrderEvent on every order moved, and one notification to the new owner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.notifications import notify
from accounts.roles import Role
from audit.models import AccessAction
from audit.services import Change, log_access, record_changes

from ..models import Client, Order, OrderEvent, OrderState, Reassignment

if TYPE_CHECKING:
    from datetime import datetime

    from django.db.models import QuerySet

    from accounts.models import User
    from audit.context import AuditContext

ROLE_OF_SCOPE = {
    Reassignment.Scope.CASE_OFFICER: Role.CASE_OFFICER,
    Reassignment.Scope.PILOT: Role.PILOT,
}


class ReassignmentRefused(Exception):
    """The reassignment cannot be made as asked; the message is Swedish and
    fit for the user. Nothing was written."""


@dataclass
class ReassignmentResult:
    reassignment: Reassignment
    # Orders left as they were: the new bolots is already the other bolots
    # on them, and one person cannot fill both places.
    skipped_orders: list = field(default_factory=list)


def may_reassign(user: User) -> bool:
    return bool(user.is_active and user.unit_id and user.has_perm("referrals.add_reassignment"))


def _has_role(user: User, role: str) -> bool:
    # Not User.has_role(): someone who has left is often deactivated first,
    # and their caseload must still be movable.
    return user.groups.filter(name=role).exists()


def people_of_role(unit_id: int, role: str, *, active_only: bool) -> QuerySet[User]:
    from accounts.models import User

    people = User.objects.filter(unit_id=unit_id, groups__name=role)
    if active_only:
        people = people.filter(is_active=True)
    return people.distinct().order_by("first_name", "last_name", "username")


def clients_of_officer(manager: User, officer: User) -> QuerySet[Client]:
    return Client.objects.filter(unit_id=manager.unit_id, responsible_officer=officer)


def orders_of(manager: User, scope: str, user: User) -> QuerySet[Order]:
    orders = Order.objects.filter(unit_id=manager.unit_id, state__in=OrderState.open_states())
    if scope == Reassignment.Scope.CASE_OFFICER:
        return orders.filter(ordered_by=user)
    return orders.filter(Q(active_pilot=user) | Q(passive_pilot=user))


def preview(manager: User, scope: str, from_user: User) -> tuple[int, int]:
    """(clients, orders) that a reassignment would move, for the confirm step."""
    clients = clients_of_officer(manager, from_user).count() if scope == Reassignment.Scope.CASE_OFFICER else 0
    return clients, orders_of(manager, scope, from_user).count()


def _check(ctx: AuditContext, scope: str, from_user: User, to_user: User, reason: str) -> str:
    if not may_reassign(ctx.user):
        raise PermissionDenied(_("Only a manager may reassign caseloads."))
    if scope not in ROLE_OF_SCOPE:
        raise ReassignmentRefused(_("Choose what is to be moved."))
    reason = (reason or "").strip()
    if not reason:
        raise ReassignmentRefused(_("Write the reason for the reassignment."))
    if len(reason) > Reassignment._meta.get_field("reason").max_length:
        raise ReassignmentRefused(_("The reason is too long."))
    if from_user.pk == to_user.pk:
        raise ReassignmentRefused(_("Choose two different people."))
    unit_id = ctx.user.unit_id
    if from_user.unit_id != unit_id or to_user.unit_id != unit_id:
        raise ReassignmentRefused(_("Both people must belong to your unit."))
    role = ROLE_OF_SCOPE[scope]
    if not _has_role(from_user, role):
        raise ReassignmentRefused(_("The person to move from does not have the role %(role)s.") % {"role": role})
    if not (to_user.is_active and _has_role(to_user, role)):
        raise ReassignmentRefused(
            _("The new owner must be an active user with the role %(role)s.") % {"role": role}
        )
    return reason


@transaction.atomic
def reassign_caseload(ctx: AuditContext, scope: str, from_user: User, to_user: User, reason: str) -> ReassignmentResult:
    """Move `from_user`'s caseload to `to_user`; returns a ReassignmentResult.

    Raises PermissionDenied for a user who is not a manager and
    ReassignmentRefused (nothing written) for a request that cannot be made.
    """
    reason = _check(ctx, scope, from_user, to_user, reason)
    now = timezone.now()
    record = Reassignment.objects.create(
        at=now, by=ctx.user, scope=scope, from_user=from_user, to_user=to_user, reason=reason
    )
    event_text = _("%(from)s → %(to)s. Reason: %(reason)s") % {"from": from_user, "to": to_user, "reason": reason}
    if scope == Reassignment.Scope.CASE_OFFICER:
        record.clients_moved = _move_clients(ctx, from_user, to_user, now)
        moved, skipped = _move_orders_of_officer(ctx, from_user, to_user, event_text)
    else:
        moved, skipped = _move_orders_of_pilot(ctx, from_user, to_user, event_text)
    record.orders_moved = moved
    record.save(update_fields=["clients_moved", "orders_moved"])
    if record.clients_moved or record.orders_moved:
        notify(to_user, _new_owner_text(record), reverse("referrals:order_list"))
    return ReassignmentResult(record, skipped)


def _new_owner_text(record: Reassignment) -> str:
    # Counts only: the text goes out by e-mail.
    clients = ngettext("%(count)s client", "%(count)s clients", record.clients_moved) % {"count": record.clients_moved}
    orders = ngettext("%(count)s order", "%(count)s orders", record.orders_moved) % {"count": record.orders_moved}
    if record.scope == Reassignment.Scope.CASE_OFFICER:
        return _("You have been given %(clients)s and %(orders)s in a reassignment") % {
            "clients": clients, "orders": orders,
        }
    return _("You have been given %(orders)s in a reassignment") % {"orders": orders}


def _move_clients(ctx: AuditContext, from_user: User, to_user: User, now: datetime) -> int:
    # Lock the rows first so that a concurrent edit of one of the clients
    # waits for us, then bump the version so that a form opened earlier is
    # refused rather than silently putting the old officer back.
    clients = list(clients_of_officer(ctx.user, from_user).select_for_update().order_by("pk"))
    if not clients:
        return 0
    Client.objects.filter(pk__in=[client.pk for client in clients]).update(
        responsible_officer=to_user, version=F("version") + 1, updated_at=now
    )
    label = str(Client._meta.get_field("responsible_officer").verbose_name)
    for client in clients:
        client.responsible_officer = to_user
        record_changes(ctx, client, [Change("responsible_officer", label, str(from_user), str(to_user))])
        log_access(ctx, AccessAction.UPDATE, client, note="reassignment")
    return len(clients)


def _move_order(
    ctx: AuditContext, order: Order, field_name: str, from_user: User, to_user: User, event_text: str,
) -> None:
    setattr(order, field_name, to_user)
    order.version += 1
    order.save(update_fields=[field_name, "version"])
    label = str(Order._meta.get_field(field_name).verbose_name)
    record_changes(ctx, order, [Change(field_name, label, str(from_user), str(to_user))])
    OrderEvent.objects.create(order=order, by=ctx.user, transition=OrderEvent.Transition.REASSIGNED, text=event_text)
    log_access(ctx, AccessAction.UPDATE, order, note="reassignment")


def _locked_orders(ctx: AuditContext, scope: str, from_user: User) -> list[Order]:
    return list(
        orders_of(ctx.user, scope, from_user).select_for_update(of=("self",)).select_related("client").order_by("pk")
    )


def _move_orders_of_officer(
    ctx: AuditContext, from_user: User, to_user: User, event_text: str,
) -> tuple[int, list[Order]]:
    orders = _locked_orders(ctx, Reassignment.Scope.CASE_OFFICER, from_user)
    for order in orders:
        _move_order(ctx, order, "ordered_by", from_user, to_user, event_text)
    return len(orders), []


def _move_orders_of_pilot(
    ctx: AuditContext, from_user: User, to_user: User, event_text: str,
) -> tuple[int, list[Order]]:
    moved, skipped = 0, []
    for order in _locked_orders(ctx, Reassignment.Scope.PILOT, from_user):
        field_name, other_id = (
            ("active_pilot", order.passive_pilot_id)
            if order.active_pilot_id == from_user.pk
            else ("passive_pilot", order.active_pilot_id)
        )
        if other_id == to_user.pk:
            skipped.append(order)
            continue
        _move_order(ctx, order, field_name, from_user, to_user, event_text)
        moved += 1
    return moved, skipped
