"""Orders to the bolots unit: sending and the lifecycle transitions.

Every transition runs in one transaction: the state change (claimed with
optimistic locking on the order's version), an OrderEvent with the text that
went with it, the access-log row and the notification of the other side (in
the app at once; by e-mail after commit).

Who may take which step is decided here (the `may_*` rules below), not only
in the views: the views use the same rules to decide which forms to show,
and every service function checks them again before writing anything. A
refused step raises PermissionDenied (wrong person) or InvalidTransition
(wrong state or bad input) before the first write.

Notification texts leave the system by e-mail: they name the order by its
number and never the person it is about.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import notify_many
from accounts.roles import Role
from audit.models import AccessAction
from audit.services import log_access, snapshot
from audit.tracked import save_tracked
from audit.versioning import ConcurrentEditError, claim_version

from .. import order_followers
from ..models import Order, OrderEvent, OrderState
from ..models.orders import OUTCOMES_BY_KIND, pilot_working_rule
from ..models.risks import RISK_FLAGS
from . import risks

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable
    from datetime import datetime

    from django.db.models import QuerySet

    from audit.context import AuditContext
    from referrals.models import Client


class InvalidTransition(Exception):
    """The order is not in a state that allows this step; the message is
    Swedish and fit for the user."""


class OrderChangedMeanwhile(InvalidTransition):
    """Someone else changed the order after the user loaded it (the
    optimistic lock failed); nothing was saved."""


def order_url(order: Order) -> str:
    return reverse("referrals:order_detail", args=[order.pk])


def unit_pilots(unit_id: int) -> QuerySet[User]:
    return User.objects.with_role(Role.PILOT).filter(unit_id=unit_id)


def record_event(ctx: AuditContext, order: Order, transition: str, text: str = "") -> OrderEvent:
    return OrderEvent.objects.create(order=order, by=ctx.user, transition=transition, text=text)


# --- Who may do what -------------------------------------------------------
#
# Permissions say what a role may do at all; the unit and the assignment say
# on which orders. Managers are recognised by role, like in visible_to().


def _in_unit(user: User, order: Order) -> bool:
    return bool(user.is_authenticated and user.is_active and user.unit_id and user.unit_id == order.unit_id)


def is_unit_case_officer(user: User, order: Order) -> bool:
    return _in_unit(user, order) and user.has_perm("referrals.change_order")


def is_unit_manager(user: User, order: Order) -> bool:
    return _in_unit(user, order) and user.has_role(Role.MANAGER)


def may_accept(user: User, order: Order) -> bool:
    return _in_unit(user, order) and user.has_perm("referrals.accept_order")


def may_return(user: User, order: Order) -> bool:
    # Any bolots of the unit may ask about an order waiting in the queue.
    return _in_unit(user, order) and (
        user.has_perm("referrals.accept_order") or user.has_perm("referrals.carry_out_order")
    )


def may_answer(user: User, order: Order) -> bool:
    return is_unit_case_officer(user, order)


def may_carry_out(user: User, order: Order) -> bool:
    """Start, complete: one of the two bolotsar assigned to the order."""
    return _in_unit(user, order) and order.is_assigned_to(user) and user.has_perm("referrals.carry_out_order")


def may_cancel(user: User, order: Order) -> bool:
    return is_unit_case_officer(user, order) or is_unit_manager(user, order)


def may_link_client(user: User, order: Order) -> bool:
    return is_unit_case_officer(user, order)


def may_log_first_visit(user: User, order: Order) -> bool:
    """The bolots app logs visits by the bolotsar of the order's unit (the
    one who logs may be a colleague standing in)."""
    return _in_unit(user, order) and user.has_perm("referrals.carry_out_order")


# Which step may be taken from which state.
ACCEPT_FROM = (OrderState.SENT,)
RETURN_FROM = (OrderState.SENT,)
ANSWER_FROM = (OrderState.RETURNED,)
START_FROM = (OrderState.ACCEPTED,)
COMPLETE_FROM = (OrderState.ACCEPTED, OrderState.IN_PROGRESS)
CANCEL_FROM = tuple(OrderState.open_states())
FIRST_VISIT_FROM = (OrderState.ACCEPTED, OrderState.IN_PROGRESS)

# action name → (allowed states, actor rule); used by the detail page to
# show only the forms the user may submit.
ACTIONS = {
    "accept": (ACCEPT_FROM, may_accept),
    "return": (RETURN_FROM, may_return),
    "answer": (ANSWER_FROM, may_answer),
    "start": (START_FROM, may_carry_out),
    "complete": (COMPLETE_FROM, may_carry_out),
    "cancel": (CANCEL_FROM, may_cancel),
}


def allowed_actions(user: User, order: Order) -> set[str]:
    """The names of the steps `user` may take on `order` now."""
    allowed = {name for name, (states, rule) in ACTIONS.items() if order.state in states and rule(user, order)}
    if order.client_id is None and may_link_client(user, order):
        allowed.add("link")
    return allowed


def with_details_for(user: User, queryset: QuerySet[Order] | None = None) -> QuerySet[Order]:
    """Orders whose personal details `user` may see (Order.details_visible_to
    in SQL): the unit's orders for its case officers and managers, the
    assigned ones under way for bolotsar. The unaccepted queue and ended
    orders are left out."""
    queryset = Order.objects.all() if queryset is None else queryset
    if not (user.is_authenticated and user.is_active and user.unit_id):
        return queryset.none()
    # Bolotsar: while the order is under way only (former clients, docs/access.md).
    rule = pilot_working_rule(user)
    if user.has_role(Role.CASE_OFFICER) or user.has_role(Role.MANAGER):
        rule |= Q(unit_id=user.unit_id)
    return queryset.filter(rule)


# --- Helpers for the transitions --------------------------------------------


def _refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not take this step on this order."))


def _require_state(order: Order, states: Collection[str]) -> None:
    if order.state not in states:
        raise InvalidTransition(
            _("This step cannot be taken when the order is “%(state)s”.") % {"state": order.get_state_display()}
        )


def _require_text(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidTransition(message)
    return text


@contextmanager
def _changed_meanwhile() -> Iterator[None]:
    """A failed optimistic lock, told to the user as a refused step."""
    try:
        yield
    except ConcurrentEditError:
        raise OrderChangedMeanwhile(
            _("Someone else changed the order at the same time. Nothing was saved: look at the order again and retry.")
        ) from None


def _expected(order: Order, expected_version: int | None) -> int:
    # A caller without a form (a service, a test) steps from the version it holds.
    return order.version if expected_version is None else expected_version


# The lifecycle transitions claim the version and save here, not through
# audit.tracked.save_tracked: a transition is a change of state whose
# history is its OrderEvent (with the text that went with it), not a diff
# of fields, so save_tracked would keep no field history for it; and the
# claim comes first, before the order is touched, because everything
# checked so far was checked on the version the user saw (a refused claim
# leaves the caller's order as it was). A field edit of an order
# (link_order_to_client) goes through save_tracked.


def _claim(order: Order, expected_version: int | None) -> None:
    """Take the optimistic lock; everything checked so far was checked on the
    version the user saw, so a newer one refuses the step."""
    with _changed_meanwhile():
        claim_version(order, _expected(order, expected_version))


def _save(ctx: AuditContext, order: Order, transition: str, text: str, fields: list[str]) -> None:
    order.save(update_fields=[*fields, "version"])
    record_event(ctx, order, transition, text)
    log_access(ctx, AccessAction.UPDATE, order, note=transition)


def _notify(ctx: AuditContext, users: Iterable[User], text: str, order: Order) -> None:
    """Tell the other side; the person acting needs no message about it."""
    notify_many([user for user in users if user is not None and user.pk != ctx.user.pk], text, order_url(order))


def _number(order: Order) -> dict[str, int]:
    return {"number": order.pk}


# --- Sending -----------------------------------------------------------------


@transaction.atomic
def send_order(ctx: AuditContext, order: Order, *, risks_stated: bool = False) -> Order:
    """Send a new order to the bolots unit of the case officer's unit.

    `order` is unsaved, with its kind, person, assignment and risks filled
    in. The 48-hour deadline of outreach and eviction-prevention orders is
    set from the sending time (Order.save).

    Risk information belongs to the client (services.risks). With
    `risks_stated` (the order form, prefilled from the client's) the order's
    risks become the client's; otherwise (orders made from a notice or a
    concern report) the order takes the client's known risks besides its
    own and the client gets the union. The order keeps its copy as the
    snapshot of what the bolots unit was told.
    """
    if order.client_id and not risks_stated:
        client = order.client
        for name in RISK_FLAGS:
            setattr(order, name, getattr(order, name) or getattr(client, name))
        order.risk_notes = order.risk_notes or client.risk_notes
    order.unit_id = order.unit_id or ctx.user.unit_id
    order.ordered_by = order.ordered_by if order.ordered_by_id else ctx.user
    order.state = OrderState.SENT
    order.sent_at = timezone.now()
    order.first_visit_due_at = None
    order.save()
    record_event(ctx, order, OrderEvent.Transition.SENT)
    log_access(ctx, AccessAction.CREATE, order)
    risks.adopt_order_risk(ctx, order, merge=not risks_stated)
    notify_many(
        unit_pilots(order.unit_id),
        _("New order #%(number)s: %(kind)s") % {"number": order.pk, "kind": order.get_kind_display()},
        order_url(order),
    )
    return order


# --- The lifecycle -------------------------------------------------------------


def _check_pilots(order: Order, active_pilot: User, passive_pilot: User) -> None:
    if active_pilot is None or passive_pilot is None:
        raise InvalidTransition(_("Choose two bolotsar: one active and one passive."))
    if active_pilot.pk == passive_pilot.pk:
        raise InvalidTransition(_("The active and the passive bolots must be two different people."))
    eligible = set(unit_pilots(order.unit_id).filter(pk__in=[active_pilot.pk, passive_pilot.pk]).values_list("pk", flat=True))
    if eligible != {active_pilot.pk, passive_pilot.pk}:
        raise InvalidTransition(_("Both bolotsar must be active bolotsar of the order's unit."))


@transaction.atomic
def accept_order(
    ctx: AuditContext, order: Order, active_pilot: User, passive_pilot: User, *, expected_version: int | None = None,
) -> Order:
    """The unit takes the order on and assigns two bolotsar: SENT → ACCEPTED."""
    _refuse_unless(may_accept(ctx.user, order))
    _require_state(order, ACCEPT_FROM)
    _check_pilots(order, active_pilot, passive_pilot)
    _claim(order, expected_version)
    order.state = OrderState.ACCEPTED
    order.active_pilot = active_pilot
    order.passive_pilot = passive_pilot
    order.accepted_at = timezone.now()
    text = _("Active bolots: %(active)s. Passive bolots: %(passive)s.") % {
        "active": active_pilot, "passive": passive_pilot,
    }
    _save(ctx, order, OrderEvent.Transition.ACCEPTED, text, ["state", "active_pilot", "passive_pilot", "accepted_at"])
    _notify(
        ctx, [order.ordered_by, active_pilot, passive_pilot],
        _("Order #%(number)s has been accepted") % _number(order), order,
    )
    return order


@transaction.atomic
def return_order(ctx: AuditContext, order: Order, question: str, *, expected_version: int | None = None) -> Order:
    """The unit sends the order back to the case officer with a question:
    SENT → RETURNED."""
    _refuse_unless(may_return(ctx.user, order))
    _require_state(order, RETURN_FROM)
    question = _require_text(question, _("Write the question to the case officer."))
    _claim(order, expected_version)
    order.state = OrderState.RETURNED
    _save(ctx, order, OrderEvent.Transition.RETURNED, question, ["state"])
    _notify(ctx, [order.ordered_by], _("Order #%(number)s has been returned with a question") % _number(order), order)
    return order


@transaction.atomic
def answer_order(ctx: AuditContext, order: Order, answer: str, *, expected_version: int | None = None) -> Order:
    """The case officer answers and sends the order again: RETURNED → SENT.
    The 48-hour deadline still runs from the first sending."""
    _refuse_unless(may_answer(ctx.user, order))
    _require_state(order, ANSWER_FROM)
    answer = _require_text(answer, _("Write the answer to the question."))
    _claim(order, expected_version)
    order.state = OrderState.SENT
    _save(ctx, order, OrderEvent.Transition.ANSWERED, answer, ["state"])
    _notify(ctx, unit_pilots(order.unit_id), _("Order #%(number)s has been answered and sent again") % _number(order), order)
    return order


def _start(ctx: AuditContext, order: Order, started_at: datetime, text: str) -> None:
    order.state = OrderState.IN_PROGRESS
    order.started_at = started_at
    _save(ctx, order, OrderEvent.Transition.STARTED, text, ["state", "started_at", "first_visit_at"])
    _notify(ctx, [order.ordered_by], _("Order #%(number)s has been started") % _number(order), order)


@transaction.atomic
def start_order(ctx: AuditContext, order: Order, *, expected_version: int | None = None) -> Order:
    """An assigned bolots starts the work: ACCEPTED → IN_PROGRESS."""
    _refuse_unless(may_carry_out(ctx.user, order))
    _require_state(order, START_FROM)
    _claim(order, expected_version)
    _start(ctx, order, timezone.now(), "")
    return order


@transaction.atomic
def complete_order(
    ctx: AuditContext, order: Order, outcome: str, report: str, *, expected_version: int | None = None,
) -> Order:
    """An assigned bolots reports back: ACCEPTED or IN_PROGRESS → COMPLETED."""
    _refuse_unless(may_carry_out(ctx.user, order))
    _require_state(order, COMPLETE_FROM)
    if outcome not in OUTCOMES_BY_KIND[order.kind]:
        raise InvalidTransition(_("Choose an outcome that fits this kind of order."))
    report = _require_text(report, _("Write the report to the case officer."))
    _claim(order, expected_version)
    order.state = OrderState.COMPLETED
    order.outcome = outcome
    order.report = report
    order.completed_at = timezone.now()
    _save(ctx, order, OrderEvent.Transition.COMPLETED, report, ["state", "outcome", "report", "completed_at"])
    _notify(ctx, [order.ordered_by], _("Order #%(number)s has been completed") % _number(order), order)
    return order


@transaction.atomic
def cancel_order(ctx: AuditContext, order: Order, reason: str, *, expected_version: int | None = None) -> Order:
    """The unit's case officer or a manager withdraws an open order."""
    _refuse_unless(may_cancel(ctx.user, order))
    _require_state(order, CANCEL_FROM)
    reason = _require_text(reason, _("Write why the order is cancelled."))
    max_length = Order._meta.get_field("cancel_reason").max_length
    if len(reason) > max_length:
        raise InvalidTransition(
            _("The reason may be at most %(max)s characters long.") % {"max": max_length}
        )
    _claim(order, expected_version)
    assigned = [order.active_pilot, order.passive_pilot] if order.active_pilot_id else list(unit_pilots(order.unit_id))
    order.state = OrderState.CANCELLED
    order.cancel_reason = reason
    order.cancelled_at = timezone.now()
    _save(ctx, order, OrderEvent.Transition.CANCELLED, reason, ["state", "cancel_reason", "cancelled_at"])
    # When a manager cancels, the case officer who ordered must know too.
    _notify(ctx, [*assigned, order.ordered_by], _("Order #%(number)s has been cancelled") % _number(order), order)
    return order


