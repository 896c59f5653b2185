"""Housing First candidates (docs/housing-chain.md "Housing First"): one
function per step of the work seed 002 describes.

    propose ──▶ proposed ──assess──▶ assessed ──steering group──▶ prioritised ──decide──▶ decided
                  │                     ▲  │                          │
                  │                     │  └── left out: stays assessed (may be prioritised later)
                  │                     └───── left out of a later steering decision
                  └──── withdraw (from any active stage) ──▶ withdrawn

- Proposals come from the unit's case officers (a client, or an outreach
  order) and from the bolotsar through the "reversed referral": a bolots
  proposes only from an outreach order of their unit they work on.
- The working group's assessments and the steering group's decisions are
  kept rows; a new meeting writes a new row, nothing is overwritten.
- The steering group (managers: referrals.decide_housing_first) decides the
  priority order. Assessed candidates it leaves out stay assessed, so that a
  later meeting may prioritise them when their need is the most acute then
  (the guiding rule: the most acute need at the moment of assessment,
  whatever the history). Prioritised candidates a newer decision leaves out
  go back to assessed: the newest decision is the order in force.
- A prioritised candidate gets a granted Housing First decision (the case
  officer, referrals.add_decision), which then waits for an apartment like
  every non-executed decision. It needs a client: an outreach subject is
  registered and linked first. The steering group's place and the
  candidate's needs go with it to the waiting list (signals.
  housing_first_decided, received by tenancies.housing_first).

Every step runs in one transaction, locks the candidate's row, re-checks the
stage there, and raises HousingFirstError (a RuleError, Swedish message)
before any write when the rules refuse it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from audit.models import AccessAction
from audit.services import log_access
from audit.tracked import save_tracked, write_fields
from core.rules import RuleError

from ..models import Client, Decision, DecisionKind, DecisionOutcome, LegalTopic, Order, OrderKind
from ..models.housing_first import (
    CandidateAssessment,
    CandidateStage,
    HousingFirstCandidate,
    ProposalSource,
    SteeringDecision,
    SteeringPriority,
)
from ..models.orders import pilot_working_rule
from ..signals import housing_first_decided
from . import decisions as decision_services
from . import legal

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from accounts.models import Unit, User
    from audit.context import AuditContext

# What a case officer edits on a candidate (update_candidate); their changes
# are kept in the field history.
TRACKED_FIELDS = ["situation", "needs", "assessment"]

# Stages in which the working group may (re)assess a candidate.
ASSESSABLE = (CandidateStage.PROPOSED, CandidateStage.ASSESSED, CandidateStage.PRIORITISED)
# Stages the steering group chooses among.
STEERABLE = (CandidateStage.ASSESSED, CandidateStage.PRIORITISED)


class HousingFirstError(RuleError):
    """The rules refuse the step; the message is for the user."""


# --- Who sees which candidates ------------------------------------------------


def visible_candidates(user: User) -> QuerySet[HousingFirstCandidate]:
    """The candidates `user` may see: THE access rule is
    HousingFirstCandidateQuerySet.visible_to (the dashboard's drill-down
    reaches it there too)."""
    return HousingFirstCandidate.objects.visible_to(user)


def proposable_orders(user: User) -> QuerySet[Order]:
    """Outreach orders without a client file that `user` may propose from:
    a bolots's own orders under way; a case officer's unit's open ones."""
    orders = Order.objects.filter(kind=OrderKind.OUTREACH, client__isnull=True, unit_id=user.unit_id)
    if user.has_role(Role.CASE_OFFICER):
        return orders.open()
    if user.has_role(Role.PILOT):
        return orders.filter(pilot_working_rule(user))
    return orders.none()


def _require(user: User, perm: str, message: str) -> None:
    if not user.has_perm(perm):
        raise HousingFirstError(message, code="permission")


def _not_future(day: date, field: str) -> None:
    if day > timezone.localdate():
        raise HousingFirstError(_("The date cannot be in the future."), code="future", field=field)


def _locked(candidate: HousingFirstCandidate, user: User) -> HousingFirstCandidate:
    """The candidate's row, locked; refused for a user of another unit (the
    pages answer 404 before, this keeps commands and tasks to the rule)."""
    current = HousingFirstCandidate.objects.select_for_update().get(pk=candidate.pk)
    if current.unit_id != user.unit_id:
        raise HousingFirstError(_("A candidate is not one of your unit's."), code="unit")
    return current


def _stage_error(candidate: HousingFirstCandidate) -> HousingFirstError:
    return HousingFirstError(
        _("Not possible now: the candidate's stage is “%(stage)s”.") % {"stage": candidate.get_stage_display()},
        code="stage",
    )


