"""Logging a visit (besök): the rules a visit must meet, and everything a
logged visit sets off on the referral side.

`log_visit()` runs in one transaction: the visit, its checklist, their
access-log rows, the order's first visit attempt (referrals
`mark_first_visit`), the execution of a bolots-support decision at the first
done visit (referrals `execute_decision`) and the signals a failing checklist
raises (services/signals.py). A refused visit raises VisitError before
anything is kept.

The rules live here so that the form (which shows the refusal beside the
field) and the service (which checks again before writing) agree:

- The two-person rule (`second_pilot_reasons`): a second bolots must be
  present at the first visit of every order, at every visit on an outreach or
  eviction-prevention order, and at every visit on an order whose risks
  include violence in close relationships or threats. "First" means no done
  visit earlier on the order: until the bolotsar have actually met the
  person, the next visit is still the first meeting in the home (a
  cancellation or a closed door does not count). Visits cancelled by the
  client or by staff are exempt: nobody went, so nobody was at risk, and a
  visit cancelled because the second bolots fell ill must be recordable.
- Cancellations carry a reason from the fixed list when cancelled by the
  client or by staff; "other" needs a text; a done visit has none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.notifications import notify
from accounts.roles import Role
from audit.annulment import AnnulmentError, annul
from audit.models import AccessAction
from audit.services import log_access
from audit.tracked import save_tracked
from core.calendar import full_years_between
from core.rules import RuleError
from referrals.models import Order, OrderKind, OrderState
from referrals.services import orders as order_services
from referrals.services.decisions import DecisionError, execute_decision
from tenancies.models import ComplaintKind

from ..models import CancelReason, Visit, VisitChecklist, VisitKind, VisitOutcome
from . import signals as signal_services

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import date, datetime

    from accounts.models import User
    from audit.context import AuditContext

# Visits are logged while the order is under way (what mark_first_visit and
# the bolotsar's sight of the client also require).
LOGGABLE_STATES = tuple(OrderState.active_states())

# Kinds on which the monthly checklist is filled in (with outcome done).
CHECKLIST_KINDS = (VisitKind.LOOK_IN, VisitKind.QUARTERLY_FOLLOW_UP)

# A visit cannot be logged ahead, except a cancellation (the client may call
# on Monday to cancel Wednesday's visit). A few minutes' grace for clocks.
FUTURE_GRACE = timezone.timedelta(minutes=10)


class VisitError(RuleError):
    """A rule refuses the visit (core.rules). Nothing is kept."""


class LikelyDuplicate(VisitError):
    """The order already has a visit in effect at the same minute: probably
    the same visit saved twice (it would count twice in the visit figures
    and the goals). The form asks; log_visit(..., allow_duplicate=True)
    saves anyway. `existing` is that visit."""

    def __init__(self, existing: Visit):
        super().__init__(
            _("A visit at %(time)s is already logged on this order (%(kind)s, %(outcome)s). "
              "If this is another visit, tick “Save anyway”.")
            % {"time": timezone.localtime(existing.visited_at).strftime("%Y-%m-%d %H:%M"),
               "kind": str(existing.get_kind_display()).lower(), "outcome": str(existing.get_outcome_display()).lower()},
            code="likely_duplicate", field="save_anyway",
        )
        self.existing = existing


def likely_duplicate(order: Order, visited_at: datetime, exclude_pk: int | None = None) -> Visit | None:
    """The order's visit in effect (not annulled) in the same minute as
    `visited_at`, or None. The minute is the form's precision: two visits
    logged for the same minute on one order are the same visit unless the
    user says otherwise; a visit at another time of the day is not asked
    about (two visits a day happen: a cancelled one and a new attempt)."""
    start = visited_at.replace(second=0, microsecond=0)
    same = Visit.objects.effective().filter(
        order_id=order.pk, visited_at__gte=start, visited_at__lt=start + timezone.timedelta(minutes=1),
    )
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    return same.order_by("pk").first()


@dataclass
class LoggedVisit:
    """What log_visit() did, for the page to tell the user."""

    visit: Visit
    checklist: VisitChecklist | None = None
    signals: list = field(default_factory=list)
    complaint: object = None
    # The client had no apartment on the visit day to register the complaint on.
    complaint_without_apartment: bool = False
    decision_executed: bool = False
    # Why the order's decision could not be executed (a Swedish message), or "".
    decision_refusal: str = ""


# --- Who may log -----------------------------------------------------------------


def may_log_visit(user: User, order: Order) -> bool:
    """One of the order's two bolotsar (referrals' may_carry_out), with the
    permission to add visits. A colleague standing in is chosen as present
    in the form; the one who logs is one of the assigned."""
    return user.has_perm("bolots.add_visit") and order_services.may_carry_out(user, order)


def is_loggable(order: Order) -> bool:
    return order.state in LOGGABLE_STATES


# --- The rules -----------------------------------------------------------------------


def age_on(birth_date: date, day: date) -> int:
    """Whole years on `day`."""
    return full_years_between(birth_date, day)


def is_first_visit(order: Order, visited_at: datetime, exclude_pk: int | None = None) -> bool:
    """No done visit earlier than `visited_at` on the order (see the module
    docstring for why only done visits count)."""
    earlier = Visit.objects.effective().filter(order_id=order.pk, outcome=VisitOutcome.DONE, visited_at__lt=visited_at)
    if exclude_pk is not None:
        earlier = earlier.exclude(pk=exclude_pk)
    return not earlier.exists()


def second_pilot_reasons(order: Order, outcome: str, *, first_visit: bool) -> list[str]:
    """Why this visit needs a second bolots (Swedish sentences), or []."""
    if outcome in VisitOutcome.needing_reason():
        return []
    reasons = []
    if first_visit:
        reasons.append(_("it is the first visit on the order"))
    if order.kind in OrderKind.with_48_hour_rule():
        reasons.append(_("every visit on an outreach or eviction-prevention order is made by two"))
    # The client's current risk information, not the order's snapshot: a
    # threat reported after the order was sent counts too.
    risk = order.current_risk
    if risk.risk_violence or risk.risk_threats:
        reasons.append(_("the risk information includes violence or threats"))
    return reasons


def two_person_message(reasons: Iterable[str]) -> str:
    return _("Two bolotsar must be present: %(reasons)s. Choose the second bolots.") % {
        "reasons": "; ".join(reasons)
    }


def visit_errors(order: Order, visit: Visit, *, now: datetime | None = None) -> list[tuple[str | None, str]]:
    """[(field, message)] for everything that refuses `visit` on `order`;
    empty when it may be logged. Used by the form and by log_visit()."""
    now = now or timezone.now()
    errors = []
    if not is_loggable(order):
        errors.append((None, _("Visits can only be logged on an accepted order or one in progress.")))
    if visit.visited_at:
        if visit.visited_at < order.sent_at.replace(second=0, microsecond=0):
            errors.append((
                "visited_at",
                _("The visit cannot be before the order was sent (%(sent)s).")
                % {"sent": timezone.localtime(order.sent_at).strftime("%Y-%m-%d %H:%M")},
            ))
        elif visit.visited_at > now + FUTURE_GRACE and visit.outcome not in VisitOutcome.needing_reason():
            errors.append(("visited_at", _("The visit cannot be in the future. Only a cancellation can be logged ahead.")))
    errors += _reason_errors(visit)
    if visit.active_pilot_id and visit.passive_pilot_id == visit.active_pilot_id:
        errors.append(("passive_pilot", _("The second bolots must be someone other than the active bolots.")))
    if visit.active_pilot_id and not _is_unit_pilot(order, visit.active_pilot_id):
        errors.append(("active_pilot", _("Choose a bolots of the order's unit.")))
    if visit.passive_pilot_id and not _is_unit_pilot(order, visit.passive_pilot_id):
        errors.append(("passive_pilot", _("Choose a bolots of the order's unit.")))
    if not visit.passive_pilot_id and visit.visited_at and visit.outcome:
        reasons = second_pilot_reasons(
            order, visit.outcome, first_visit=is_first_visit(order, visit.visited_at, exclude_pk=visit.pk)
        )
        if reasons:
            errors.append(("passive_pilot", two_person_message(reasons)))
    return errors


def _reason_errors(visit: Visit) -> list[tuple[str | None, str]]:
    errors = []
    if visit.outcome == VisitOutcome.DONE:
        if visit.cancel_reason:
            errors.append(("cancel_reason", _("A visit that was done has no reason for a cancellation: choose “None”.")))
        return errors
    if visit.outcome in VisitOutcome.needing_reason() and not visit.cancel_reason:
        errors.append(("cancel_reason", _("Choose the reason for the cancellation.")))
    if visit.cancel_reason == CancelReason.OTHER and not (visit.cancel_reason_text or "").strip():
        errors.append(("cancel_reason_text", _("Write the reason when you choose “Other”.")))
    return errors


def _is_unit_pilot(order: Order, user_id: int) -> bool:
    return order_services.unit_pilots(order.unit_id).filter(pk=user_id, is_active=True).exists()


def checklist_errors(order: Order, visit: Visit) -> list[tuple[str | None, str]]:
    """[(field, message)] refusing a checklist on this visit."""
    if visit.kind not in CHECKLIST_KINDS or visit.outcome != VisitOutcome.DONE:
        return [(None, _("The checklist is filled in on a look-in or quarterly follow-up that was done. "
                         "Empty it, or change the kind and outcome of the visit."))]
    if order.client_id is None:
        return [(None, _("The checklist needs a registered client: ask the case officer to link the order "
                         "to the client's file first."))]
    return []


# --- Logging -------------------------------------------------------------------------


def _refuse(errors: Sequence[tuple[str | None, str]]) -> None:
    field_name, message = errors[0]
    raise VisitError(message, field=field_name)


@transaction.atomic
def log_visit(
    ctx: AuditContext,
    visit: Visit,
    checklist: VisitChecklist | None = None,
    *,
    complaint_kind: str = ComplaintKind.OTHER,
    allow_duplicate: bool = False,
) -> LoggedVisit:
    """Store the new, unsaved `visit` (order, time, bolotsar, kind, outcome,
    reason and notes filled in) and, on a done look-in or follow-up, its
    `checklist` (unsaved, without the visit).

    Returns a LoggedVisit. Raises VisitError (nothing kept) when a rule
    refuses, PermissionDenied when the user may not log on the order. A
    decision that cannot be executed does not refuse the visit: the visit is
    kept, the reason returned, and the case officer told.
    """
    # Locked so that two visits logged at once on one order are checked one
    # after the other (the two-person rule looks at the earlier visits).
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("client__responsible_officer", "ordered_by", "decision")
        .get(pk=visit.order_id)
    )
    if not may_log_visit(ctx.user, order):
        raise PermissionDenied(_("You may not log visits on this order."))
    errors = visit_errors(order, visit)
    if checklist is not None:
        errors += checklist_errors(order, visit)
    if errors:
        _refuse(errors)
    # Checked under the order's lock: two sends of one form wait in turn.
    if not allow_duplicate:
        existing = likely_duplicate(order, visit.visited_at)
        if existing is not None:
            raise LikelyDuplicate(existing)

    visit.order = order
    visit.client = order.client
    visit.client_age = age_on(order.client.birth_date, timezone.localdate(visit.visited_at)) if order.client_id else None
    visit.logged_by = ctx.user
    if visit.outcome == VisitOutcome.DONE:
        visit.cancel_reason_text = ""
    visit.save()
    log_access(ctx, AccessAction.CREATE, visit)
    result = LoggedVisit(visit=visit)

    if checklist is not None:
        checklist.visit = visit
        checklist.save()
        log_access(ctx, AccessAction.CREATE, checklist)
        result.checklist = checklist

    if visit.outcome in VisitOutcome.attempts():
        try:
            order_services.mark_first_visit(ctx, order, visit.visited_at)
        except order_services.InvalidTransition as refusal:
            raise VisitError(str(refusal)) from None

    if visit.outcome == VisitOutcome.DONE:
        _execute_decision(ctx, order, visit, result)

    if checklist is not None:
        signal_services.raise_signals(ctx, visit, checklist, result, complaint_kind=complaint_kind)
    return result


# --- Annulment -----------------------------------------------------------------------


def may_annul_visit(user: User, visit: Visit) -> bool:
    """Who may annul a visit (docs/access.md): a bolots who was there or
    logged it, and the unit's managers (the visit must be visible to them:
    Visit.visible_to gives a manager the unit's). Both hold
    bolots.annul_visit; a case officer reads visits but never logs them."""
    if not user.has_perm("bolots.annul_visit"):
        return False
    if user.has_role(Role.PILOT) and user.pk in (visit.active_pilot_id, visit.passive_pilot_id, visit.logged_by_id):
        return True
    return user.has_role(Role.MANAGER) and Visit.objects.visible_to(user).filter(pk=visit.pk).exists()


@transaction.atomic
def annul_visit(ctx: AuditContext, visit: Visit, reason: str) -> Visit:
    """Annul a visit logged by mistake (audit.annulment): it stays, marked
    annulled with `reason`, who and when, and leaves the visit figures, the
    goals and the visit-frequency facts. When it was the order's first
    visit attempt, the order's first_visit_at (KPI 3, the 48-hour clock)
    moves to the next attempt in effect, or back to none.

    What the visit set off stays: a decision it executed and signals it
    raised are the case officer's to correct (they are told by the signal
    and see the visit marked annulled). Raises VisitError, nothing kept."""
    order = Order.objects.select_for_update(of=("self",)).get(pk=visit.order_id)
    current = Visit.objects.select_for_update(of=("self",)).get(pk=visit.pk)
    if not may_annul_visit(ctx.user, current):
        raise PermissionDenied(_("You may not annul this visit."))
    try:
        annul(ctx, current, reason)
    except AnnulmentError as refusal:
        raise VisitError(refusal.messages[0], field=refusal.field) from None
    _refresh_first_visit(ctx, order)
    return current


def _refresh_first_visit(ctx: AuditContext, order: Order) -> None:
    """The order's first visit attempt (KPI 3, the 48-hour clock) is the
    earliest attempt in effect: after an annulment or a correction of a
    visit's time or outcome it may be another one, or none."""
    first = (
        Visit.objects.effective().filter(order_id=order.pk, outcome__in=VisitOutcome.attempts())
        .order_by("visited_at").values_list("visited_at", flat=True).first()
    )
    if first != order.first_visit_at:
        order_services.set_first_visit(ctx, order, first)


