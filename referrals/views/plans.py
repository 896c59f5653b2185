from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import CharField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Concat
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import fetch_visible, permission_required
from accounts.roles import Role
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access

from ..forms.plans import ActionDoneForm, ActionForm, GoalAchievedForm, GoalForm, PlanCreateForm, ReviewForm
from ..models import Client, IndividualPlan, PlanReview
from ..models.plans import REVIEW_DUE_SOON_DAYS
from ..services import plans as services

PLANS_PER_PAGE = 25
PLAN_TEMPLATE = "referrals/plans/client_plan.html"


def _clients_with_plan():
    """Clients with their plan, its goals and actions, and the latest review
    annotated: the page stays within the query budget of 12 (the full list
    of reviews has a page of its own)."""
    latest = PlanReview.objects.filter(plan__client=OuterRef("pk")).order_by("-reviewed_on", "-id")
    reviewer = Concat(
        "reviewed_by__first_name", Value(" "), "reviewed_by__last_name", output_field=CharField()
    )
    return (
        Client.objects.select_related("plan", "plan__created_by")
        .prefetch_related("plan__goals", "plan__actions")
        .annotate(
            latest_review_on=Subquery(latest.values("reviewed_on")[:1]),
            latest_review_notes=Subquery(latest.values("notes")[:1]),
            latest_review_by=Subquery(latest.values(name=reviewer).values("name")[:1]),
        )
    )


def _plan_of(client):
    try:
        return client.plan
    except IndividualPlan.DoesNotExist:
        return None


def _render_plan(request, client, plan, *, bound=None, failed_item=None):
    """The plan page. `bound` holds forms with refused input by name;
    `failed_item` a refused "achieved"/"done" row form as {kind, id, value, errors}."""
    today = timezone.localdate()
    can_change = request.user.has_perm("referrals.change_individualplan")
    forms = {}
    if plan is None and request.user.has_perm("referrals.add_individualplan"):
        forms["create"] = PlanCreateForm(prefix="create", initial={"established_on": today})
    if plan is not None and can_change:
        forms["goal"] = GoalForm(prefix="goal")
        forms["action"] = ActionForm(prefix="action")
        forms["review"] = ReviewForm(prefix="review", initial={"reviewed_on": today})
    bound = bound or {}
    forms.update({name: form for name, form in bound.items() if name in forms})
    # A refused form the page no longer offers (a second plan): message on top.
    refused = [
        error for name, form in bound.items() if forms.get(name) is not form for error in form.non_field_errors()
    ]
    return render(
        request,
        PLAN_TEMPLATE,
        {
            "client": client,
            "plan": plan,
            "forms": forms,
            "can_change": can_change,
            "today": today,
            "review_overdue": plan is not None and plan.next_review_on < today,
            "failed_item": failed_item,
            "refused": refused,
        },
    )


@permission_required("referrals.view_individualplan")
def client_plan(request, pk):
    client = fetch_visible(request, _clients_with_plan(), perm="referrals.view_individualplan", pk=pk)
    return _render_plan(request, client, _plan_of(client))


@permission_required("referrals.view_individualplan")
def plan_review_list(request, pk):
    plan = fetch_visible(
        request,
        IndividualPlan.objects.select_related("client").prefetch_related(
            Prefetch("reviews", queryset=PlanReview.objects.select_related("reviewed_by"))
        ),
        perm="referrals.view_individualplan",
        pk=pk,
    )
    return render(request, "referrals/plans/review_list.html", {"plan": plan, "client": plan.client})


def _after_failure(request, client, *, bound=None, failed_item=None):
    """Show the page again with the refused input; it is a view of the plan."""
    log_access(AuditContext.from_request(request), AccessAction.VIEW, client)
    client = _clients_with_plan().get(pk=client.pk)
    return _render_plan(request, client, _plan_of(client), bound=bound, failed_item=failed_item)


@permission_required("referrals.add_individualplan")
@require_POST
def plan_create(request, pk):
    client = fetch_visible(request, Client.objects.all(), perm="referrals.add_individualplan", log=False, pk=pk)
    form = PlanCreateForm(request.POST, prefix="create")
    if form.is_valid():
        try:
            services.create_plan(AuditContext.from_request(request), client, form.cleaned_data["established_on"])
        except services.PlanError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The individual plan was created with the two preset goals."))
            return redirect("referrals:client_plan", pk=client.pk)
    return _after_failure(request, client, bound={"create": form})