def _copy_back(candidate: HousingFirstCandidate, current: HousingFirstCandidate) -> None:
    for name in ("stage", "stage_reason", "decision_id", "client_id", "version"):
        setattr(candidate, name, getattr(current, name))


# --- Proposing and editing ----------------------------------------------------


@transaction.atomic
def propose_candidate(
    ctx: AuditContext,
    unit: Unit,
    *,
    client: Client | None = None,
    outreach_order: Order | None = None,
    source: str,
    situation: str,
    needs: str,
    assessment: str = "",
    proposed_on: date,
) -> HousingFirstCandidate:
    """Put a person on the unit's candidate list: a client of the unit, or
    the subject of an outreach order (the reversed referral). A bolots
    proposes only from an outreach order of the unit they work on."""
    user = ctx.user
    _require(user, "referrals.add_housingfirstcandidate", _("You may not propose Housing First candidates."))
    if user.unit_id != unit.pk:
        raise HousingFirstError(_("You may propose candidates only in your own unit."), code="unit")
    is_officer = user.has_role(Role.CASE_OFFICER)
    if (client is None) == (outreach_order is None):
        raise HousingFirstError(
            _("Choose either a client or an outreach order, not both."), code="person", field="client"
        )
    if source == ProposalSource.UNIT:
        if not is_officer:
            raise HousingFirstError(
                _("A bolots proposes candidates through outreach."), code="source", field="source"
            )
        if client is None:
            raise HousingFirstError(
                _("A proposal from the unit names a client."), code="source", field="client"
            )
    elif source == ProposalSource.OUTREACH:
        if outreach_order is None:
            raise HousingFirstError(
                _("A proposal through outreach names an outreach order."), code="source", field="outreach_order"
            )
    else:
        raise HousingFirstError(_("Choose where the proposal comes from."), code="source", field="source")
    if client is not None:
        if not Client.objects.visible_to(user).filter(pk=client.pk, unit_id=unit.pk).exists():
            raise HousingFirstError(_("The client is not one of your unit's."), code="client", field="client")
        duplicate = Q(client_id=client.pk)
    else:
        if not proposable_orders(user).filter(pk=outreach_order.pk).exists():
            raise HousingFirstError(
                _("You may propose only from an outreach order of your unit that is under way and has no client "
                  "file yet."),
                code="order", field="outreach_order",
            )
        duplicate = Q(outreach_order_id=outreach_order.pk)
    _not_future(proposed_on, "proposed_on")
    if not (needs or "").strip():
        raise HousingFirstError(_("Describe the person's needs."), code="needs", field="needs")
    if HousingFirstCandidate.objects.filter(duplicate, stage__in=CandidateStage.active()).exists():
        raise HousingFirstError(
            _("The person is already on the candidate list."), code="duplicate",
            field="client" if client is not None else "outreach_order",
        )
    candidate = HousingFirstCandidate.objects.create(
        unit=unit,
        client=client,
        outreach_order=outreach_order,
        source=source,
        proposed_by=user,
        proposed_on=proposed_on,
        situation=situation,
        needs=needs.strip(),
        # The case officer's assessment: a bolots adds what outreach saw to
        # the needs; the unit's case officer writes the assessment later.
        assessment=(assessment or "").strip() if is_officer else "",
    )
    log_access(ctx, AccessAction.CREATE, candidate)
    return candidate


@transaction.atomic
def update_candidate(ctx: AuditContext, candidate: HousingFirstCandidate, *, expected_version: int) -> HousingFirstCandidate:
    """Save the case officer's edit of the situation, needs and assessment
    (set on `candidate` by the form); ConcurrentEditError when someone saved
    in between."""
    _require(ctx.user, "referrals.change_housingfirstcandidate", _("You may not edit Housing First candidates."))

    def check(stored: HousingFirstCandidate) -> None:
        if stored.unit_id != ctx.user.unit_id:
            raise HousingFirstError(_("A candidate is not one of your unit's."), code="unit")
        if stored.stage not in CandidateStage.active():
            raise _stage_error(stored)

    saved = save_tracked(
        ctx, candidate, TRACKED_FIELDS, expected_version=expected_version,
        stored=HousingFirstCandidate.objects.select_for_update(), check=check,
        update_fields=TRACKED_FIELDS,
    )
    return saved.record


# --- The working group and the steering group ----------------------------------


