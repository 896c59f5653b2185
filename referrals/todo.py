"""The case officer's "Att göra" sections owned by referrals (rendered by
accounts.todo on the start page): orders returned with a question, 48-hour
orders without a first visit, decisions nearing the IVO reporting day and
individual plans due for review.

"The case officer's own" items: orders they sent or whose client they are
responsible for, decisions they made or whose client they are responsible
for, plans of their clients (services.plans.reviews_due). Every query starts
from the model's `visible_to(user)`, so nothing outside the unit can appear.
Each provider is one query (LIMIT + 1 rows) however many items there are.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.todo import LIMIT, TodoItem

from .models import Order, OrderKind, OrderState
from .services.decisions import waiting_for_execution
from .services.plans import reviews_due

if TYPE_CHECKING:
    from datetime import datetime

    from accounts.models import User

# Decisions are listed from this many days before they become reportable to
# IVO: a month leaves time to offer an apartment or record why not.
IVO_WARNING_DAYS = 30
# A 48-hour clock with less than this left is marked urgent.
URGENT_HOURS = 12


def clock_text(order: Order, now: datetime) -> tuple[str, bool]:
    """The 48-hour clock of `order` in words, and whether it is urgent:
    ("", False) when no clock runs (not a 48-hour order, or visited)."""
    left = order.time_left_for_first_visit(now)
    if left is None:
        return "", False
    hours = int(left.total_seconds() // 3600)
    if left.total_seconds() < 0:
        overdue = int(-left.total_seconds() // 3600)
        return _("First visit overdue by %(hours)s h") % {"hours": overdue}, True
    return _("%(hours)s h left for the first visit") % {"hours": hours}, hours < URGENT_HOURS


def _title(order: Order) -> str:
    # The person's name, never an outreach order's address (a page naming
    # protected people must not show where they are).
    name = order.person_name
    label = f"{order.get_kind_display()} #{order.pk}"
    return f"{name} – {label}" if name else label


def _my_orders(user: User):
    return (
        Order.objects.visible_to(user)
        .filter(Q(ordered_by=user) | Q(client__responsible_officer=user))
        .select_related("client")
    )


def returned_orders(user: User, now: datetime) -> list[TodoItem]:
    """Orders the bolots unit returned with a question: the case officer
    must answer before the unit can accept. The 48 hours keep running."""
    orders = _my_orders(user).filter(state=OrderState.RETURNED).order_by("first_visit_due_at", "sent_at", "pk")
    items = []
    for order in orders[: LIMIT + 1]:
        clock, urgent = clock_text(order, now)
        detail = _("Returned with a question")
        items.append(
            TodoItem(
                title=_title(order),
                url=reverse("referrals:order_detail", args=[order.pk]),
                detail=f"{detail}. {clock}" if clock else detail,
                urgent=urgent,
            )
        )
    return items


def first_visits_due(user: User, now: datetime) -> list[TodoItem]:
    """Outreach and eviction-prevention orders still without a first visit
    (returned ones are in their own section), the clock shortest first."""
    orders = (
        _my_orders(user)
        .filter(
            kind__in=OrderKind.with_48_hour_rule(),
            state__in=[OrderState.SENT, OrderState.ACCEPTED, OrderState.IN_PROGRESS],
            first_visit_at__isnull=True,
            first_visit_due_at__isnull=False,
        )
        .order_by("first_visit_due_at", "pk")
    )
    items = []
    for order in orders[: LIMIT + 1]:
        clock, urgent = clock_text(order, now)
        items.append(
            TodoItem(
                title=_title(order),
                url=reverse("referrals:order_detail", args=[order.pk]),
                detail=f"{order.get_state_display()}. {clock}",
                urgent=urgent,
            )
        )
    return items


def ivo_deadlines(user: User, now: datetime) -> list[TodoItem]:
    """Granted decisions not executed (or interrupted) whose last day before
    IVO reporting (services.decisions.waiting_for_execution's `report_after`,
    the rule of services.ivo) is within IVO_WARNING_DAYS or already past."""
    today = timezone.localdate(now)
    decisions = (
        waiting_for_execution(user, today)
        .filter(Q(decided_by=user) | Q(client__responsible_officer=user))
        .filter(report_after__lte=today + timedelta(days=IVO_WARNING_DAYS))
        .order_by("report_after", "pk")
    )
    items = []
    for decision in decisions[: LIMIT + 1]:
        days = (decision.report_after - today).days
        if days < 0:
            when = _("Reportable to IVO since %(day)s") % {"day": f"{decision.report_after + timedelta(days=1):%Y-%m-%d}"}
        else:
            when = _("Reportable to IVO after %(day)s (%(days)s days left)") % {
                "day": f"{decision.report_after:%Y-%m-%d}", "days": days,
            }
        items.append(
            TodoItem(
                title=f"{decision.client.full_name} – {decision.get_kind_display()}",
                url=reverse("referrals:decision_detail", args=[decision.pk]),
                detail=when,
                urgent=days < 7,
            )
        )
    return items


def plan_reviews(user: User, now: datetime) -> list[TodoItem]:
    """Individual plans of the user's clients due for review (overdue or
    within REVIEW_DUE_SOON_DAYS: services.plans.reviews_due)."""
    today = timezone.localdate(now)
    items = []
    for plan in reviews_due(user, today)[: LIMIT + 1]:
        overdue = plan.next_review_on < today
        text = _("Review overdue since %(day)s") if overdue else _("Review due %(day)s")
        items.append(
            TodoItem(
                title=plan.client.full_name,
                url=reverse("referrals:client_plan", args=[plan.client_id]),
                detail=text % {"day": f"{plan.next_review_on:%Y-%m-%d}"},
                urgent=overdue,
            )
        )
    return items
