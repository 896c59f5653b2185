"""Writes of assistance decisions (biståndsbeslut): recording, editing,
execution, interruptions, closing, offers and the reason for a delay.

Each function runs in one transaction and writes its access-log row (and the
field history of what it changed) there. A refused operation raises
DecisionError, a ValidationError whose message is Swedish and fit to show
the user; nothing is stored then.

The tenancies and bolots apps call execute_decision() when a move-in or the
start of support executes a decision: keep its signature.

Status is never stored: it follows from the dates (Decision.status_on and
DecisionQuerySet.with_status).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Case, DateField, Exists, F, Max, OuterRef, Q, Subquery, When
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.annulment import AnnulmentError, annul
from audit.models import AccessAction
from audit.services import log_access
from audit.tracked import save_tracked, write_fields
from core.rules import RuleError

from .. import offer_keepers
from ..models import Client, Decision, DecisionKind, DecisionOutcome, DecisionStatus, Interruption, Offer

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from django.db.models import QuerySet

    from accounts.models import User
    from audit.context import AuditContext

# What a case officer edits on a recorded decision (the decision itself);
# execution, interruptions and closing have their own functions. Their
# changes are kept in the field history.
TRACKED_FIELDS = [
    "kind",
    "legal_basis",
    "applied_on",
    "decided_on",
    "outcome",
    "valid_from",
    "valid_to",
    "decided_by",
    "reasoning",
]


class DecisionError(RuleError):
    """The rules refuse the operation; the message is for the user."""


class MissingBolotsSupport(DecisionError):
    """A granted training-apartment decision without a granted bolots-support
    decision covering its period. The decision form then offers to register
    both at once (record_decision(..., with_bolots_support=True))."""


class LikelyDuplicate(DecisionError):
    """The client already has a decision in effect of the same kind and date:
    probably the same decision saved twice (it would then wait twice among
    the non-executed decisions and be reported to IVO twice). The form asks
    before saving; record_decision(..., allow_duplicate=True) saves anyway.
    `existing` is that decision."""

    def __init__(self, existing: Decision):
        super().__init__(
            _("The client already has a decision on %(kind)s dated %(date)s (registered %(created)s). "
              "If this is another decision, tick “Save anyway”.")
            % {"kind": str(existing.get_kind_display()).lower(), "date": _date(existing.decided_on),
               "created": timezone.localtime(existing.created_at).strftime("%Y-%m-%d")},
            code="likely_duplicate", field="save_anyway",
        )
        self.existing = existing


def likely_duplicate(decision: Decision) -> Decision | None:
    """The client's earliest decision in effect (not annulled) with the same
    kind and decision date as `decision`, other than itself; or None."""
    same = Decision.objects.effective().filter(
        client_id=decision.client_id, kind=decision.kind, decided_on=decision.decided_on,
    )
    if decision.pk is not None:
        same = same.exclude(pk=decision.pk)
    return same.order_by("pk").first()


def _date(day: date | None) -> str:
    return day.strftime("%Y-%m-%d") if day else ""


def _period(decision: Decision) -> str:
    if decision.valid_to is None:
        return _("from %(start)s until further notice") % {"start": _date(decision.valid_from)}
    return _("%(start)s to %(end)s") % {"start": _date(decision.valid_from), "end": _date(decision.valid_to)}


# --- The training-apartment rule ----------------------------------------------


def needs_bolots_support(decision: Decision) -> bool:
    """A training apartment is granted as a package with bolots support."""
    return decision.kind == DecisionKind.TRAINING_APARTMENT and decision.is_granted


def covering_bolots_support(decision: Decision) -> QuerySet[Decision]:
    """Granted bolots-support decisions of the same client whose validity
    covers `decision`'s whole period. An open-ended training decision needs an
    open-ended bolots decision."""
    covering = Decision.objects.granted().filter(
        client_id=decision.client_id,
        kind=DecisionKind.BOLOTS_SUPPORT,
        valid_from__lte=decision.valid_from,
    )
    if decision.valid_to is None:
        return covering.filter(valid_to__isnull=True)
    return covering.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=decision.valid_to))


def _uncovered_training_decisions(client_id: int) -> set[int]:
    """Ids of the client's granted training-apartment decisions that lack a
    covering bolots-support decision (the rule of covering_bolots_support),
    in one query."""
    support = Decision.objects.granted().filter(
        client_id=OuterRef("client_id"),
        kind=DecisionKind.BOLOTS_SUPPORT,
        valid_from__lte=OuterRef("valid_from"),
    )
    uncovered = (
        Decision.objects.granted()
        .filter(client_id=client_id, kind=DecisionKind.TRAINING_APARTMENT)
        .annotate(
            open_ended_cover=Exists(support.filter(valid_to__isnull=True)),
            dated_cover=Exists(support.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=OuterRef("valid_to")))),
        )
        .filter(Q(valid_to__isnull=True, open_ended_cover=False) | Q(valid_to__isnull=False, dated_cover=False))
    )
    return set(uncovered.values_list("pk", flat=True))


def _missing_support_error(decision: Decision, *, offer_both: bool) -> MissingBolotsSupport:
    text = _(
        "A granted decision on a training apartment needs a granted decision on bolots support "
        "for the same client, valid for the whole period (%(period)s)."
    ) % {"period": _period(decision)}
    if offer_both:
        text += " " + _("Register that decision first, or tick the box below to register both decisions at once.")
    else:
        text += " " + _("Register that decision first.")
    return MissingBolotsSupport(text, code="missing_bolots_support")


# --- Recording and editing ----------------------------------------------------


@transaction.atomic
def record_decision(
    ctx: AuditContext, decision: Decision, *, with_bolots_support: bool = False, allow_duplicate: bool = False,
) -> Decision:
    """Store the new, unsaved `decision` (client and fields filled in).

    A decision like one the client already has (likely_duplicate) raises
    LikelyDuplicate unless `allow_duplicate`: the user confirmed it is
    another decision. The client's row is locked first so that two saves of
    the same form at once are checked one after the other.

    A granted training-apartment decision needs a granted bolots-support
    decision covering its period. Without one, MissingBolotsSupport is raised,
    unless `with_bolots_support` is true: then a granted bolots-support
    decision for the same period is registered too, in this transaction. It
    is put on `decision.created_bolots_support` (None otherwise).
    """
    if not decision.decided_by_id:
        decision.decided_by = ctx.user
    decision.created_bolots_support = None
    Client.objects.select_for_update().filter(pk=decision.client_id).values_list("pk", flat=True).first()
    if not allow_duplicate:
        existing = likely_duplicate(decision)
        if existing is not None:
            raise LikelyDuplicate(existing)
    if needs_bolots_support(decision) and not covering_bolots_support(decision).exists():
        if not with_bolots_support:
            raise _missing_support_error(decision, offer_both=True)
        support = Decision(
            client_id=decision.client_id,
            kind=DecisionKind.BOLOTS_SUPPORT,
            legal_basis_id=decision.legal_basis_id,
            applied_on=decision.applied_on,
            decided_on=decision.decided_on,
            outcome=DecisionOutcome.GRANTED,
            valid_from=decision.valid_from,
            valid_to=decision.valid_to,
            decided_by_id=decision.decided_by_id,
            reasoning=_("Granted together with the training apartment, for the same period."),
        )
        support.save()
        log_access(ctx, AccessAction.CREATE, support, note="bolots_support with training_apartment")
        decision.created_bolots_support = support
    decision.save()
    log_access(ctx, AccessAction.CREATE, decision)
    return decision


@transaction.atomic
def update_decision(ctx: AuditContext, decision: Decision, *, expected_version: int) -> Decision:
    """Save the edited `decision`; raises ConcurrentEditError when someone
    else saved it after `expected_version` was read, and DecisionError when
    the change breaks a rule.

    Only the decision's own fields are written (TRACKED_FIELDS): an execution
    or closing saved meanwhile by someone else is never overwritten.
    """
    state = {}

    def check(stored: Decision) -> None:
        state["uncovered_before"] = _uncovered_training_decisions(stored.client_id)
        if stored.annulled_at is not None:
            raise DecisionError(_("The decision is annulled and cannot be changed."), code="annulled")
        if stored.executed_on:
            if not decision.is_granted:
                raise DecisionError(
                    _("The decision has been executed, so the outcome must stay granted or partly granted.")
                )
            if decision.decided_on > stored.executed_on:
                raise DecisionError(
                    _("The decision date cannot be after the execution date (%(date)s).")
                    % {"date": _date(stored.executed_on)}
                )
        if stored.closed_on and decision.decided_on > stored.closed_on:
            raise DecisionError(
                _("The decision date cannot be after the date the decision was closed (%(date)s).")
                % {"date": _date(stored.closed_on)}
            )

    def save() -> None:
        decision.save(update_fields=[*TRACKED_FIELDS, "execution_due_by"])
        # The rules that look at the client's other decisions, on the saved state.
        if needs_bolots_support(decision) and not covering_bolots_support(decision).exists():
            raise _missing_support_error(decision, offer_both=False)
        newly_uncovered = _uncovered_training_decisions(decision.client_id) - state["uncovered_before"]
        if newly_uncovered:
            training = Decision.objects.filter(pk__in=newly_uncovered).order_by("decided_on").first()
            raise DecisionError(
                _(
                    "The change would leave the training-apartment decision of %(date)s without a granted "
                    "decision on bolots support for its whole period."
                )
                % {"date": _date(training.decided_on)}
            )

    return save_tracked(
        ctx, decision, TRACKED_FIELDS, expected_version=expected_version,
        stored=Decision.objects.select_related("legal_basis", "decided_by"), check=check, save=save,
        reread=Decision.objects.select_related("client", "legal_basis", "decided_by"),
    ).record


# --- Annulment -----------------------------------------------------------------


@transaction.atomic
def annul_decision(ctx: AuditContext, decision: Decision, reason: str, *, expected_version: int) -> Decision:
    """Annul a decision registered by mistake (audit.annulment): it stays,
    marked annulled with `reason`, who and when, and leaves every figure,
    the IVO report and the non-executed list. Raises DecisionError (nothing
    kept) when the rules refuse:

    - an executed decision has had effects (a move-in, support under way):
      it is closed, or corrected by editing, not annulled;
    - an order that follows the decision would lose its basis: that order
      is handled first;
    - annulling a bolots-support decision must not leave a training-apartment
      decision without cover (the package rule, needs_bolots_support).
    """

    def check(stored: Decision) -> None:
        if stored.executed_on is not None:
            raise DecisionError(
                _("The decision was executed on %(date)s and cannot be annulled. Close it, or correct it by "
                  "editing.") % {"date": _date(stored.executed_on)}, code="executed",
            )
        if stored.orders.exists():
            raise DecisionError(
                _("An order follows this decision. Cancel or change the order before annulling the decision."),
                code="has_orders",
            )
        before = _uncovered_training_decisions(stored.client_id)
        Decision.objects.filter(pk=stored.pk).update(annulled_at=decision.annulled_at, annulled_by=ctx.user,
                                                     annul_reason=decision.annul_reason)
        if _uncovered_training_decisions(stored.client_id) - before:
            raise DecisionError(
                _("A training-apartment decision needs this bolots-support decision. Annul or change that "
                  "decision first."), code="needed_cover",
            )

    try:
        annul(ctx, decision, reason, expected_version=expected_version, check=check)
    except AnnulmentError as refusal:
        raise DecisionError(refusal.messages[0], code=refusal.code, field=refusal.field) from None
    return decision


# --- Execution, interruptions, closing ------------------------------------------


def _locked(decision: Decision) -> Decision:
    """The stored decision, locked until commit on PostgreSQL, so that two
    people executing or closing at once are checked one after the other."""
    return Decision.objects.select_for_update().get(pk=decision.pk)


def _copy_back(decision: Decision, current: Decision, fields: Iterable[str]) -> None:
    for name in fields:
        setattr(decision, name, getattr(current, name))


@transaction.atomic
def execute_decision(ctx: AuditContext, decision: Decision, on: date, note: str = "") -> Decision:
    """Mark `decision` executed on the day `on` (for an apartment: the move-in).

    Only a granted decision that is neither closed nor already executed can
    be executed, and not before it was made. Raises DecisionError otherwise.
    """
    current = _locked(decision)
    if current.annulled_at is not None:
        raise DecisionError(_("The decision is annulled and cannot be executed."), code="annulled")
    if not current.is_granted:
        raise DecisionError(_("Only a granted decision can be executed."), code="not_granted")
    if current.closed_on:
        raise DecisionError(
            _("The decision was closed on %(date)s and cannot be executed.") % {"date": _date(current.closed_on)},
            code="closed",
        )
    if current.executed_on:
        raise DecisionError(
            _("The decision was already executed on %(date)s.") % {"date": _date(current.executed_on)},
            code="already_executed",
        )
    if on < current.decided_on:
        raise DecisionError(
            _("The execution date cannot be before the decision date (%(date)s).")
            % {"date": _date(current.decided_on)},
            code="before_decision",
        )
    if current.partly_executed_on and on < current.partly_executed_on:
        raise DecisionError(
            _("The execution date cannot be before the date the decision was partly executed (%(date)s).")
            % {"date": _date(current.partly_executed_on)},
            code="before_partly_executed",
        )
    write_fields(ctx, current, executed_on=on, execution_note=(note or "")[:300])
    _copy_back(decision, current, ["executed_on", "execution_note"])
    return current


@transaction.atomic
def interrupt_decision(ctx: AuditContext, decision: Decision, started_on: date, reason: str) -> Interruption:
    """Record that the executed `decision` was interrupted from `started_on`."""
    current = _locked(decision)
    if not (current.is_granted and current.executed_on):
        raise DecisionError(_("Only an executed decision can be interrupted."), code="not_executed")
    if current.closed_on:
        raise DecisionError(_("The decision is closed."), code="closed")
    if started_on < current.executed_on:
        raise DecisionError(
            _("The interruption cannot start before the execution date (%(date)s).")
            % {"date": _date(current.executed_on)}
        )
    earlier = current.interruptions.all()
    if earlier.filter(ended_on__isnull=True).exists():
        raise DecisionError(_("The decision already has an interruption that has not ended."), code="open")
    last_end = earlier.aggregate(last=Max("ended_on"))["last"]
    if last_end and started_on < last_end:
        raise DecisionError(
            _("The interruption cannot start before the previous one ended (%(date)s).") % {"date": _date(last_end)}
        )
    if not (reason or "").strip():
        raise DecisionError(_("Give the reason for the interruption."), code="required")
    interruption = Interruption.objects.create(decision=current, started_on=started_on, reason=reason.strip()[:300])
    log_access(ctx, AccessAction.CREATE, interruption)
    return interruption


@transaction.atomic
def resume_decision(ctx: AuditContext, interruption: Interruption, ended_on: date) -> Interruption:
    """The service resumed on `ended_on`: the interruption ends."""
    current = Interruption.objects.select_for_update().select_related("decision__client").get(pk=interruption.pk)
    if current.ended_on:
        raise DecisionError(
            _("The interruption already ended on %(date)s.") % {"date": _date(current.ended_on)}, code="ended"
        )
    if ended_on < current.started_on:
        raise DecisionError(
            _("The resume date cannot be before the interruption date (%(date)s).")
            % {"date": _date(current.started_on)}
        )
    write_fields(ctx, current, ended_on=ended_on)
    interruption.ended_on = ended_on
    return current


@transaction.atomic
def close_decision(ctx: AuditContext, decision: Decision, closed_on: date, reason: str) -> Decision:
    """Close a granted decision: the client no longer has it (moved on,
    declined, died…). A closed decision is neither waiting nor reportable
    after `closed_on`."""
    current = _locked(decision)
    if not current.is_granted:
        raise DecisionError(_("Only a granted decision can be closed."), code="not_granted")
    if current.closed_on:
        raise DecisionError(
            _("The decision was already closed on %(date)s.") % {"date": _date(current.closed_on)}, code="closed"
        )
    if closed_on < current.decided_on:
        raise DecisionError(
            _("The closing date cannot be before the decision date (%(date)s).") % {"date": _date(current.decided_on)}
        )
    if current.executed_on and closed_on < current.executed_on:
        raise DecisionError(
            _("The closing date cannot be before the execution date (%(date)s).")
            % {"date": _date(current.executed_on)}
        )
    later = current.interruptions.filter(started_on__gt=closed_on).order_by("-started_on").first()
    if later:
        raise DecisionError(
            _("The closing date cannot be before the interruption of %(date)s.") % {"date": _date(later.started_on)}
        )
    if not (reason or "").strip():
        raise DecisionError(_("Give the reason for closing the decision."), code="required")
    write_fields(ctx, current, closed_on=closed_on, close_reason=reason.strip()[:300])
    _copy_back(decision, current, ["closed_on", "close_reason"])
    return current


@transaction.atomic
def record_offer(
    ctx: AuditContext, decision: Decision, offered_on: date, description: str, answer: str, note: str = "",
) -> Offer:
    """An offer made while the client waits (reported to IVO)."""
    current = _locked(decision)
    if not current.is_granted:
        raise DecisionError(_("Offers can only be recorded on granted decisions."), code="not_granted")
    if offered_on < current.decided_on:
        raise DecisionError(
            _("The offer date cannot be before the decision date (%(date)s).") % {"date": _date(current.decided_on)}
        )
    offer = Offer.objects.create(
        decision=current, offered_on=offered_on, description=description[:300], answer=answer, note=(note or "")[:300]
    )
    log_access(ctx, AccessAction.CREATE, offer)
    return offer


@transaction.atomic
def set_delay_reason(ctx: AuditContext, decision: Decision, delay_reason: str) -> Decision:
    """Why the decision has not been executed (or resumed); reported to IVO."""
    current = _locked(decision)
    if not current.is_granted:
        raise DecisionError(_("Only a granted decision can have a reason for a delay."), code="not_granted")
    write_fields(ctx, current, delay_reason=(delay_reason or "").strip()[:300])
    _copy_back(decision, current, ["delay_reason"])
    return current


# --- What IVO's individual report asks: reason, consequences, partial execution --

# The decision's IVO fields (docs/ivo.md "Offers, partial execution and the
# report's fields"), edited on their own page; their changes are kept in the
# field history.
IVO_FIELDS = ["delay_reason", "consequences", "interim_support", "partly_executed_on", "unexecuted_part"]


def _check_partly_executed(stored: Decision, partly_executed_on: date | None, today: date) -> None:
    """The rules of "Delvis verkställt", against the stored decision."""
    if partly_executed_on is None:
        return
    if partly_executed_on < stored.decided_on:
        raise DecisionError(
            _("The decision cannot be partly executed before the decision date (%(date)s).")
            % {"date": _date(stored.decided_on)}, code="before_decision", field="partly_executed_on",
        )
    if partly_executed_on > today:
        raise DecisionError(_("The date cannot be in the future."), code="future", field="partly_executed_on")
    if stored.executed_on and partly_executed_on > stored.executed_on:
        raise DecisionError(
            _("The date of the partial execution cannot be after the execution date (%(date)s).")
            % {"date": _date(stored.executed_on)}, code="after_executed", field="partly_executed_on",
        )


@transaction.atomic
def update_ivo_details(ctx: AuditContext, decision: Decision, *, expected_version: int) -> Decision:
    """Save the reason for the delay, the consequences for the person, the
    interim support and the partial execution set on `decision` (IVO_FIELDS).

    Raises ConcurrentEditError when someone saved the decision after
    `expected_version`, DecisionError (with the field) when a rule refuses.
    A partly executed decision stays non-executed: executed_on is not touched.
    """
    today = timezone.localdate()
    decision.unexecuted_part = (decision.unexecuted_part or "").strip()[:300]
    if decision.partly_executed_on is None:
        decision.unexecuted_part = ""

    def check(stored: Decision) -> None:
        if stored.annulled_at is not None:
            raise DecisionError(_("The decision is annulled and cannot be changed."), code="annulled")
        if not stored.is_granted:
            raise DecisionError(
                _("Only a granted decision is reported to IVO."), code="not_granted",
            )
        _check_partly_executed(stored, decision.partly_executed_on, today)
        if decision.partly_executed_on and not decision.unexecuted_part:
            raise DecisionError(
                _("Write what of the decision has not been executed."), code="required", field="unexecuted_part",
            )

    return save_tracked(
        ctx, decision, IVO_FIELDS, expected_version=expected_version,
        stored=Decision.objects.all(), check=check, update_fields=IVO_FIELDS,
        reread=Decision.objects.select_related("client", "legal_basis", "decided_by"),
    ).record


OFFER_FIELDS = ["offered_on", "description", "answer", "note"]


@transaction.atomic
def update_offer(ctx: AuditContext, offer: Offer, *, expected_version: int) -> Offer:
    """Save the edited `offer` (typically its answer, which comes later).

    The date stays within the decision's life: not before the decision date.
    Whatever the answer, the decision is untouched: a declined offer neither
    executes nor closes it.

    A row another app keeps in line with its own record (an apartment
    offered from a vacancy: referrals.offer_keepers) keeps its date, what
    was offered, answer and reason: those are changed through that record,
    so the log and the offer cannot disagree. Its note may still be edited.
    """

    def check(stored: Offer) -> None:
        decision = stored.decision
        if decision.annulled_at is not None:
            raise DecisionError(_("The decision is annulled and cannot be changed."), code="annulled")
        changed = [name for name in offer_keepers.KEPT_FIELDS if getattr(offer, name) != getattr(stored, name)]
        if changed and offer_keepers.is_kept(stored):
            raise DecisionError(
                _("This offer was made from a vacant apartment: its date, what was offered and the answer are "
                  "recorded on the offer's own page (Housing, Offers), so that the IVO offers log and the offer "
                  "agree. Nothing was saved."),
                code="kept_offer",
            )
        if offer.offered_on < decision.decided_on:
            raise DecisionError(
                _("The offer date cannot be before the decision date (%(date)s).")
                % {"date": _date(decision.decided_on)}, code="before_decision", field="offered_on",
            )

    offer.description = (offer.description or "").strip()[:300]
    offer.note = (offer.note or "").strip()[:300]
    return save_tracked(
        ctx, offer, OFFER_FIELDS, expected_version=expected_version,
        stored=Offer.objects.select_related("decision"), check=check, update_fields=OFFER_FIELDS,
        reread=Offer.objects.select_related("decision__client"),
    ).record


# --- The list of decisions waiting for execution ----------------------------------

# From this many days of waiting the list warns.
WAITING_WARNING_DAYS = 60


def waiting_for_execution(user: User, today: date) -> QuerySet[Decision]:
    """Granted decisions of the user's visible clients waiting on `today`:
    not executed and not closed, or executed and interrupted now.

    Annotates `status`, `waiting_since` (the decision date, or the start of
    the open interruption) and `report_after` (the last day before it becomes
    reportable to IVO), and orders by the longest wait first, in SQL.
    """
    open_interruption = (
        Interruption.objects.filter(decision=OuterRef("pk"), started_on__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
        .order_by("-started_on")
    )
    return (
        Decision.objects.visible_to(user)
        .with_status(today)
        .filter(status__in=[DecisionStatus.WAITING, DecisionStatus.INTERRUPTED])
        .annotate(
            waiting_since=Case(
                When(status=DecisionStatus.INTERRUPTED, then=Subquery(open_interruption.values("started_on")[:1])),
                default=F("decided_on"),
                output_field=DateField(),
            ),
            report_after=Case(
                When(status=DecisionStatus.INTERRUPTED, then=Subquery(open_interruption.values("resume_due_by")[:1])),
                default=F("execution_due_by"),
                output_field=DateField(),
            ),
        )
        .select_related("client", "client__responsible_officer")
        .order_by("waiting_since", "pk")
    )