@transaction.atomic
def link_order_to_client(
    ctx: AuditContext, order: Order, client: Client, *, expected_version: int | None = None,
) -> Order:
    """Connect an order about an unregistered person (typically outreach) to
    the client file the person turned out to have. The name and address
    written on the order are kept as they were."""
    _refuse_unless(may_link_client(ctx.user, order))
    if order.client_id is not None:
        raise InvalidTransition(_("The order is already linked to a client."))
    if client is None or client.unit_id != order.unit_id:
        raise InvalidTransition(_("Choose a client of the order's unit."))
    before = snapshot(order, ["client"])
    order.client = client
    with _changed_meanwhile():
        save_tracked(ctx, order, ["client"], expected_version=_expected(order, expected_version), before=before,
                     update_fields=["client"], note="client")
    # The visits logged so far (bolots) become the client's too.
    order_followers.follow(ctx, order, None)
    # What the outreach found joins what the client file knew: nothing dropped.
    risks.adopt_order_risk(ctx, order, merge=True)
    _notify(
        ctx, [order.ordered_by, order.active_pilot, order.passive_pilot],
        _("Order #%(number)s has been linked to a client file") % _number(order), order,
    )
    return order


@transaction.atomic
def mark_first_visit(ctx: AuditContext, order: Order, at: datetime) -> Order:
    """Public API for the bolots app: a first visit attempt was logged at `at`.

    Stores the first visit (the earliest one, when an earlier visit is
    logged afterwards; KPI 3 measures the first attempt) and moves an
    accepted order on to IN_PROGRESS. Re-reads and locks the order so that a
    visit is never lost to a concurrent change of something else on it.
    """
    order = Order.objects.select_for_update(of=("self",)).select_related("ordered_by").get(pk=order.pk)
    _refuse_unless(may_log_first_visit(ctx.user, order))
    _require_state(order, FIRST_VISIT_FROM)
    if at < order.sent_at.replace(second=0, microsecond=0):
        raise InvalidTransition(_("A visit cannot have been made before the order was sent."))
    sets_first_visit = order.first_visit_at is None or at < order.first_visit_at
    starts = order.state == OrderState.ACCEPTED
    if not (sets_first_visit or starts):
        return order
    # The row is locked and just read, so this claim cannot fail: it moves
    # the version on so that an order page opened before the visit sees a
    # conflict. Not save_tracked: starting is a transition (above), and the
    # first visit's time keeps no field history (the visit is its record).
    claim_version(order, order.version)
    if sets_first_visit:
        order.first_visit_at = at
    if starts:
        _start(ctx, order, at, _("First visit attempt logged."))
    else:
        order.save(update_fields=["first_visit_at", "version"])
        log_access(ctx, AccessAction.UPDATE, order, note="first_visit_at")
    return order


@transaction.atomic
def set_first_visit(ctx: AuditContext, order: Order, at: datetime | None) -> Order:
    """Public API for the bolots app: the order's first visit attempt was
    annulled, so the first one is now `at` (the next attempt in effect, or
    None: the 48-hour clock runs again). The state stays: an order under way
    is not moved back. The caller holds the order's lock."""
    order = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
    if order.first_visit_at == at:
        return order
    claim_version(order, order.version)
    order.first_visit_at = at
    order.save(update_fields=["first_visit_at", "version"])
    log_access(ctx, AccessAction.UPDATE, order, note="first_visit_at")
    return order