def _fetch_plan(request, pk):
    return fetch_visible(
        request,
        IndividualPlan.objects.select_related("client"),
        perm="referrals.change_individualplan",
        log=False,
        pk=pk,
    )


def _plan_step(request, pk, name, form_class, apply, success):
    """Validate the form named `name` for plan `pk`, call the service, go back
    to the plan; otherwise show the page again with the messages."""
    plan = _fetch_plan(request, pk)
    form = form_class(request.POST, prefix=name)
    if form.is_valid():
        try:
            apply(AuditContext.from_request(request), plan, form.cleaned_data)
        except services.PlanError as error:
            form.add_error(None, error)
        else:
            messages.success(request, success)
            return redirect("referrals:client_plan", pk=plan.client_id)
    return _after_failure(request, plan.client, bound={name: form})


@permission_required("referrals.change_individualplan")
@require_POST
def plan_goal_add(request, pk):
    return _plan_step(
        request, pk, "goal", GoalForm,
        lambda ctx, plan, data: services.add_goal(ctx, plan, data["text"]),
        _("The goal was added."),
    )


@permission_required("referrals.change_individualplan")
@require_POST
def plan_action_add(request, pk):
    return _plan_step(
        request, pk, "action", ActionForm,
        lambda ctx, plan, data: services.add_action(ctx, plan, data["description"], data["responsible"], data["due_on"]),
        _("The action was added."),
    )


@permission_required("referrals.change_individualplan")
@require_POST
def plan_review_add(request, pk):
    return _plan_step(
        request, pk, "review", ReviewForm,
        lambda ctx, plan, data: services.record_review(ctx, plan, data["reviewed_on"], data["notes"]),
        _("The review was registered. The next review date has been updated."),
    )


def _item_step(request, plan, item, kind, form_class, apply, success):
    form = form_class(request.POST, prefix=f"{kind}-{item.pk}")
    if form.is_valid():
        try:
            apply(AuditContext.from_request(request), item, form.cleaned_data)
        except services.PlanError as error:
            form.add_error(None, error)
        else:
            messages.success(request, success)
            return redirect("referrals:client_plan", pk=plan.client_id)
    field = next(iter(form.fields))
    failed_item = {
        "kind": kind,
        "id": item.pk,
        "value": request.POST.get(f"{kind}-{item.pk}-{field}", ""),
        "errors": [str(error) for errors in form.errors.values() for error in errors],
    }
    return _after_failure(request, plan.client, failed_item=failed_item)


@permission_required("referrals.change_individualplan")
@require_POST
def plan_goal_achieved(request, pk, goal_pk):
    plan = _fetch_plan(request, pk)
    goal = get_object_or_404(plan.goals.all(), pk=goal_pk)
    return _item_step(
        request, plan, goal, "goal", GoalAchievedForm,
        lambda ctx, goal, data: services.mark_goal_achieved(ctx, goal, data["achieved_on"]),
        _("The goal is marked as achieved."),
    )


@permission_required("referrals.change_individualplan")
@require_POST
def plan_action_done(request, pk, action_pk):
    plan = _fetch_plan(request, pk)
    action = get_object_or_404(plan.actions.all(), pk=action_pk)
    return _item_step(
        request, plan, action, "action", ActionDoneForm,
        lambda ctx, action, data: services.mark_action_done(ctx, action, data["done_on"]),
        _("The action is marked as done."),
    )


@permission_required("referrals.view_individualplan")
def plan_reviews_due(request):
    today = timezone.localdate()
    page = Paginator(services.reviews_due(request.user, today), PLANS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for plan in page.object_list:
        plan.days_overdue = (today - plan.next_review_on).days
        plan.days_left = -plan.days_overdue
    return render(
        request,
        "referrals/plans/reviews_due.html",
        {
            "page_obj": page,
            "today": today,
            "due_soon_days": REVIEW_DUE_SOON_DAYS,
            "own_only": not request.user.has_role(Role.MANAGER),
        },
    )
