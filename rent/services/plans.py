"""Repayment plans (avbetalningsplaner): making and editing one, judging each
month's instalment kept or missed, and a plan's progress (docs/rent.md,
"Repayment plans").

The monthly run (services.runs) puts the instalment as a line (kind
INSTALMENT, plan set) on each month's notice while the plan runs. Here:

- create_plan / update_plan: the rules (last month not before the first,
  the instalments cover the debt, one running plan per tenancy), refused
  with core.rules.RuleError beside the field before anything is written;
  edits go through save_tracked (history, optimistic lock, access log);
- judge_instalments(today): once a notice carrying an instalment is past its
  due date and the unit's grace (RentSettings.grace_days), the instalment is
  judged once (PlanInstalment): kept when the whole notice was settled by
  the last day of grace, else missed, which raises the INSTALMENT_MISSED
  signal (one per plan and month, source_key) to the case officer and the
  active bolots. A plan whose last month is judged and whose debt is paid is
  COMPLETED;
- plan_progress(plan): kept, missed, left, paid toward the debt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Count, Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import formats
from django.utils.translation import gettext as _

from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from audit.tracked import save_tracked
from bolots.models import SignalKind
from core.formatting import kr
from core.rules import RuleError
from rent.models import (
    InstalmentOutcome,
    LineKind,
    NoticeLine,
    PlanInstalment,
    PlanStatus,
    RentNotice,
    RentSettings,
    RepaymentPlan,
)

from .signals import raise_ledger_signal

DEFAULT_GRACE_DAYS = RentSettings._meta.get_field("grace_days").default

# The fields a plan's edit keeps the history of (save_tracked).
PLAN_FIELDS = ["debt", "monthly_amount", "start_month", "end_month", "debt_adviser", "status", "note"]


def months_between(first: date, last: date) -> int:
    """The number of months first..last, both included (first-of-month dates)."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def _check(plan: RepaymentPlan) -> None:
    """The rules of a plan, refused beside the field they concern."""
    if plan.end_month < plan.start_month:
        raise RuleError(_("The last month cannot be before the first month."), field="end_month")
    if plan.monthly_amount <= 0:
        raise RuleError(_("The amount per month must be more than 0 kr."), field="monthly_amount")
    months = months_between(plan.start_month, plan.end_month)
    if plan.monthly_amount * months < plan.debt:
        raise RuleError(
            _("%(months)s instalments of %(amount)s make %(total)s, less than the debt of %(debt)s. Raise the "
              "amount per month or move the last month.")
            % {"months": months, "amount": kr(plan.monthly_amount), "total": kr(plan.monthly_amount * months),
               "debt": kr(plan.debt)},
            field="monthly_amount",
        )
    if plan.status == PlanStatus.ACTIVE:
        others = RepaymentPlan.objects.filter(tenancy_id=plan.tenancy_id, status=PlanStatus.ACTIVE)
        if plan.pk is not None:
            others = others.exclude(pk=plan.pk)
        if others.exists():
            raise RuleError(_("The tenancy already has a running repayment plan. Change that one, or mark it "
                              "paid or broken off first."))


ONE_ACTIVE = "rent_plan_one_active"


def _refuse_race(error: IntegrityError) -> None:
    if ONE_ACTIVE in str(error) or "UNIQUE" in str(error).upper():
        raise RuleError(_("The tenancy already has a running repayment plan. Change that one, or mark it paid or "
                          "broken off first.")) from error
    raise error


def create_plan(ctx: AuditContext, plan: RepaymentPlan) -> RepaymentPlan:
    """Save a new plan (built by the form, tenancy set) after the rules."""
    plan.start_month = first_of_month(plan.start_month)
    plan.end_month = first_of_month(plan.end_month)
    plan.status = PlanStatus.ACTIVE
    plan.created_by = ctx.user
    _check(plan)
    try:
        with transaction.atomic():
            plan.save()
            log_access(ctx, AccessAction.CREATE, plan)
    except IntegrityError as error:
        _refuse_race(error)
    return plan