# --- Correcting a visit -------------------------------------------------------------

# What a visit's edit page corrects; their changes are kept in the field
# history. The checklist and what the visit set off (signals, a complaint,
# an executed decision) are not edited: they are the case officer's to follow.
TRACKED_FIELDS = [
    "visited_at", "active_pilot", "passive_pilot", "kind", "outcome", "cancel_reason", "cancel_reason_text", "notes",
]


def may_edit_visit(user: User, visit: Visit) -> bool:
    """The visit's bolotsar (present, or the one who logged it) with
    bolots.change_visit: those who know what happened (docs/access.md)."""
    return user.has_perm("bolots.change_visit") and user.pk in (
        visit.active_pilot_id, visit.passive_pilot_id, visit.logged_by_id,
    )


@transaction.atomic
def update_visit(ctx: AuditContext, visit: Visit, *, expected_version: int, allow_duplicate: bool = False) -> Visit:
    """Save the corrected `visit` through the tracked-save path (field
    history, access log, optimistic lock on `expected_version`). The same
    rules as logging apply (visit_errors, the checklist's kinds, a likely
    duplicate at the new time unless `allow_duplicate`); an annulled visit
    is not corrected. Raises VisitError (nothing kept), PermissionDenied,
    ConcurrentEditError."""
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("client")
        .get(pk=visit.order_id)
    )

    def check(stored: Visit) -> None:
        if stored.annulled_at is not None:
            raise VisitError(_("The visit is annulled and cannot be changed."))
        if not may_edit_visit(ctx.user, stored):
            raise PermissionDenied(_("You may not change this visit."))
        errors = visit_errors(order, visit)
        if VisitChecklist.objects.filter(visit_id=stored.pk).exists():
            errors += checklist_errors(order, visit)
        if errors:
            _refuse(errors)
        if not allow_duplicate:
            existing = likely_duplicate(order, visit.visited_at, exclude_pk=visit.pk)
            if existing is not None:
                raise LikelyDuplicate(existing)

    if visit.outcome == VisitOutcome.DONE:
        visit.cancel_reason_text = ""
    if order.client_id:
        visit.client_age = age_on(order.client.birth_date, timezone.localdate(visit.visited_at))
    saved = save_tracked(
        ctx, visit, TRACKED_FIELDS, expected_version=expected_version,
        stored=Visit.objects.select_related("active_pilot", "passive_pilot"), check=check,
        update_fields=[*TRACKED_FIELDS, "client_age"],
        reread=Visit.objects.select_related("active_pilot", "passive_pilot"),
    )
    _refresh_first_visit(ctx, order)
    return saved.record


def _execute_decision(ctx: AuditContext, order: Order, visit: Visit, result: LoggedVisit) -> None:
    """The first done visit of a bolots-support order starts the support:
    its decision is executed on the visit day. A decision the rules refuse
    to execute (rejected, closed, decided after the visit) must not cost the
    visit: it is kept, and the case officer is told to look at the decision
    (it stays on the list of decisions waiting for execution)."""
    if order.kind != OrderKind.BOLOTS_SUPPORT or order.decision_id is None:
        return
    decision = order.decision
    if decision.executed_on is not None:
        return
    day = timezone.localdate(visit.visited_at)
    try:
        execute_decision(ctx, decision, day, note=_("First visit on order #%(number)s") % {"number": order.pk})
    except DecisionError as refusal:
        result.decision_refusal = " ".join(refusal.messages)
        recipient = signal_services.officer_for(order)
        if recipient is not None and recipient.pk != ctx.user.pk:
            notify(
                recipient,
                _("Order #%(number)s: the decision could not be executed at the first visit") % {"number": order.pk},
                reverse("referrals:order_detail", args=[order.pk]),
            )
    else:
        result.decision_executed = True
