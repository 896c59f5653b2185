"""Repayment plan pages (docs/rent.md, "Repayment plans"): make a plan on a
tenancy, and the plan's page with its progress and, for those who may
change plans (rent.manage_plans: case officer, housing administrator), its
edit form. The plan page is also open to rent.view_ledger (the manager
reads it). Tenancies outside the user's reach (another unit) are 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import fetch_visible, permission_required, require_perm
from audit.conflicts import save_edit
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from core.calendar import add_months
from core.forms import add_rule_error
from core.rules import RuleError
from rent.models import PlanStatus, RentNotice, RepaymentPlan
from tenancies.models import Tenancy

from ..forms.plans import RepaymentPlanForm
from ..services import plans as services

MANAGE = "rent.manage_plans"
VIEW = "rent.view_ledger"

CONFLICT_MESSAGE = gettext_lazy(
    "Someone else saved this repayment plan while you were editing. Your changes are not saved yet: they are "
    "still in the form below. Compare with the saved values and save again."
)


def _tenancies():
    return Tenancy.objects.select_related("client", "apartment")


def _arrears_today(tenancy) -> int:
    today = timezone.localdate()
    return sum(
        RentNotice.objects.filter(tenancy=tenancy, due_date__lt=today).open_on(today)
        .values_list("outstanding", flat=True)
    )


@permission_required(MANAGE)
def plan_create(request, pk):
    tenancy = fetch_visible(request, _tenancies(), perm=MANAGE, log=request.method != "POST", pk=pk)
    running = RepaymentPlan.objects.filter(tenancy=tenancy, status=PlanStatus.ACTIVE).first()
    if request.method == "POST":
        form = RepaymentPlanForm(request.POST, creating=True)
        if form.is_valid():
            plan = form.save(commit=False)
            plan.tenancy = tenancy
            try:
                services.create_plan(AuditContext.from_request(request), plan)
            except RuleError as error:
                add_rule_error(form, error)
            else:
                messages.success(request, _("The repayment plan was saved."))
                return redirect("rent:plan_detail", pk=plan.pk)
        log_access(AuditContext.from_request(request), AccessAction.VIEW, tenancy)
    else:
        next_month = add_months(timezone.localdate().replace(day=1), 1)
        form = RepaymentPlanForm(creating=True, initial={"debt": _arrears_today(tenancy) or None,
                                                         "start_month": next_month})
    return render(request, "rent/plans/create.html", {"tenancy": tenancy, "form": form, "running": running})


def _plans(user):
    return services.with_paid(RepaymentPlan.objects.filter(tenancy__in=Tenancy.objects.visible_to(user))
                              .select_related("tenancy__client", "created_by"))


@permission_required(VIEW)
def plan_detail(request, pk):
    """The plan's page: its terms, progress and instalments; the edit form
    for rent.manage_plans (a POST without it is 403)."""
    may_change = request.user.has_perm(MANAGE)
    if request.method == "POST":
        require_perm(request.user, MANAGE)
    try:
        plan = _plans(request.user).get(pk=pk)
    except RepaymentPlan.DoesNotExist:
        raise Http404 from None
    ctx = AuditContext.from_request(request)
    edit = None
    if may_change:
        edit = save_edit(
            request, RepaymentPlanForm(request.POST or None, instance=plan),
            lambda form: services.update_plan(ctx, form.instance, expected_version=form.expected_version()),
            reread=lambda: _plans(request.user).get(pk=pk), fields=services.PLAN_FIELDS, message=CONFLICT_MESSAGE,
        )
        if edit.saved:
            messages.success(request, _("The changes were saved."))
            return redirect("rent:plan_detail", pk=pk)
        # A refused post leaves the instance with the typed values: show the stored plan.
        if request.method == "POST":
            plan = _plans(request.user).get(pk=pk)
    log_access(ctx, AccessAction.VIEW, plan)
    instalments = list(plan.instalments.all())
    return render(request, "rent/plans/detail.html", {
        "plan": plan, "tenancy": plan.tenancy, "progress": services.plan_progress(plan, instalments),
        "instalments": instalments,
        "form": edit.form if edit else None, "conflict_values": edit.conflict_values if edit else None,
    })