def update_plan(ctx: AuditContext, plan: RepaymentPlan, *, expected_version: int) -> RepaymentPlan:
    """Save the edited `plan` (its fields set by the form) with its history;
    ConcurrentEditError when someone saved it since the form was opened."""
    plan.start_month = first_of_month(plan.start_month)
    plan.end_month = first_of_month(plan.end_month)
    _check(plan)
    try:
        with transaction.atomic():
            save_tracked(ctx, plan, PLAN_FIELDS, expected_version=expected_version)
    except IntegrityError as error:
        _refuse_race(error)
    return plan


# --- Judging the instalments --------------------------------------------------


def _grace_days() -> dict[int, int]:
    return dict(RentSettings.objects.values_list("unit_id", "grace_days"))


def _month_of(notice: RentNotice) -> date:
    return notice.period or first_of_month(notice.due_date)


def _settled_by(notice_id: int, day: date) -> bool:
    return not RentNotice.objects.filter(pk=notice_id).with_settled(day).filter(outstanding__gt=0).exists()


def _missed_signal(ctx: AuditContext, plan: RepaymentPlan, month: date, amount: int) -> None:
    month_text = formats.date_format(month, "F Y")
    raise_ledger_signal(
        ctx, kind=SignalKind.INSTALMENT_MISSED, tenancy=plan.tenancy,
        source_key=f"rent.instalment:{plan.pk}:{month:%Y-%m}",
        text=_("The instalment of %(amount)s on the repayment plan for %(month)s was not paid in time.")
        % {"amount": kr(amount), "month": month_text},
        # No personal data: the kind and the plan's number.
        message=_("An instalment on repayment plan %(number)s was missed.") % {"number": plan.pk},
    )


def judge_instalments(today: date, *, ctx: AuditContext | None = None) -> int:
    """Judge every instalment whose notice's grace ended before `today` and
    that is not judged yet; returns how many were judged. Running it again
    judges nothing twice and raises no second signal."""
    grace = _grace_days()
    lines = (
        NoticeLine.objects.filter(kind=LineKind.INSTALMENT, plan__isnull=False, notice__due_date__lt=today)
        .exclude(plan__status=PlanStatus.BROKEN)
        .select_related("notice", "plan__tenancy__apartment", "plan__tenancy__client", "plan__created_by")
        .order_by("notice__due_date", "pk")
    )
    judged_keys = set(
        PlanInstalment.objects.filter(plan_id__in=lines.values("plan_id")).values_list("plan_id", "month")
    )
    judged = 0
    touched: set[int] = set()
    for line in lines:
        notice, plan = line.notice, line.plan
        month = _month_of(notice)
        if (plan.pk, month) in judged_keys:
            continue
        deadline = notice.due_date + timedelta(days=grace.get(plan.tenancy.apartment.unit_id, DEFAULT_GRACE_DAYS))
        if today <= deadline:
            continue
        kept = _settled_by(notice.pk, deadline)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    PlanInstalment.objects.create(
                        plan=plan, month=month, amount=line.amount,
                        outcome=InstalmentOutcome.KEPT if kept else InstalmentOutcome.MISSED, judged_on=today,
                    )
            except IntegrityError:  # judged at the same moment by another worker
                continue
            if not kept:
                _missed_signal(ctx or _task_context(plan), plan, month, line.amount)
        judged_keys.add((plan.pk, month))
        judged += 1
        touched.add(plan.pk)
    complete_paid_plans(ctx)
    return judged


def _task_context(plan: RepaymentPlan) -> AuditContext:
    """The access log needs a user: a judgement is made on behalf of the
    person who made the plan (as reports' tasks act for who asked)."""
    return AuditContext.system(plan.created_by, "task judge_instalments")