@transaction.atomic
def record_assessment(
    ctx: AuditContext, candidate: HousingFirstCandidate, *, met_on: date, notes: str, recommendation: str
) -> CandidateAssessment:
    """The working group's assessment at a meeting: a new row each time. A
    proposed candidate becomes assessed; a prioritised one stays prioritised
    until the steering group decides again."""
    _require(ctx.user, "referrals.assess_housing_first",
             _("Only the working group's members may record an assessment."))
    current = _locked(candidate, ctx.user)
    if current.stage not in ASSESSABLE:
        raise _stage_error(current)
    _not_future(met_on, "met_on")
    if met_on < current.proposed_on:
        raise HousingFirstError(
            _("The meeting cannot be before the proposal (%(date)s).") % {"date": f"{current.proposed_on:%Y-%m-%d}"},
            code="before_proposal", field="met_on",
        )
    if not (notes or "").strip():
        raise HousingFirstError(_("Write the working group's notes."), code="notes", field="notes")
    if recommendation not in CandidateAssessment.Recommendation.values:
        raise HousingFirstError(_("Choose a recommendation."), code="recommendation", field="recommendation")
    assessment = CandidateAssessment.objects.create(
        candidate=current, met_on=met_on, notes=notes.strip(), recommendation=recommendation, recorded_by=ctx.user
    )
    log_access(ctx, AccessAction.CREATE, assessment)
    if current.stage == CandidateStage.PROPOSED:
        write_fields(ctx, current, stage=CandidateStage.ASSESSED, stage_reason="")
    _copy_back(candidate, current)
    return assessment


def steerable_candidates(unit_id: int) -> QuerySet[HousingFirstCandidate]:
    """The candidates the steering group of unit `unit_id` orders: assessed
    or prioritised."""
    return HousingFirstCandidate.objects.filter(unit_id=unit_id, stage__in=STEERABLE)


@transaction.atomic
def record_steering_decision(
    ctx: AuditContext,
    unit: Unit,
    *,
    decided_on: date,
    candidates: Sequence[HousingFirstCandidate],
    notes: str = "",
) -> SteeringDecision:
    """The steering group's priority order on `decided_on`: `candidates`
    first to last get places 1..n and become prioritised. Prioritised
    candidates left out go back to assessed (this decision replaces the
    order in force); assessed ones left out stay assessed."""
    user = ctx.user
    # Nobody decides alone on their own proposals: the steering group is
    # the managers', not the case officers' who propose and assess.
    _require(user, "referrals.decide_housing_first",
             _("Only the steering group (managers) may decide the priority order."))
    if user.unit_id != unit.pk:
        raise HousingFirstError(_("You may decide only for your own unit."), code="unit")
    _not_future(decided_on, "decided_on")
    ids = [candidate.pk for candidate in candidates]
    if not ids:
        raise HousingFirstError(_("Give at least one candidate a place in the order."), code="empty",
                                field="candidates")
    if len(set(ids)) != len(ids):
        raise HousingFirstError(_("A candidate can have only one place in the order."), code="twice",
                                field="candidates")
    # The order in force is the newest: one dated before it would be history
    # the moment it was written.
    newest = SteeringDecision.objects.filter(unit=unit).order_by("-decided_on", "-id").first()
    if newest is not None and decided_on < newest.decided_on:
        raise HousingFirstError(
            _("The steering group's decision of %(date)s is newer; a decision cannot be dated before it.")
            % {"date": f"{newest.decided_on:%Y-%m-%d}"},
            code="older", field="decided_on",
        )
    locked = {
        candidate.pk: candidate
        for candidate in HousingFirstCandidate.objects.select_for_update().filter(
            Q(pk__in=ids) | Q(unit=unit, stage=CandidateStage.PRIORITISED)
        ).order_by("pk")
    }
    for pk in ids:
        candidate = locked.get(pk)
        if candidate is None or candidate.unit_id != unit.pk:
            raise HousingFirstError(_("A candidate is not one of your unit's."), code="unit", field="candidates")
        if candidate.stage not in STEERABLE:
            raise HousingFirstError(
                _("Only candidates assessed by the working group can be prioritised."), code="stage",
                field="candidates",
            )
    decision = SteeringDecision.objects.create(unit=unit, decided_on=decided_on, notes=(notes or "").strip(),
                                               decided_by=user)
    SteeringPriority.objects.bulk_create(
        SteeringPriority(steering_decision=decision, candidate_id=pk, position=position)
        for position, pk in enumerate(ids, start=1)
    )
    log_access(ctx, AccessAction.CREATE, decision)
    for pk, candidate in locked.items():
        if pk in ids:
            if candidate.stage != CandidateStage.PRIORITISED:
                write_fields(ctx, candidate, stage=CandidateStage.PRIORITISED, stage_reason="")
        elif candidate.stage == CandidateStage.PRIORITISED:
            write_fields(ctx, candidate, stage=CandidateStage.ASSESSED, stage_reason="")
    return decision


