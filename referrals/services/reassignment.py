"""Bulk reassignment of one person's caseload when they leave or change job.

A manager moves everything a case officer is responsible for (their clients
and the open orders they sent) to another active case officer of the unit
(reassign_caseload), or splits a bolots's open orders between several
bolotsar, order by order or client by client (split_pilot_caseload; moving
everything to one person is the same plan with one receiver). One
transaction: the rows, a Reassignment record with the counts, field history
and an access-log row for every record touched, an OrderEvent on every order
moved, and one notification to each new owner.

A split moves every open order of the leaving bolots, whatever its state:
the plan must name a receiver for each order, or say that it is left with
the leaving person on purpose (then the result lists it). An order the
receiver is already the other bolots on is refused (two-person rule), and
then nothing is moved at all.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.notifications import notify
from accounts.roles import Role
from audit.models import AccessAction
from audit.services import Change, log_access, record_changes

from ..models import Client, Order, OrderEvent, OrderState, ReassignedOrder, Reassignment

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
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
    A bolots's caseload goes through split_pilot_caseload with one receiver
    for every order, so it is refused as a whole (SplitRefused) when the new
    bolots already is the other bolots on one of the orders.
    """
    reason = _check(ctx, scope, from_user, to_user, reason)
    if scope == Reassignment.Scope.PILOT:
        plan = {order.pk: PlannedMove(to_user) for order in pilot_orders(ctx.user, from_user)}
        result = split_pilot_caseload(ctx, from_user, plan, reason)
        if result.reassignment.to_user_id is None:
            # Nothing to move: the record still says to whom it would have gone.
            result.reassignment.to_user = to_user
            result.reassignment.save(update_fields=["to_user"])
        return result
    now = timezone.now()
    record = Reassignment.objects.create(
        at=now, by=ctx.user, scope=scope, from_user=from_user, to_user=to_user, reason=reason
    )
    event_text = _("%(from)s → %(to)s. Reason: %(reason)s") % {"from": from_user, "to": to_user, "reason": reason}
    record.clients_moved = _move_clients(ctx, from_user, to_user, now)
    moved, skipped = _move_orders_of_officer(ctx, from_user, to_user, event_text)
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


# --- Splitting a bolots's caseload ------------------------------------------------


ACTIVE = ReassignedOrder.Place.ACTIVE
PASSIVE = ReassignedOrder.Place.PASSIVE


@dataclass(frozen=True)
class PlannedMove:
    """Where one order goes. `to_user` None: it stays with the leaving bolots
    on purpose. `place` empty: the receiver takes the leaving bolots's place
    (active or passive); otherwise the receiver takes that place and the
    other bolots moves to the leaving one's."""

    to_user: User | None
    place: str = ""


class SplitRefused(ReassignmentRefused):
    """The plan cannot be carried out; `order_errors` maps order ids to the
    Swedish message for that order's field. Nothing was written."""

    def __init__(self, message: str, order_errors: Mapping[int, str] | None = None):
        super().__init__(message)
        self.order_errors = dict(order_errors or {})


def pilot_orders(manager: User, pilot: User) -> QuerySet[Order]:
    """The leaving bolots's open orders in the manager's unit, in every open
    state, grouped by client (name order) for the split page."""
    return (
        orders_of(manager, Reassignment.Scope.PILOT, pilot)
        .select_related("client", "active_pilot", "passive_pilot")
        # Orders without a client file (outreach) last, each a group of its own.
        .order_by(F("client__last_name").asc(nulls_last=True), "client__first_name", "client_id", "pk")
    )