def complete_paid_plans(ctx: AuditContext | None = None) -> list[int]:
    """Mark COMPLETED every running plan whose last month is judged and whose
    debt is paid (plan_progress(plan).paid >= debt)."""
    done = []
    candidates = RepaymentPlan.objects.filter(
        status=PlanStatus.ACTIVE, instalments__month=F("end_month")
    ).select_related("tenancy__client", "created_by").distinct()
    for plan in candidates:
        if plan_progress(plan).paid < plan.debt:
            continue
        with transaction.atomic():
            stored = RepaymentPlan.objects.select_for_update().get(pk=plan.pk)
            if stored.status != PlanStatus.ACTIVE:
                continue
            stored.status = PlanStatus.COMPLETED
            save_tracked(ctx or _task_context(plan), stored, ["status"], expected_version=stored.version, update_fields=["status"])
        done.append(plan.pk)
    return done


# --- Progress -----------------------------------------------------------------


@dataclass(frozen=True)
class PlanProgress:
    months: int
    kept: int
    missed: int
    left: int
    # Öre of the instalments whose notice is settled in full (on time or late).
    paid: int
    debt: int

    @property
    def remaining(self) -> int:
        return max(self.debt - self.paid, 0)

    @property
    def share_paid(self) -> float:
        return min(self.paid / self.debt, 1.0) if self.debt else 1.0


def with_paid(plans):
    """Annotate `paid_toward_debt`: the öre of the plan's instalment lines
    whose notice is settled in full today (in the plans' own query)."""
    settled = RentNotice.objects.filter(pk=OuterRef("notice_id")).with_settled().filter(outstanding__lte=0)
    lines = (
        NoticeLine.objects.filter(plan=OuterRef("pk"), kind=LineKind.INSTALMENT).filter(Exists(settled))
        .order_by().values("plan").annotate(total=Sum("amount")).values("total")[:1]
    )
    return plans.annotate(paid_toward_debt=Coalesce(Subquery(lines, output_field=BigIntegerField()), Value(0),
                                                    output_field=BigIntegerField()))


def plan_progress(plan: RepaymentPlan, instalments: list[PlanInstalment] | None = None) -> PlanProgress:
    """Instalments kept, missed and left, and what has been paid toward the
    debt: the instalment lines whose notice is settled in full today. Two
    queries (one when the page has read the plan's `instalments`)."""
    if instalments is None:
        outcomes = list(plan.instalments.values_list("outcome", flat=True))
    else:
        outcomes = [instalment.outcome for instalment in instalments]
    kept = sum(1 for outcome in outcomes if outcome == InstalmentOutcome.KEPT)
    missed = len(outcomes) - kept
    months = months_between(plan.start_month, plan.end_month)
    paid = getattr(plan, "paid_toward_debt", None)
    if paid is None:
        paid = with_paid(RepaymentPlan.objects.filter(pk=plan.pk)).values_list("paid_toward_debt", flat=True)[0]
    return PlanProgress(months=months, kept=kept, missed=missed, left=max(months - len(outcomes), 0), paid=paid,
                        debt=plan.debt)


def running_plan_progress(tenancy_id: int) -> tuple[RepaymentPlan, PlanProgress] | None:
    """The tenancy's running plan with its progress, in one query (the
    tenancy's ledger page shows it)."""
    plan = (
        with_paid(RepaymentPlan.objects.filter(tenancy_id=tenancy_id, status=PlanStatus.ACTIVE))
        .annotate(kept=Count("instalments", filter=Q(instalments__outcome=InstalmentOutcome.KEPT)),
                  judged=Count("instalments"))
        .first()
    )
    if plan is None:
        return None
    months = months_between(plan.start_month, plan.end_month)
    return plan, PlanProgress(months=months, kept=plan.kept, missed=plan.judged - plan.kept,
                              left=max(months - plan.judged, 0), paid=plan.paid_toward_debt, debt=plan.debt)
