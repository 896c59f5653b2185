"""Order pages: the lists (case officers' and bolotsar's), a new order, the
detail page with the lifecycle steps, and a client's orders tab.

Access: the permission decides the role (403), Order.objects.visible_to()
the records (404). Bolotsar see their unit's unaccepted queue without
personal details (Order.details_visible_to); a read that shows personal
details is written to the access log. Who may take which step is decided by
services.orders; the page only shows the forms it allows.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import fetch_visible, permission_required
from accounts.roles import Role
from accounts.submissions import single_submission
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access

from ..forms.orders import STEP_FORMS, OrderFilterForm, OrderForm
from ..forms.person_links import DECISION_LINK_PREFIX, DECISION_NEW, MATCH_DECISION, MATCH_SEEN, all_seen, seen_value
from ..models import Client, Order, OrderKind, OrderState
from ..models.orders import pilot_own_notes_rule
from ..services import orders as services
from ..services import person_matching

ORDERS_PER_PAGE = 25

# Swedish path segment of each step → the step's name in services.orders.
STEP_SLUGS = {
    "acceptera": "accept",
    "returnera": "return",
    "svara": "answer",
    "paborja": "start",
    "slutfor": "complete",
    "makulera": "cancel",
    "koppla-klient": "link",
}
SLUG_OF_STEP = {step: slug for slug, step in STEP_SLUGS.items()}

# The order in which the step forms appear on the detail page.
STEP_ORDER = ["accept", "start", "complete", "answer", "link", "return", "cancel"]

# Heading, button and help text of each step's form (functions: translated
# per request).
STEP_TEXTS = {
    "accept": lambda: {
        "title": _("Accept and assign bolotsar"),
        "button": _("Accept"),
        "help": _("Two bolotsar of the unit: one active and one passive. Both go to the first visit."),
    },
    "return": lambda: {
        "title": _("Return with a question"),
        "button": _("Return to the case officer"),
        "help": _("The order waits until the case officer has answered."),
    },
    "answer": lambda: {
        "title": _("Answer the question"),
        "button": _("Send the answer"),
        "help": _("The order goes back to the bolots unit's queue."),
    },
    "start": lambda: {"title": _("Start the work"), "button": _("Begin"), "help": ""},
    "complete": lambda: {
        "title": _("Complete and report"),
        "button": _("Complete the order"),
        "help": _("The report goes to the case officer."),
    },
    "cancel": lambda: {
        "title": _("Cancel the order"),
        "button": _("Cancel the order"),
        "help": _("The bolotsar are told that the order is cancelled."),
    },
    "link": lambda: {
        "title": _("Link to a client file"),
        "button": _("Link"),
        "help": _("When the person turns out to be a registered client. The name and address written on the order are kept."),
    },
}


def _success_message(step):
    return {
        "accept": _("The order was accepted."),
        "return": _("The order was returned to the case officer with your question."),
        "answer": _("The answer was sent and the order is back with the bolots unit."),
        "start": _("The order was started."),
        "complete": _("The order was completed and the report sent to the case officer."),
        "cancel": _("The order was cancelled."),
        "link": _("The order was linked to the client file."),
    }[step]


def _is_officer_or_manager(user):
    return user.has_role(Role.CASE_OFFICER) or user.has_role(Role.MANAGER)


def _open_first(queryset):
    return queryset.annotate(
        closed=Case(When(state__in=OrderState.open_states(), then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("closed", "-sent_at", "-id")


# --- Lists ---------------------------------------------------------------------


@permission_required("referrals.view_order")
def order_list(request):
    user = request.user
    visible = Order.objects.visible_to(user)
    context = {"show_unit": _is_officer_or_manager(user), "show_pilot": user.has_role(Role.PILOT)}
    if context["show_unit"]:
        context.update(_unit_orders(request, visible.filter(unit_id=user.unit_id)))
    if context["show_pilot"]:
        # Under way only: ended orders name a former client (docs/access.md).
        mine = _open_first(visible.assigned_to(user).filter(state__in=OrderState.active_states()).for_list())
        # Ended orders whose own visit notes the bolots may still read: no
        # person, just the order and the date access ends.
        context["recently_ended"] = list(
            visible.filter(pilot_own_notes_rule(user)).order_by("-completed_at", "-cancelled_at", "-id")[:20]
        )
        # The most urgent first: the 48-hour orders by deadline, then the
        # rest by how long they have waited.
        queue = visible.filter(unit_id=user.unit_id, state__in=OrderState.queue_states()).order_by(
            F("first_visit_due_at").asc(nulls_last=True), "sent_at", "id"
        )
        context["my_orders"] = Paginator(mine, ORDERS_PER_PAGE).get_page(request.GET.get("sida"))
        context["queue"] = Paginator(queue, ORDERS_PER_PAGE).get_page(request.GET.get("ko"))
    context["can_add"] = user.has_perm("referrals.add_order")
    return render(request, "referrals/orders/order_list.html", context)


def _unit_orders(request, orders):
    """The case officers' and managers' list with its filters. Case officers
    start with the open orders they sent; managers with all open ones."""
    user = request.user
    default_show = OrderFilterForm.MINE if user.has_role(Role.CASE_OFFICER) else OrderFilterForm.ALL
    data = {
        "visa": request.GET.get("visa", default_show),
        "status": request.GET.get("status", OrderFilterForm.OPEN),
        "typ": request.GET.get("typ", ""),
    }
    form = OrderFilterForm(data)
    filters = form.cleaned_data if form.is_valid() else {"visa": default_show, "status": OrderFilterForm.OPEN, "typ": ""}
    if filters["visa"] == OrderFilterForm.MINE:
        orders = orders.filter(ordered_by=user)
    if filters["status"] == OrderFilterForm.OPEN:
        orders = orders.open()
    elif filters["status"]:
        orders = orders.filter(state=filters["status"])
    if filters["typ"]:
        orders = orders.filter(kind=filters["typ"])
    page = Paginator(orders.for_list().order_by("-sent_at", "-id"), ORDERS_PER_PAGE).get_page(request.GET.get("sida"))
    return {
        "unit_orders": page,
        "filter_form": form,
        "filter_query": "&" + urlencode(filters),
    }


@permission_required("referrals.view_client", "referrals.view_order")
def client_orders(request, pk):
    client = fetch_visible(
        request, Client.objects.select_related("unit", "responsible_officer"), perm="referrals.view_client", pk=pk
    )
    # A bolots sees this client's orders assigned to them, not the queue.
    orders = services.with_details_for(request.user, Order.objects.filter(client=client))
    page = Paginator(_open_first(orders.for_list()), ORDERS_PER_PAGE).get_page(request.GET.get("sida"))
    return render(
        request,
        "referrals/orders/client_orders.html",
        {"client": client, "orders": page, "can_add": request.user.has_perm("referrals.add_order")},
    )


# --- A new order -----------------------------------------------------------------


@permission_required("referrals.add_order")
@single_submission
def order_create(request):
    preset_client = _preset_client(request)
    form = OrderForm(request.POST or None, user=request.user, preset_client=preset_client)
    matches = None
    if request.method == "POST" and form.is_valid():
        order = form.save(commit=False)
        ctx = AuditContext.from_request(request)
        if order.kind == OrderKind.OUTREACH and order.client_id is None and request.user.unit_id:
            # One person, one record: an unregistered subject may be a
            # client or another outreach order's person (person_matching).
            matches = person_matching.possible_matches_for_subject(
                request.user.unit, order.subject_name, order.subject_address, user=request.user,
            )
            decision = request.POST.get(MATCH_DECISION, "")
            chosen = next((match.client for match in matches.found if match.client is not None
                           and decision == f"{DECISION_LINK_PREFIX}{match.client.pk}"), None)
            if chosen is not None and request.user.has_perm(person_matching.LINK_PERMISSION):
                try:
                    order = person_matching.send_order_for_client(ctx, order, chosen)
                except person_matching.LinkRefused as refusal:
                    messages.error(request, str(refusal))
                else:
                    messages.success(request, _("The order was sent to the bolots unit and linked to the client's file."))
                    return redirect("referrals:order_detail", pk=order.pk)
            elif decision == DECISION_NEW and matches.found and all_seen(request.POST.get(MATCH_SEEN), matches):
                order = person_matching.send_order_as_someone_else(ctx, order, matches.clients)
                messages.success(request, _("The order was sent to the bolots unit."))
                return redirect("referrals:order_detail", pk=order.pk)
            elif not matches.found:
                matches = None
        if matches is None or not matches.found:
            order = services.send_order(ctx, order, risks_stated=True)
            messages.success(request, _("The order was sent to the bolots unit."))
            return redirect("referrals:order_detail", pk=order.pk)
    return render(
        request,
        "referrals/orders/order_form.html",
        {"form": form, "preset_client": preset_client,
         "matches": matches.found if matches else [], "match_seen": seen_value(matches) if matches else ""},
    )


def _preset_client(request):
    """The client given by ?klient=<id> (an id, never a name or number),
    when the user may see it."""
    raw = request.GET.get("klient", "")
    if not raw.isdigit():
        return None
    return Client.objects.visible_to(request.user).filter(pk=int(raw)).first()


# --- One order ---------------------------------------------------------------------


def _order_queryset():
    # The client's risk stamp: who changed the current risks (current_risk.html).
    return Order.objects.for_list().select_related("decision", "unit", "client__risk_changed_by")


@permission_required("referrals.view_order")
def order_detail(request, pk):
    order = fetch_visible(request, _order_queryset(), perm="referrals.view_order", log=False, pk=pk)
    return _render_detail(request, order)


@require_POST
@permission_required("referrals.view_order")
def order_step(request, pk, step):
    step = STEP_SLUGS.get(step)
    if step is None:
        raise Http404
    try:
        order = fetch_visible(request, _order_queryset(), perm="referrals.view_order", log=False, pk=pk)
    except Http404:
        if step in ("accept", "return") and _taken_from_the_queue(request.user, pk):
            messages.error(request, _("Someone else accepted the order first. Nothing was saved."))
            return redirect("referrals:order_list")
        raise
    form = _step_form(step, order, request.user, data=request.POST)
    if not form.is_valid():
        return _render_detail(request, order, bound=(step, form))
    try:
        _run_step(request, step, order, form.cleaned_data)
    except services.InvalidTransition as refusal:
        messages.error(request, str(refusal))
        return redirect("referrals:order_detail", pk=order.pk)
    messages.success(request, _success_message(step))
    # After assigning two colleagues, the one who accepted may no longer
    # see the order: go back to the list instead of a 404.
    if Order.objects.visible_to(request.user).filter(pk=order.pk).exists():
        return redirect("referrals:order_detail", pk=order.pk)
    return redirect("referrals:order_list")


def _taken_from_the_queue(user, pk):
    """A bolots who saw the order in the unit's queue, but a colleague
    accepted it first (so it has left the queue and the user's sight)."""
    return (
        user.has_perm("referrals.accept_order")
        and bool(user.unit_id)
        and Order.objects.filter(pk=pk, unit_id=user.unit_id, state__in=OrderState.active_states()).exists()
    )


def _run_step(request, step, order, data):
    ctx = AuditContext.from_request(request)
    version = data["version"]
    if step == "accept":
        services.accept_order(ctx, order, data["active_pilot"], data["passive_pilot"], expected_version=version)
    elif step == "return":
        services.return_order(ctx, order, data["question"], expected_version=version)
    elif step == "answer":
        services.answer_order(ctx, order, data["answer"], expected_version=version)
    elif step == "start":
        services.start_order(ctx, order, expected_version=version)
    elif step == "complete":
        services.complete_order(ctx, order, data["outcome"], data["report"], expected_version=version)
    elif step == "cancel":
        services.cancel_order(ctx, order, data["reason"], expected_version=version)
    elif step == "link":
        # A PersonLink, so that the link can be undone (services.person_matching).
        try:
            person_matching.link_same_person(ctx, data["client"], order=order, expected_version=version)
        except person_matching.LinkRefused as refusal:
            raise services.InvalidTransition(str(refusal)) from None


def _step_form(step, order, user, data=None):
    form_class = STEP_FORMS[step]
    kwargs = {"prefix": step, "initial": {"version": order.version}}
    if step in ("accept", "complete"):
        kwargs["order"] = order
    elif step == "link":
        kwargs["user"] = user
    return form_class(data, **kwargs)


def _render_detail(request, order, bound=None):
    user = request.user
    details = order.details_visible_to(user)
    if details:
        # The page shows who the order is about: a read of personal data.
        log_access(AuditContext.from_request(request), AccessAction.VIEW, order)
    step_forms = {step: _step_form(step, order, user) for step in services.allowed_actions(user, order)}
    if bound is not None:
        step_forms[bound[0]] = bound[1]
    steps = [
        {
            "name": step,
            "form": step_forms[step],
            "url": reverse("referrals:order_step", args=[order.pk, SLUG_OF_STEP[step]]),
            **STEP_TEXTS[step](),
        }
        for step in STEP_ORDER
        if step in step_forms
    ]
    context = {
        "order": order,
        "details": details,
        "events": order.events.select_related("by") if details else [],
        "steps": steps,
        "show_contact": bool(details and order.client_id and order.client.contact_visible_to(user)),
        "can_open_client": bool(details and order.client_id and _client_visible(user, order)),
        # The step forms sit in `steps`, where base.html's error summary
        # does not look: name the failed one.
        "error_summary_forms": [bound[1]] if bound is not None else [],
        "back": request.path,
    }
    # "Uppdatera riskinformation" for the unit's case officers and the
    # assigned bolotsar (services.risks.may_change_risk, here without a query).
    context["can_edit_risk"] = context["can_open_client"] and user.has_perm("referrals.change_client_risk")
    return render(request, "referrals/orders/order_detail.html", context)


def _client_visible(user, order):
    """May the user open the order's client file (ClientQuerySet.visible_to)?
    Answered without a query in the common cases."""
    if _is_officer_or_manager(user) and user.unit_id == order.client.unit_id:
        return True
    if order.is_assigned_to(user) and order.state in OrderState.active_states():
        return True
    return Client.objects.visible_to(user).filter(pk=order.client_id).exists()
