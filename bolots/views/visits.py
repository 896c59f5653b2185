"""Visit pages: logging a visit (with the monthly checklist), the visits of
an order and of a client, one visit, and the case officers' signals.

Access: the permission decides the role (403); the order's, client's or
visit's `visible_to` the records (404). Logging is for the order's two
bolotsar (services.visits.may_log_visit): anyone else gets 404, as for a
record outside their reach. Notes are part of the client's record: shown
only to users who may see the client, and every page that shows them is
written to the access log.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import fetch_visible, permission_required
from accounts.submissions import single_submission
from audit.conflicts import save_edit
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import history_of, log_access
from core.forms import AnnulForm, add_rule_error
from referrals import protection
from referrals.models import Client, Order
from tenancies.models import ComplaintKind
from tenancies.services.addresses import visit_address

from ..forms.visits import ChecklistForm, VisitEditForm, VisitForm
from ..models import ChecklistAnswer, Visit, VisitChecklist
from ..models.visits import CHECKLIST_ITEMS
from ..services import checklist_rules
from ..services import signals as signal_services
from ..services import visits as services
from ..services import worklist as worklist_services

VISITS_PER_PAGE = 25
SIGNALS_PER_PAGE = 25


def _client_visible(user):
    """Annotation: may `user` see the client of the row's order? (Notes
    follow the client file's access rule.)"""
    return Exists(Client.objects.visible_to(user).filter(pk=OuterRef("client_id")))


def _notes_visible(order):
    """An order about an unregistered person has no client file: its notes
    follow the order (whose details the user may see)."""
    return order.client_id is None or order.client_visible


def _checklist_of(visit):
    try:
        return visit.checklist
    except VisitChecklist.DoesNotExist:
        return None


def _with_checklist_summary(visits):
    """Give each visit `failing` (labels of the checklist items answered
    "no"), None when the visit has no checklist."""
    for visit in visits:
        checklist = _checklist_of(visit)
        if checklist is None:
            visit.failing = None
            continue
        visit.failing = [
            VisitChecklist._meta.get_field(name).verbose_name for name in CHECKLIST_ITEMS
            if getattr(checklist, name) == ChecklistAnswer.NO
        ]
        if checklist.new_complaint:
            visit.failing.append(VisitChecklist._meta.get_field("new_complaint").verbose_name)
    return visits


def _visit_address(user, order, details=True):
    """Where to go for the order's client (tenancies.services.addresses), or
    None when the page shows no address: no details of the order, no client,
    or a client whose whereabouts the user may not see. The plain rule, for
    the order's visit list: the protected-address exception is for the two
    visit pages below only (_visit_page_address)."""
    if not details or order.client_id is None:
        return None
    if not protection.may_see_whereabouts(user, order.client):
        return None
    return visit_address(order.client)


def _visit_page_address(request, order) -> dict:
    """The address block of the two visit pages of an order (the visit form
    and a visit's own page): the protection rule with its one exception
    (referrals.protection.visit_page_address, which logs a view the
    exception allows) as `address_rule`, and where to go as
    `visit_address` only when the rule lets the address be shown."""
    rule = protection.visit_page_address(AuditContext.from_request(request), order)
    shown = rule is not None and rule.shown
    return {"address_rule": rule, "visit_address": visit_address(order.client) if shown else None}


# --- Logging a visit -----------------------------------------------------------------


