"""Bulk reassignment of a caseload (managers): a form with a confirm step,
and the list of past reassignments with the latest result on top."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import permission_required
from audit.context import AuditContext

from ..forms.orders import ReassignmentForm
from ..models import Order, Reassignment
from ..services import reassignment as services

# The result of the last reassignment, shown once on the list after the
# redirect: the record's id and the ids of the orders left unchanged.
RESULT_SESSION_KEY = "referrals.reassignment_result"
PER_PAGE = 25


@permission_required("referrals.add_reassignment")
def reassign(request):
    form = ReassignmentForm(request.POST or None, manager=request.user)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "confirm" in request.POST:
            try:
                result = services.reassign_caseload(
                    AuditContext.from_request(request), data["scope"], data["from_user"], data["to_user"], data["reason"]
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
            clients, orders = services.preview(request.user, data["scope"], data["from_user"])
            preview = {"clients": clients, "orders": orders, "scope": data["scope"]}
    return render(
        request,
        "referrals/reassignment/reassign.html",
        {"form": form, "preview": preview, "case_officer_scope": Reassignment.Scope.CASE_OFFICER},
    )


@permission_required("referrals.view_reassignment")
def reassignment_list(request):
    unit_id = request.user.unit_id
    records = Reassignment.objects.filter(from_user__unit_id=unit_id).select_related("by", "from_user", "to_user")
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
    return {"record": record, "skipped": list(skipped)}
