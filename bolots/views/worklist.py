"""The bolots's worklist "Min dag", the unit's overview, and an order's
visit frequency with its history.

Access
- "Min dag" is for those who log visits: bolots.view_visit and
  bolots.add_visit (case officers and managers may view visits but have no
  worklist of their own, so they get 403). It lists the orders the user is
  assigned to and, first, the unit's queue of orders waiting to be
  accepted, with the kind, the times and the risk flags only (as on the
  orders page: no person, address or assignment before acceptance).
- The unit's overview (bolots.view_unit_overview: bolotsar and managers)
  shows the user's own unit. It names no client: order numbers, kinds,
  risks, staff and counts, like the unit's queue of unaccepted orders.
- An order's frequency page follows Order.details_visible_to (the assigned
  bolotsar, the unit's case officers); bolots.view_frequencychange.

Access log
"Min dag" writes one row per page view (object type "bolots.worklist", no
client; the note counts the orders shown) and, since the page shows names
and home addresses, one row per client on it (issue 10: every read is
logged), all in one insert by the read recorder (audit.reads). The queue's
orders are read without their client, so they log no client read. The frequency
page names the person and is logged per view on the order.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import fetch_visible, permission_required
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from referrals.models import Order, OrderState
from referrals.services.orders import with_details_for

from .. import frequency as engine
from ..forms.frequency import FrequencyChangeForm
from ..forms.worklist import KindFilterForm
from ..services import frequency as frequency_services
from ..services import worklist as services

WORKLIST_OBJECT_TYPE = "bolots.worklist"
OVERDUE_PER_PAGE = 25


@permission_required("bolots.view_visit", "bolots.add_visit")
def my_day(request):
    # ?typ=<order kind code>: a code, never personal data; unknown → all,
    # with the message beside the field.
    filter_form = KindFilterForm(request.GET or None)
    day = services.my_day(request.user, kind=filter_form.kind() if request.GET else "")
    log_access(
        AuditContext.from_request(request), AccessAction.VIEW, object_type=WORKLIST_OBJECT_TYPE,
        note=f"orders shown: {len(day.shown)} of {day.order_count}",
    )
    return render(
        request, "bolots/worklist/my_day.html",
        {"day": day, "upcoming_days": services.UPCOMING_DAYS, "filter_form": filter_form},
    )


@permission_required("bolots.view_unit_overview")
def unit_overview(request):
    unit_id = request.user.unit_id
    now = timezone.now()
    pilots = list(services.caseloads(unit_id)) if unit_id else []
    overdue = services.unit_overdue(unit_id, request.user, now=now) if unit_id else []
    context = {
        "pilots": pilots,
        "averages": services.unit_averages(pilots),
        "queue": services.queue_summary(unit_id, now) if unit_id else None,
        "overdue": Paginator(overdue, OVERDUE_PER_PAGE).get_page(request.GET.get("page")),
        "overdue_count": len(overdue),
        "now": now,
    }
    return render(request, "bolots/worklist/unit_overview.html", context)


def _fetch_order(request, order_id, *, log):
    today = timezone.localdate()
    queryset = services.with_schedule_facts(
        with_details_for(request.user, Order.objects.select_related("client", "active_pilot", "passive_pilot")),
        today,
    )
    return fetch_visible(request, queryset, perm="bolots.view_frequencychange", log=log, pk=order_id)


@permission_required("bolots.view_frequencychange")
def order_frequency(request, order_id):
    """The order's schedule, its frequency changes, and the form to change
    it for those who may."""
    order = _fetch_order(request, order_id, log=request.method != "POST")
    start = frequency_services.support_start(order)
    may_change = frequency_services.may_change_frequency(request.user, order)
    form = None
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        form = FrequencyChangeForm(request.POST, start=start)
        if form.is_valid():
            data = form.cleaned_data
            try:
                frequency_services.change_frequency(
                    AuditContext.from_request(request), order, data["interval"], data["changed_on"], data["reason"]
                )
            except frequency_services.FrequencyChangeRefused as refusal:
                form.add_error(None, refusal)
            else:
                messages.success(request, _("The visit frequency was changed."))
                return redirect("bolots:order_frequency", order_id=order.pk)
        # The page is shown again with the refused input: a read of the order.
        log_access(AuditContext.from_request(request), AccessAction.VIEW, order)
    elif may_change:
        form = FrequencyChangeForm(initial={"changed_on": timezone.localdate()}, start=start)
    plan = None
    if start is not None and order.state in OrderState.active_states():
        plan = engine.schedule(services.facts_of(order), timezone.localdate(), timezone.now())
    return render(
        request,
        "bolots/worklist/order_frequency.html",
        {
            "order": order,
            "plan": plan,
            "start": start,
            "history": frequency_services.history(order),
            "form": form,
        },
    )