@permission_required("bolots.add_visit")
@single_submission
def visit_create(request, order_id):
    order = fetch_visible(
        request,
        Order.objects.select_related(
            "client", "decision", "active_pilot", "passive_pilot", "unit", "client__risk_changed_by"
        ),
        perm="bolots.add_visit",
        log=False,
        pk=order_id,
    )
    if not services.may_log_visit(request.user, order):
        raise Http404
    if not services.is_loggable(order):
        messages.error(request, _("Visits can only be logged on an accepted order or one in progress."))
        return redirect("referrals:order_detail", pk=order.pk)

    data = request.POST if request.method == "POST" else None
    form = VisitForm(data, order=order, user=request.user)
    # Only the items the unit asks on this kind of order (services.checklist_rules).
    checklist_form = ChecklistForm(data, asked=checklist_rules.asked_items(order.unit_id, order.kind))
    if data is not None:
        result = _log(request, order, form, checklist_form)
        if result is not None:
            _tell_what_happened(request, result)
            return redirect("bolots:visit_detail", pk=result.visit.pk)
    else:
        # The form shows who the order is about and its risks.
        log_access(AuditContext.from_request(request), AccessAction.VIEW, order)
    return render(
        request,
        "bolots/visits/visit_form.html",
        {
            "order": order,
            "form": form,
            "checklist_form": checklist_form,
            "checklist_kinds": [str(kind) for kind in services.CHECKLIST_KINDS],
            # What other apps know beside a checklist question (the rent
            # ledger's status beside "rent paid"): worklist.checklist_notes.
            "checklist_notes": worklist_services.checklist_notes(
                request.user, order.client_id, timezone.localdate()
            ),
            # Where to go: a visit page of this order, the one place where
            # its bolotsar may see a protected client's address (logged).
            **_visit_page_address(request, order),
        },
    )


def _log(request, order, form, checklist_form):
    """Validate both forms and log the visit; None when something refused
    it (the errors are on the forms, nothing is kept)."""
    valid = form.is_valid()
    valid = checklist_form.is_valid() and valid
    if not valid:
        return None
    visit = form.save(commit=False)
    visit.order = order
    checklist = None
    if checklist_form.is_filled():
        if not checklist_form.check_against(order, visit):
            return None
        checklist = checklist_form.save(commit=False)
    try:
        return services.log_visit(
            AuditContext.from_request(request),
            visit,
            checklist,
            complaint_kind=checklist_form.cleaned_data.get("complaint_kind") or ComplaintKind.OTHER,
            allow_duplicate=form.cleaned_data["save_anyway"],
        )
    except services.LikelyDuplicate as refusal:
        form.show_save_anyway(refusal, refusal.existing, reverse("bolots:visit_detail", args=[refusal.existing.pk]))
        return None
    except services.VisitError as refusal:
        form.add_error(refusal.field, refusal.message)
        return None


def _tell_what_happened(request, result):
    messages.success(request, _("The visit was logged."))
    if result.decision_executed:
        messages.success(
            request,
            _("The decision on bolots support is now executed as of %(date)s.")
            % {"date": timezone.localdate(result.visit.visited_at).strftime("%Y-%m-%d")},
        )
    if result.decision_refusal:
        messages.warning(
            request,
            _("The visit is saved, but the order's decision could not be executed: %(reason)s "
              "The case officer has been told.") % {"reason": result.decision_refusal},
        )
    if result.signals:
        messages.info(
            request,
            _("The case officer has got a signal: %(kinds)s.")
            % {"kinds": ", ".join(str(signal.get_kind_display()).lower() for signal in result.signals)},
        )
    if (result.complaint is not None and result.complaint.tenancy is not None
            and protection.apartment_hidden(request.user, result.complaint.tenancy)):
        # The client's apartment is address data for a protected client.
        messages.info(request, _("The complaint was registered on the client's apartment."))
    elif result.complaint is not None:
        messages.info(
            request,
            _("The complaint was registered on apartment %(number)s.")
            % {"number": result.complaint.apartment.object_number},
        )
    elif result.complaint_without_apartment:
        messages.warning(
            request,
            _("The client had no apartment in the programme on the day of the visit, so the complaint "
              "was not registered on an apartment. The case officer has the signal."),
        )


# --- Reading visits -----------------------------------------------------------------


@permission_required("bolots.view_visit")
def visit_detail(request, pk):
    visit = fetch_visible(request, _detail_queryset(request.user), perm="bolots.view_visit", pk=pk)
    return _render_detail(request, visit)