def receivers_with_caseload(unit_id: int, leaving: User) -> list[User]:
    """The active bolotsar of the unit who may take orders over (everyone but
    the leaving one), each with `open_orders`: the open orders they are
    assigned to now, active or passive. One query."""
    open_states = OrderState.open_states()

    def count(field_name: str) -> Subquery:
        return Subquery(
            Order.objects.filter(**{field_name: OuterRef("pk")}, state__in=open_states)
            .values(field_name)
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        )

    return list(
        people_of_role(unit_id, Role.PILOT, active_only=True)
        .exclude(pk=leaving.pk)
        .annotate(
            open_orders=Coalesce(count("active_pilot"), Value(0)) + Coalesce(count("passive_pilot"), Value(0))
        )
    )


def place_of(order: Order, pilot: User) -> str:
    return ACTIVE if order.active_pilot_id == pilot.pk else PASSIVE


def pilots_after(order: Order, leaving: User, receiver: User, place: str = "") -> tuple[User, User | None]:
    """(active, passive) of `order` once `receiver` has taken over from
    `leaving`; raises ReassignmentRefused with a message for the order's
    field when the two-person rule or the order's need of an active bolots
    forbids it."""
    own = place_of(order, leaving)
    other = order.passive_pilot if own == ACTIVE else order.active_pilot
    if other is not None and other.pk == receiver.pk:
        raise ReassignmentRefused(
            _("%(person)s is already the other bolots on this order; one person cannot be both.")
            % {"person": receiver}
        )
    target = place or own
    pilots = {own: receiver, (PASSIVE if own == ACTIVE else ACTIVE): other}
    if target != own:
        pilots = {target: receiver, own: other}
    if pilots[ACTIVE] is None:
        raise ReassignmentRefused(_("The order has no other bolots who could take the active place."))
    return pilots[ACTIVE], pilots[PASSIVE]


def plan_problems(
    orders: Iterable[Order], leaving: User, plan: Mapping[int, PlannedMove], receivers: Iterable[User],
) -> dict[int, str]:
    """Order id → message, for every order the plan cannot move as asked.
    The split form and the service ask the same question."""
    allowed = {person.pk for person in receivers}
    problems = {}
    for order in orders:
        move = plan.get(order.pk)
        if move is None:
            problems[order.pk] = _("Choose who takes over this order, or leave it on purpose.")
        elif move.to_user is None:
            continue
        elif move.to_user.pk not in allowed:
            problems[order.pk] = _("Choose an active bolots of your unit.")
        else:
            try:
                pilots_after(order, leaving, move.to_user, move.place)
            except ReassignmentRefused as refusal:
                problems[order.pk] = str(refusal)
    return problems


@dataclass
class Caseload:
    person: User
    now: int
    after: int
    # after minus the average after: how far above (or below) the unit's
    # average the plan leaves this person.
    above_average: float = 0.0


def planned_caseloads(receivers: Iterable[User], plan: Mapping[int, PlannedMove]) -> tuple[list[Caseload], float, float]:
    """Each receiver's open orders now and after the plan, and the average
    of both over the receivers (the people who stay in the unit)."""
    gained = Counter(move.to_user.pk for move in plan.values() if move.to_user is not None)
    rows = [Caseload(person, person.open_orders, person.open_orders + gained[person.pk]) for person in receivers]
    if not rows:
        return rows, 0.0, 0.0
    average_now, average_after = sum(row.now for row in rows) / len(rows), sum(row.after for row in rows) / len(rows)
    for row in rows:
        row.above_average = row.after - average_after
    return rows, average_now, average_after


def _check_split(ctx: AuditContext, leaving: User, reason: str) -> str:
    if not may_reassign(ctx.user):
        raise PermissionDenied(_("Only a manager may reassign caseloads."))
    reason = (reason or "").strip()
    if not reason:
        raise ReassignmentRefused(_("Write the reason for the reassignment."))
    if len(reason) > Reassignment._meta.get_field("reason").max_length:
        raise ReassignmentRefused(_("The reason is too long."))
    if leaving.unit_id != ctx.user.unit_id:
        raise ReassignmentRefused(_("Both people must belong to your unit."))
    if not _has_role(leaving, Role.PILOT):
        raise ReassignmentRefused(
            _("The person to move from does not have the role %(role)s.") % {"role": Role.PILOT}
        )
    return reason


