"""Individual plans for the demo's training-apartment clients, so that the
plan tab, the plan-review list, the case officer's "Att göra" and the
client overview (issue 12) have something to show: every client with a
granted, open training-apartment decision gets a plan from the decision day
with the two preset goals, reviewed every three months; the last review
falls a little before or after today, so that some are due soon and a few
are overdue. A second run adds nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import translation

from core.calendar import add_months
from referrals.models import Decision, DecisionKind, IndividualPlan, PlanGoal
from referrals.models.decisions import GRANTED_OUTCOMES
from referrals.models.plans import PRESET_GOALS, REVIEW_INTERVAL_MONTHS

if TYPE_CHECKING:
    from .context import DemoContext


def seed(ctx: DemoContext) -> None:
    if IndividualPlan.objects.exists():
        ctx.log("Genomförandeplaner finns redan; inga nya skapas.")
        return
    decisions = (
        Decision.objects.filter(kind=DecisionKind.TRAINING_APARTMENT, outcome__in=GRANTED_OUTCOMES,
                                closed_on__isnull=True, decided_on__lte=ctx.today)
        .select_related("client")
        .order_by("client_id", "decided_on", "pk")
    )
    plans, seen, officers_with_one_due = [], set(), set()
    for decision in decisions:
        if decision.client_id in seen:
            continue
        seen.add(decision.client_id)
        established = decision.decided_on
        # The review the plan is at now: a spread of -20..+40 days around
        # today, from the client's id rather than ctx.rng, so that the
        # seeders after this one draw the same numbers as before it existed.
        target = ctx.today + timedelta(days=decision.client_id * 37 % 61 - 20)
        next_review = add_months(established, REVIEW_INTERVAL_MONTHS)
        while next_review < target:
            next_review = add_months(next_review, REVIEW_INTERVAL_MONTHS)
        # Every case officer's first plan is due within the week, so that
        # "Att göra" shows a plan review for each of them whatever ids the
        # database hands out (the spread above follows the client's id).
        officer_id = decision.client.responsible_officer_id
        if officer_id is not None and officer_id not in officers_with_one_due:
            officers_with_one_due.add(officer_id)
            next_review = ctx.today + timedelta(days=7)
        plans.append(IndividualPlan(
            client_id=decision.client_id, established_on=established, next_review_on=next_review,
            created_by_id=decision.client.responsible_officer_id or decision.decided_by_id,
        ))
    with transaction.atomic(), translation.override("sv"):
        made = IndividualPlan.objects.bulk_create(plans)
        PlanGoal.objects.bulk_create(
            PlanGoal(plan=plan, preset=preset, text=str(label)) for plan in made for preset, label in PRESET_GOALS
        )
    ctx.log(f"Skapade {len(made)} genomförandeplaner.")