# --- The Housing First decision and withdrawal ---------------------------------


@transaction.atomic
def make_decision(
    ctx: AuditContext,
    candidate: HousingFirstCandidate,
    *,
    decided_on: date,
    applied_on: date | None = None,
    valid_from: date | None = None,
    reasoning: str = "",
) -> Decision:
    """Grant the prioritised candidate's Housing First decision: it then
    waits for an apartment among the non-executed decisions. The person must
    be a client: an outreach order linked to a client since lends its client."""
    user = ctx.user
    _require(user, "referrals.add_decision", _("Only a case officer may make the decision."))
    current = _locked(candidate, ctx.user)
    if current.stage != CandidateStage.PRIORITISED:
        if current.stage in (CandidateStage.PROPOSED, CandidateStage.ASSESSED):
            raise HousingFirstError(
                _("The steering group has not prioritised the candidate yet."), code="stage"
            )
        raise _stage_error(current)
    client_id = current.client_id
    if client_id is None and current.outreach_order_id:
        client_id = Order.objects.filter(pk=current.outreach_order_id).values_list("client_id", flat=True).first()
    if client_id is None:
        raise HousingFirstError(
            _("The person is not a registered client yet. Register the person and link the outreach order to the "
              "client file before the decision is made."),
            code="no_client",
        )
    client = Client.objects.visible_to(user).filter(pk=client_id).first()
    if client is None:
        raise HousingFirstError(_("The client is not one of your unit's."), code="client")
    _not_future(decided_on, "decided_on")
    applied_on = applied_on or current.proposed_on
    if applied_on > decided_on:
        raise HousingFirstError(_("The application date cannot be after the decision date."), code="applied",
                                field="applied_on")
    valid_from = valid_from or decided_on
    reference = legal.reference_for(LegalTopic.ASSISTANCE, decided_on)
    if reference is None:
        raise HousingFirstError(
            _("No legal reference on the right to assistance is in force on %(date)s. Ask the system "
              "administrator to add it.") % {"date": f"{decided_on:%Y-%m-%d}"},
            code="no_reference", field="decided_on",
        )
    decision = Decision(
        client=client,
        kind=DecisionKind.HOUSING_FIRST,
        legal_basis=reference,
        applied_on=applied_on,
        decided_on=decided_on,
        outcome=DecisionOutcome.GRANTED,
        valid_from=valid_from,
        decided_by=user,
        reasoning=(reasoning or "").strip()
        or _("Prioritised by the steering group for Housing First: an apartment without demands for sobriety or "
             "treatment."),
    )
    decision_services.record_decision(ctx, decision)
    write_fields(ctx, current, stage=CandidateStage.DECIDED, decision=decision, client=client, stage_reason="")
    # The steering group's order and the candidate's needs go with the
    # decision to the waiting list (tenancies listens: referrals cannot
    # write its models, the layers).
    place, places, steered_on = steering_place(current)
    housing_first_decided.send(
        sender=HousingFirstCandidate, ctx=ctx, decision=decision, candidate=current, place=place, places=places,
        steered_on=steered_on,
    )
    _copy_back(candidate, current)
    return decision


def steering_place(candidate: HousingFirstCandidate) -> tuple[int | None, int, date | None]:
    """(place, places, date) of `candidate` in its unit's steering-group
    decision in force (the newest): (None, 0, None) when it has no place."""
    newest = SteeringDecision.objects.filter(unit_id=candidate.unit_id).order_by("-decided_on", "-id").first()
    if newest is None:
        return None, 0, None
    positions = dict(newest.priorities.values_list("candidate_id", "position"))
    return positions.get(candidate.pk), len(positions), newest.decided_on


@transaction.atomic
def withdraw(ctx: AuditContext, candidate: HousingFirstCandidate, reason: str) -> HousingFirstCandidate:
    """Take the candidate off the list (housed otherwise, moved away, no
    longer wants it), with the reason."""
    _require(ctx.user, "referrals.change_housingfirstcandidate",
             _("Only a case officer may take a candidate off the list."))
    current = _locked(candidate, ctx.user)
    if current.stage not in CandidateStage.active():
        raise _stage_error(current)
    reason = (reason or "").strip()
    if not reason:
        raise HousingFirstError(_("Give the reason."), code="reason", field="reason")
    write_fields(ctx, current, stage=CandidateStage.WITHDRAWN, stage_reason=reason[:300])
    _copy_back(candidate, current)
    return current