def _render_detail(request, visit, annul_form=None):
    order = visit.order
    order.client_visible = visit.client_visible
    checklist = _checklist_of(visit) if request.user.has_perm("bolots.view_visitchecklist") else None
    details = order.details_visible_to(request.user)
    may_annul = not visit.is_annulled and services.may_annul_visit(request.user, visit)
    may_edit = (not visit.is_annulled and services.may_edit_visit(request.user, visit)
                and services.is_loggable(order))
    return render(
        request,
        "bolots/visits/visit_detail.html",
        {
            "visit": visit,
            "order": order,
            "checklist": checklist,
            # Own notes of an ended order (Visit.visible_to let them through).
            "show_notes": _notes_visible(order) or order.own_notes_visible_to(request.user),
            "details": details,
            "signals": list(visit.signals.all()) if request.user.has_perm("bolots.view_signal") else [],
            # A visit's own page is one of its order's visit pages (see
            # referrals.protection.visit_page_address); not for ended orders.
            **(_visit_page_address(request, order) if details else {}),
            "annul_form": (annul_form or AnnulForm(prefix="annul")) if may_annul else None,
            "may_edit": may_edit,
            # Corrections and the annulment, newest first (one query).
            "history": list(history_of(visit).order_by("-at", "-id")[:50]),
        },
    )


EDIT_CONFLICT = gettext_lazy(
    "Someone else saved this visit while you were editing. Your changes are not saved yet: "
    "they are still in the form below. Compare with the saved values and save again."
)


@permission_required("bolots.change_visit")
def visit_edit(request, pk):
    """Correct a visit: its bolotsar (services.may_edit_visit; anyone else
    who can see it gets 404) while the order is under way, through the
    tracked-save path (field history) and the conflict helper."""
    visit = fetch_visible(request, _detail_queryset(request.user), perm="bolots.change_visit",
                          log=request.method == "GET", pk=pk)
    if not services.may_edit_visit(request.user, visit):
        raise Http404
    order = visit.order
    if visit.is_annulled or not services.is_loggable(order):
        messages.error(request, _("An annulled visit, or a visit of an order that is not under way, "
                                  "cannot be changed."))
        return redirect("bolots:visit_detail", pk=pk)

    def save(form):
        try:
            return services.update_visit(AuditContext.from_request(request), form.save(commit=False),
                                         expected_version=form.expected_version(),
                                         allow_duplicate=form.cleaned_data["save_anyway"])
        except services.LikelyDuplicate as refusal:
            # save_edit puts the message beside the box; this shows the box.
            form.show_save_anyway(refusal, refusal.existing,
                                  reverse("bolots:visit_detail", args=[refusal.existing.pk]), add=False)
            raise

    edit = save_edit(
        request, VisitEditForm(request.POST or None, instance=visit, order=order, user=request.user), save,
        reread=lambda: Visit.objects.select_related("active_pilot", "passive_pilot").get(pk=pk),
        fields=services.TRACKED_FIELDS, message=EDIT_CONFLICT, order=order, user=request.user,
    )
    if edit.saved:
        messages.success(request, _("The changes were saved."))
        return redirect("bolots:visit_detail", pk=pk)
    return render(request, "bolots/visits/visit_edit.html",
                  {"visit": visit, "order": order, "form": edit.form, "conflict_values": edit.conflict_values})


def _detail_queryset(user):
    return Visit.objects.select_related(
        "order__client", "order__unit", "client", "active_pilot", "passive_pilot", "logged_by", "checklist",
        "annulled_by",
    ).annotate(client_visible=Exists(Client.objects.visible_to(user).filter(pk=OuterRef("order__client_id"))))


@require_POST
@permission_required("bolots.annul_visit")
def visit_annul(request, pk):
    """Makulera: one of the visit's bolotsar or the unit's manager
    (services.may_annul_visit; anyone else who can see it gets 404, as for
    a record outside their reach) annuls it with a reason."""
    visit = fetch_visible(request, _detail_queryset(request.user), perm="bolots.annul_visit", log=False, pk=pk)
    if not services.may_annul_visit(request.user, visit):
        raise Http404
    form = AnnulForm(request.POST, prefix="annul")
    if form.is_valid():
        try:
            services.annul_visit(AuditContext.from_request(request), visit, form.cleaned_data["reason"])
        except services.VisitError as refusal:
            add_rule_error(form, refusal)
        else:
            messages.success(request, _("The visit is annulled. It stays in the history, marked annulled, "
                                        "and is left out of the visit figures."))
            return redirect("bolots:visit_detail", pk=visit.pk)
    visit = _detail_queryset(request.user).get(pk=pk)
    log_access(AuditContext.from_request(request), AccessAction.VIEW, visit)
    return _render_detail(request, visit, annul_form=form)


