"""Bulk reassignment of a caseload (managers): a case officer's whole
caseload with a confirm step, a bolots's orders split between several
bolotsar with a preview of everyone's caseload, and the list of past
reassignments with the latest result on top."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import permission_required
from accounts.models import User
from audit.context import AuditContext

from ..forms.orders import ReassignmentForm
from ..forms.reassignment import ChoosePilotForm, SplitForm, plan_key
from ..models import Order, ReassignedOrder, Reassignment
from ..services import reassignment as services

# The result of the last reassignment, shown once on the list after the
# redirect: the record's id and the ids of the orders left unchanged (left
# with the leaving bolots on purpose).
RESULT_SESSION_KEY = "referrals.reassignment_result"
PER_PAGE = 25


@permission_required("referrals.add_reassignment")
def reassign(request):
    form = ReassignmentForm(request.POST or None, manager=request.user)
    preview = None
    scope = Reassignment.Scope.CASE_OFFICER
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "confirm" in request.POST:
            try:
                result = services.reassign_caseload(
                    AuditContext.from_request(request), scope, data["from_user"], data["to_user"], data["reason"]
                )
            except services.ReassignmentRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                request.session[RESULT_SESSION_KEY] = {
                    "id": result.reassignment.pk,
                    "skipped": [order.pk for order in result.skipped_orders],
                }
                messages.success(request, _("The caseload was reassigned."))
                return redirect("referrals:reassignment_list")
        else:
            clients, orders = services.preview(request.user, scope, data["from_user"])
            preview = {"clients": clients, "orders": orders, "scope": scope}
    return render(
        request,
        "referrals/reassignment/reassign.html",
        {"form": form, "preview": preview, "case_officer_scope": Reassignment.Scope.CASE_OFFICER},
    )


@permission_required("referrals.add_reassignment")
def reassign_pilot(request):
    """Split a bolots's open orders between several bolotsar.

    Every step is a POST (the people chosen stay out of the URL): choosing
    the bolots shows their orders; "preview" checks the plan and shows each
    receiver's caseload after it; "confirm" moves, only the plan that was
    previewed (its fingerprint travels with the form). Works without
    JavaScript.
    """
    choose = ChoosePilotForm(request.POST or None, manager=request.user)
    context = {"choose": choose}
    if request.method != "POST" or not choose.is_valid():
        return render(request, "referrals/reassignment/split.html", context)
    leaving = choose.cleaned_data["from_user"]
    orders = list(services.pilot_orders(request.user, leaving))
    receivers = services.receivers_with_caseload(request.user.unit_id, leaving)
    step = request.POST.get("step")
    form = SplitForm(
        request.POST if step in ("preview", "confirm") else None, orders=orders, receivers=receivers, leaving=leaving
    )
    previewed = None
    if form.is_bound and form.is_valid():
        key = plan_key(form.plan)
        if step == "confirm" and request.POST.get("previewed") == key:
            try:
                result = services.split_pilot_caseload(
                    AuditContext.from_request(request), leaving, form.plan, form.cleaned_data["reason"]
                )
            except services.ReassignmentRefused as refusal:
                form.add_refusal(refusal)
            else:
                request.session[RESULT_SESSION_KEY] = {
                    "id": result.reassignment.pk, "skipped": [order.pk for order in result.skipped_orders],
                }
                messages.success(request, _("The orders were reassigned."))
                return redirect("referrals:reassignment_list")
        else:
            if step == "confirm":
                messages.warning(request, _("The choices changed after the preview. Check the figures and confirm again."))
            previewed = key
    caseloads, average_now, average_after = services.planned_caseloads(receivers, getattr(form, "plan", {}))
    left = sum(1 for move in getattr(form, "plan", {}).values() if move.to_user is None)
    context.update({
        "form": form, "leaving": leaving, "orders": orders, "previewed": previewed, "caseloads": caseloads,
        "average_now": average_now, "average_after": average_after,
        "leaving_after": left if previewed else len(orders),
    })
    return render(request, "referrals/reassignment/split.html", context)


@permission_required("referrals.view_reassignment")
def reassignment_list(request):
    unit_id = request.user.unit_id
    records = (
        Reassignment.objects.filter(from_user__unit_id=unit_id)
        .select_related("by", "from_user", "to_user")
        .annotate(receivers=Count("moves__to_user", distinct=True))
    )
    page = Paginator(records.order_by("-at", "-id"), PER_PAGE).get_page(request.GET.get("sida"))
    return render(
        request,
        "referrals/reassignment/reassignment_list.html",
        {
            "page_obj": page,
            "result": _last_result(request),
            "can_add": request.user.has_perm("referrals.add_reassignment"),
            "case_officer_scope": Reassignment.Scope.CASE_OFFICER,
        },
    )


def _last_result(request):
    stored = request.session.pop(RESULT_SESSION_KEY, None)
    if not stored:
        return None
    record = (
        Reassignment.objects.filter(pk=stored["id"], from_user__unit_id=request.user.unit_id)
        .select_related("from_user", "to_user")
        .first()
    )
    if record is None:
        return None
    skipped = Order.objects.filter(pk__in=stored["skipped"], unit_id=request.user.unit_id).order_by("pk")
    per_receiver = list(
        ReassignedOrder.objects.filter(reassignment=record)
        .values("to_user").annotate(count=Count("pk")).order_by("-count", "to_user")
    )
    if per_receiver:
        people = {person.pk: person for person in User.objects.filter(pk__in=[row["to_user"] for row in per_receiver])}
        per_receiver = [(people[row["to_user"]], row["count"]) for row in per_receiver]
    still_open = None
    if record.scope == Reassignment.Scope.PILOT:
        # Read now, not stored: the page proves the leaving bolots has none
        # left but the ones left on purpose.
        still_open = services.orders_of(request.user, record.scope, record.from_user).count()
    return {"record": record, "skipped": list(skipped), "per_receiver": per_receiver, "still_open": still_open}
