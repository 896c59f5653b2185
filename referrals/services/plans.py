"""Writes of individual plans (genomförandeplan): the plan with its preset
goals, further goals, agreed actions and the three-monthly reviews.

Each function runs in one transaction and writes its access-log row (and the
field history of what it changed) there. Refused operations raise PlanError
with a Swedish message for the user.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.roles import Role
from audit.models import AccessAction
from audit.services import log_access
from audit.tracked import write_fields
from core.rules import RuleError

from ..models import IndividualPlan, PlanAction, PlanGoal, PlanReview
from ..models.plans import PRESET_GOALS, REVIEW_DUE_SOON_DAYS

if TYPE_CHECKING:
    from datetime import date

    from django.db.models import QuerySet

    from accounts.models import User
    from audit.context import AuditContext
    from referrals.models import Client


class PlanError(RuleError):
    """The rules refuse the operation; the message is for the user."""


@transaction.atomic
def create_plan(ctx: AuditContext, client: Client, established_on: date) -> IndividualPlan:
    """The client's plan, with the two preset goals (own housing and
    self-sufficiency) and the first review three calendar months ahead."""
    if IndividualPlan.objects.filter(client=client).exists():
        raise PlanError(_("The client already has an individual plan."), code="exists")
    plan = IndividualPlan.objects.create(
        client=client,
        established_on=established_on,
        next_review_on=IndividualPlan.next_review_after(established_on),
        created_by=ctx.user,
    )
    PlanGoal.objects.bulk_create(
        [PlanGoal(plan=plan, preset=code, text=str(text)) for code, text in PRESET_GOALS]
    )
    log_access(ctx, AccessAction.CREATE, plan)
    return plan


@transaction.atomic
def add_goal(ctx: AuditContext, plan: IndividualPlan, text: str) -> PlanGoal:
    goal = PlanGoal.objects.create(plan=plan, text=text.strip()[:300])
    log_access(ctx, AccessAction.CREATE, goal)
    return goal


@transaction.atomic
def mark_goal_achieved(ctx: AuditContext, goal: PlanGoal, achieved_on: date) -> PlanGoal:
    if achieved_on < goal.plan.established_on:
        raise PlanError(
            _("The date cannot be before the plan was established (%(date)s).")
            % {"date": goal.plan.established_on.strftime("%Y-%m-%d")}
        )
    write_fields(ctx, goal, achieved_on=achieved_on)
    return goal


@transaction.atomic
def add_action(
    ctx: AuditContext, plan: IndividualPlan, description: str, responsible: str, due_on: date | None = None,
) -> PlanAction:
    action = PlanAction.objects.create(
        plan=plan, description=description.strip()[:300], responsible=responsible.strip()[:200], due_on=due_on
    )
    log_access(ctx, AccessAction.CREATE, action)
    return action


@transaction.atomic
def mark_action_done(ctx: AuditContext, action: PlanAction, done_on: date) -> PlanAction:
    if action.done_on:
        raise PlanError(
            _("The action was already marked done on %(date)s.") % {"date": action.done_on.strftime("%Y-%m-%d")}
        )
    write_fields(ctx, action, done_on=done_on)
    return action


@transaction.atomic
def record_review(ctx: AuditContext, plan: IndividualPlan, reviewed_on: date, notes: str = "") -> PlanReview:
    """Record a review; the next one is due three calendar months after the
    latest review (a review entered late for an earlier day does not move the
    next review back)."""
    plan = IndividualPlan.objects.select_for_update().select_related("client").get(pk=plan.pk)
    if reviewed_on < plan.established_on:
        raise PlanError(
            _("The review cannot be before the plan was established (%(date)s).")
            % {"date": plan.established_on.strftime("%Y-%m-%d")}
        )
    review = PlanReview.objects.create(plan=plan, reviewed_on=reviewed_on, reviewed_by=ctx.user, notes=notes)
    log_access(ctx, AccessAction.CREATE, review)
    latest = plan.reviews.aggregate(latest=Max("reviewed_on"))["latest"]
    next_review_on = IndividualPlan.next_review_after(latest)
    if next_review_on != plan.next_review_on:
        write_fields(ctx, plan, next_review_on=next_review_on)
    return review


def reviews_due(user: User, today: date) -> QuerySet[IndividualPlan]:
    """Plans whose review is overdue or due within REVIEW_DUE_SOON_DAYS.

    A manager sees the unit's plans; a case officer the plans of the clients
    they are the responsible case officer for. Soonest (most overdue) first.
    """
    plans = IndividualPlan.objects.visible_to(user).filter(
        next_review_on__lte=today + timedelta(days=REVIEW_DUE_SOON_DAYS)
    )
    if not user.has_role(Role.MANAGER):
        plans = plans.filter(client__responsible_officer=user)
    return plans.select_related("client", "client__responsible_officer").order_by("next_review_on", "pk")