@permission_required("bolots.view_visit")
def order_visits(request, order_id):
    order = fetch_visible(
        request,
        Order.objects.select_related("client").annotate(client_visible=_client_visible(request.user)),
        perm="bolots.view_visit",
        log=False,
        pk=order_id,
    )
    # The unit's queue of unaccepted orders is visible to bolotsar without
    # its details; its visits (there are none yet) are not for them. An
    # ended order shows its bolotsar only their own visits, for a while.
    own_notes_only = not order.details_visible_to(request.user)
    if own_notes_only and not order.own_notes_visible_to(request.user):
        raise Http404
    log_access(AuditContext.from_request(request), AccessAction.VIEW, order, note="visits")
    visits = Visit.objects.filter(order=order)
    if own_notes_only:
        visits = visits.visible_to(request.user)
    visits = visits.select_related("active_pilot", "passive_pilot", "checklist").order_by("-visited_at", "-id")
    page = Paginator(visits, VISITS_PER_PAGE).get_page(request.GET.get("page"))
    _with_checklist_summary(page.object_list)
    return render(
        request,
        "bolots/visits/order_visits.html",
        {
            "order": order,
            "page_obj": page,
            "show_notes": own_notes_only or _notes_visible(order),
            "own_notes_until": order.own_notes_until() if own_notes_only else None,
            "details": not own_notes_only,
            "visit_address": _visit_address(request.user, order, not own_notes_only),
            "can_log": services.may_log_visit(request.user, order) and services.is_loggable(order),
        },
    )


@permission_required("bolots.view_visit", "referrals.view_client")
def client_visits(request, pk):
    client = fetch_visible(
        request, Client.objects.select_related("unit", "responsible_officer"), perm="referrals.view_client", pk=pk
    )
    # Visits logged before an outreach order was linked to the client's file
    # have no client of their own: they follow the order.
    visits = (
        Visit.objects.visible_to(request.user)
        .filter(Q(client=client) | Q(order__client=client))
        .select_related("order", "active_pilot", "passive_pilot", "checklist")
        .order_by("-visited_at", "-id")
    )
    page = Paginator(visits, VISITS_PER_PAGE).get_page(request.GET.get("page"))
    _with_checklist_summary(page.object_list)
    return render(
        request,
        "bolots/visits/client_visits.html",
        {"client": client, "page_obj": page, "show_notes": True},
    )


# --- Signals -----------------------------------------------------------------------------

MINE, ALL = "mina", "alla"


@permission_required("bolots.view_signal")
def signal_list(request):
    user = request.user
    can_acknowledge = user.has_perm("bolots.change_signal")
    # Case officers start with the signals addressed to them; managers
    # follow the unit's.
    show = request.GET.get("visa") or (MINE if can_acknowledge else ALL)
    show = show if show in (MINE, ALL) else MINE
    signals = signal_services.all_signals().visible_to(user)
    if show == MINE:
        signals = signals.filter(recipient=user)
    page = Paginator(signals.for_list(), SIGNALS_PER_PAGE).get_page(request.GET.get("page"))
    signal_services.log_list_view(AuditContext.from_request(request), page.object_list)
    return render(
        request,
        "bolots/signals/signal_list.html",
        {
            "page_obj": page,
            "show": show,
            "MINE": MINE,
            "ALL": ALL,
            "can_acknowledge": can_acknowledge,
            "page_query": "&" + urlencode({"visa": show}),
        },
    )


@require_POST
@permission_required("bolots.change_signal")
def signal_acknowledge(request, pk):
    signal = fetch_visible(
        request, signal_services.all_signals().select_related("client"), perm="bolots.change_signal", log=False, pk=pk
    )
    try:
        signal_services.acknowledge_signal(AuditContext.from_request(request), signal)
    except signal_services.AlreadyAcknowledged as done:
        messages.info(
            request,
            _("%(person)s acknowledged the signal first (%(time)s).")
            % {
                "person": done.signal.acknowledged_by,
                "time": timezone.localtime(done.signal.acknowledged_at).strftime("%Y-%m-%d %H:%M"),
            },
        )
    else:
        messages.success(request, _("The signal is acknowledged."))
    show = request.POST.get("visa")
    url = reverse("bolots:signal_list")
    return redirect(f"{url}?{urlencode({'visa': show})}" if show in (MINE, ALL) else url)