@transaction.atomic
def split_pilot_caseload(
    ctx: AuditContext, leaving: User, plan: Mapping[int, PlannedMove], reason: str,
) -> ReassignmentResult:
    """Move the leaving bolots's open orders as `plan` says (order id →
    PlannedMove); returns a ReassignmentResult whose `skipped_orders` are the
    orders left with the leaving bolots on purpose.

    The plan must cover exactly the orders that are open and assigned to
    `leaving` when the rows are locked: an order added or closed since the
    manager looked refuses the whole plan (SplitRefused), as does any order
    the plan cannot move (plan_problems). Nothing is written then.
    """
    reason = _check_split(ctx, leaving, reason)
    orders = list(pilot_orders(ctx.user, leaving).select_for_update(of=("self",)))
    if set(plan) != {order.pk for order in orders}:
        raise SplitRefused(
            _("The orders of %(person)s changed after the page was shown. Nothing was moved: look at the list again.")
            % {"person": leaving}
        )
    receivers = {person.pk: person for person in people_of_role(ctx.user.unit_id, Role.PILOT, active_only=True)
                 .exclude(pk=leaving.pk)}
    problems = plan_problems(orders, leaving, plan, receivers.values())
    if problems:
        raise SplitRefused(_("Nothing was moved: see the messages beside the orders."), problems)

    record = Reassignment.objects.create(
        at=timezone.now(), by=ctx.user, scope=Reassignment.Scope.PILOT, from_user=leaving, reason=reason
    )
    moves, kept, gained = [], [], Counter()
    for order in orders:
        move = plan[order.pk]
        if move.to_user is None:
            kept.append(order)
            continue
        receiver = receivers[move.to_user.pk]
        place = _move_pilots(ctx, order, leaving, receiver, move.place, reason)
        moves.append(ReassignedOrder(reassignment=record, order=order, to_user=receiver, place=place))
        gained[receiver.pk] += 1
    ReassignedOrder.objects.bulk_create(moves)
    record.orders_moved = len(moves)
    if len(gained) == 1:
        record.to_user = receivers[next(iter(gained))]
    record.save(update_fields=["orders_moved", "to_user"])
    for pk, count in gained.items():
        orders_text = ngettext("%(count)s order", "%(count)s orders", count) % {"count": count}
        notify(receivers[pk], _("You have been given %(orders)s in a reassignment") % {"orders": orders_text},
               reverse("referrals:order_list"))
    return ReassignmentResult(record, kept)


def _move_pilots(ctx: AuditContext, order: Order, leaving: User, receiver: User, place: str, reason: str) -> str:
    """Write one order's new bolotsar with its traces; returns the place the
    receiver took."""
    before = {"active_pilot": order.active_pilot, "passive_pilot": order.passive_pilot}
    order.active_pilot, order.passive_pilot = pilots_after(order, leaving, receiver, place)
    order.version += 1
    order.save(update_fields=["active_pilot", "passive_pilot", "version"])
    changes = [
        Change(name, str(Order._meta.get_field(name).verbose_name), str(old or ""), str(getattr(order, name) or ""))
        for name, old in before.items()
        if getattr(old, "pk", None) != getattr(getattr(order, name), "pk", None)
    ]
    record_changes(ctx, order, changes)
    taken = ACTIVE if order.active_pilot_id == receiver.pk else PASSIVE
    OrderEvent.objects.create(
        order=order, by=ctx.user, transition=OrderEvent.Transition.REASSIGNED,
        text=_("%(from)s → %(to)s (%(place)s). Reason: %(reason)s") % {
            "from": leaving, "to": receiver, "place": ReassignedOrder.Place(taken).label.lower(), "reason": reason,
        },
    )
    log_access(ctx, AccessAction.UPDATE, order, note="reassignment")
    return taken
