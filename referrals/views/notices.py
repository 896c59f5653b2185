"""Eviction notices (underrättelser) and concern reports (orosanmälningar):
register, list, open, edit, log contact attempts and outcomes, and send the
bolots unit an order made from them."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import fetch_visible, permission_required
from accounts.submissions import single_submission
from audit.conflicts import form_after_conflict, save_edit
from audit.context import AuditContext
from audit.services import history_of
from audit.versioning import ConcurrentEditError

from ..forms.notices import ConcernReportForm, ContactAttemptForm, EvictionNoticeForm, NoticeOutcomeForm
from ..models import Client, ConcernReport, EvictionNotice
from ..services import notices as services

PER_PAGE = 25
SHOW_ALL_PARAM = "alla"
CONFLICT_MESSAGE = gettext_lazy(
    "Someone else saved this record while you were editing. Your changes are not saved yet: "
    "they are still in the form below. Compare with the saved values and save again."
)


def _orders_of(record):
    return record.orders.select_related("active_pilot", "passive_pilot").order_by("-sent_at", "-id")


def _address_visible(record, user):
    """Same rule as Client.contact_visible_to: a protected client's address
    (here: the home's, or where the person is found) is hidden."""
    return record.client is None or record.client.contact_visible_to(user)


def _mark_for_list(records, user, today):
    for record in records:
        record.address_visible = _address_visible(record, user)
        if isinstance(record, EvictionNotice):
            record.days_to_deadline = record.days_left(today) if record.is_open else None


def _history(record, address_visible):
    history = history_of(record)
    return history if address_visible else history.filter(is_protected=False)




# --- Eviction notices ------------------------------------------------------


@permission_required("referrals.view_evictionnotice")
def notice_list(request):
    show_all = request.GET.get(SHOW_ALL_PARAM) == "1"
    notices = EvictionNotice.objects.visible_to(request.user)
    if not show_all:
        notices = notices.open()
    notices = notices.by_urgency().select_related("client").prefetch_related("orders")
    page = Paginator(notices, PER_PAGE).get_page(request.GET.get("page"))
    _mark_for_list(page.object_list, request.user, timezone.localdate())
    return render(
        request,
        "referrals/notices/notice_list.html",
        {
            "page_obj": page,
            "show_all": show_all,
            "page_query": f"&{SHOW_ALL_PARAM}=1" if show_all else "",
            "can_add": request.user.has_perm("referrals.add_evictionnotice"),
        },
    )


@permission_required("referrals.add_evictionnotice")
@single_submission
def notice_create(request):
    form = EvictionNoticeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        notice = services.create_notice(AuditContext.from_request(request), form.save(commit=False))
        messages.success(request, _("The eviction notice was registered."))
        return redirect("referrals:notice_detail", pk=notice.pk)
    return render(request, "referrals/notices/notice_form.html", {"form": form, "creating": True})


def _notice_detail_context(request, notice, *, contact_form=None, outcome_form=None):
    user = request.user
    address_visible = _address_visible(notice, user)
    today = timezone.localdate()
    # Days left matter while the notice is open; a settled one shows dates.
    counting = notice.is_open
    orders = list(_orders_of(notice))
    can_change = user.has_perm("referrals.change_evictionnotice")
    return {
        "notice": notice,
        "address_visible": address_visible,
        "days_to_deadline": notice.days_left(today) if counting else None,
        "days_to_pay_by": (notice.pay_by_date - today).days if counting and notice.pay_by_date else None,
        "days_to_eviction": (notice.eviction_date - today).days if counting and notice.eviction_date else None,
        "orders": orders,
        "contact_attempts": notice.contact_attempts.select_related("by"),
        "history": _history(notice, address_visible)[:50],
        "can_change": can_change,
        "can_order": user.has_perm("referrals.add_order"),
        "contact_form": contact_form or (ContactAttemptForm() if can_change else None),
        "outcome_form": outcome_form or (NoticeOutcomeForm(instance=notice) if can_change else None),
    }


def _fetch_notice(request, pk, *, perm="referrals.view_evictionnotice", log=True):
    return fetch_visible(
        request,
        EvictionNotice.objects.select_related("client", "registered_by"),
        perm=perm,
        log=log,
        pk=pk,
    )


@permission_required("referrals.view_evictionnotice")
def notice_detail(request, pk):
    notice = _fetch_notice(request, pk)
    return render(request, "referrals/notices/notice_detail.html", _notice_detail_context(request, notice))


def _edit(request, record, form_class, update, fields, template, detail, name):
    """The edit page of a notice or a concern report (they differ only in
    their form, service and pages)."""
    edit = save_edit(
        request, form_class(request.POST or None, instance=record, user=request.user),
        lambda form: update(AuditContext.from_request(request), form.save(commit=False),
                            expected_version=form.expected_version()),
        reread=lambda: type(record).objects.select_related("client").get(pk=record.pk),
        fields=fields, display=services.display_snapshot, message=CONFLICT_MESSAGE, user=request.user,
    )
    if edit.saved:
        messages.success(request, _("The changes were saved."))
        return redirect(detail, pk=record.pk)
    return render(request, template, {"form": edit.form, name: record, "creating": False,
                                      "conflict_values": edit.conflict_values})


@permission_required("referrals.change_evictionnotice")
def notice_edit(request, pk):
    # Opening the form shows the data (logged as a view); saving is logged by
    # the service as an update.
    notice = _fetch_notice(request, pk, perm="referrals.change_evictionnotice", log=request.method == "GET")
    return _edit(request, notice, EvictionNoticeForm, services.update_notice, services.NOTICE_TRACKED_FIELDS,
                 "referrals/notices/notice_form.html", "referrals:notice_detail", "notice")


@permission_required("referrals.change_evictionnotice")
@require_POST
def notice_contact(request, pk):
    notice = _fetch_notice(request, pk, perm="referrals.change_evictionnotice", log=False)
    form = ContactAttemptForm(request.POST)
    if form.is_valid():
        services.log_contact_attempt(AuditContext.from_request(request), notice, form.save(commit=False))
        messages.success(request, _("The contact attempt was saved."))
        return redirect("referrals:notice_detail", pk=pk)
    return render(
        request, "referrals/notices/notice_detail.html",
        _notice_detail_context(request, notice, contact_form=form),
    )


@permission_required("referrals.change_evictionnotice")
@require_POST
def notice_outcome(request, pk):
    notice = _fetch_notice(request, pk, perm="referrals.change_evictionnotice", log=False)
    form = NoticeOutcomeForm(request.POST, instance=notice)
    if form.is_valid():
        try:
            services.set_notice_outcome(
                AuditContext.from_request(request),
                notice,
                outcome=form.cleaned_data["outcome"],
                outcome_on=form.cleaned_data["outcome_on"],
                expected_version=form.expected_version(),
            )
        except ConcurrentEditError:
            notice = _fetch_notice(request, pk, log=False)
            form = form_after_conflict(request, NoticeOutcomeForm, notice, CONFLICT_MESSAGE, instance=notice)
        else:
            messages.success(request, _("The outcome was saved."))
            return redirect("referrals:notice_detail", pk=pk)
    return render(
        request, "referrals/notices/notice_detail.html",
        _notice_detail_context(request, notice, outcome_form=form),
    )


def _after_order(request, order):
    messages.success(
        request,
        _("Order #%(number)s was sent to the bolots unit. The first visit is due by %(due)s.") % {
            "number": order.pk,
            "due": f"{timezone.localtime(order.first_visit_due_at):%Y-%m-%d %H:%M}",
        },
    )
    return redirect("referrals:order_detail", pk=order.pk)


def _order_exists(request, order, detail_url):
    messages.warning(
        request,
        _("Order #%(number)s made from this is still open, so no new order was sent.") % {"number": order.pk},
    )
    return redirect(detail_url)


@permission_required("referrals.view_evictionnotice", "referrals.add_order")
@require_POST
def notice_create_order(request, pk):
    notice = _fetch_notice(request, pk, log=False)
    try:
        order = services.create_prevention_order(AuditContext.from_request(request), notice)
    except services.OrderAlreadyOpen as error:
        return _order_exists(request, error.order, reverse("referrals:notice_detail", args=[pk]))
    return _after_order(request, order)


@permission_required("referrals.view_client", "referrals.view_evictionnotice")
def client_notices(request, pk):
    client = fetch_visible(request, Client.objects.all(), perm="referrals.view_client", pk=pk)
    notices = list(
        EvictionNotice.objects.visible_to(request.user).filter(client=client).prefetch_related("orders")
    )
    concerns = []
    if request.user.has_perm("referrals.view_concernreport"):
        concerns = list(ConcernReport.objects.visible_to(request.user).filter(client=client).prefetch_related("orders"))
    today = timezone.localdate()
    for notice in notices:
        notice.days_to_deadline = notice.days_left(today) if notice.is_open else None
    return render(
        request,
        "referrals/notices/client_notices.html",
        {
            "client": client,
            "notices": notices,
            "concerns": concerns,
            "address_visible": client.contact_visible_to(request.user),
            "can_add": request.user.has_perm("referrals.add_evictionnotice"),
        },
    )


# --- Concern reports -------------------------------------------------------


@permission_required("referrals.view_concernreport")
def concern_list(request):
    concerns = ConcernReport.objects.visible_to(request.user).select_related("client").prefetch_related("orders")
    page = Paginator(concerns, PER_PAGE).get_page(request.GET.get("page"))
    _mark_for_list(page.object_list, request.user, timezone.localdate())
    return render(
        request,
        "referrals/concerns/concern_list.html",
        {"page_obj": page, "can_add": request.user.has_perm("referrals.add_concernreport")},
    )


@permission_required("referrals.add_concernreport")
@single_submission
def concern_create(request):
    form = ConcernReportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        concern = services.create_concern(AuditContext.from_request(request), form.save(commit=False))
        messages.success(request, _("The concern report was registered."))
        return redirect("referrals:concern_detail", pk=concern.pk)
    return render(request, "referrals/concerns/concern_form.html", {"form": form, "creating": True})


def _fetch_concern(request, pk, *, perm="referrals.view_concernreport", log=True):
    return fetch_visible(
        request,
        ConcernReport.objects.select_related("client", "registered_by"),
        perm=perm,
        log=log,
        pk=pk,
    )


@permission_required("referrals.view_concernreport")
def concern_detail(request, pk):
    concern = _fetch_concern(request, pk)
    address_visible = _address_visible(concern, request.user)
    orders = list(_orders_of(concern))
    return render(
        request,
        "referrals/concerns/concern_detail.html",
        {
            "concern": concern,
            "address_visible": address_visible,
            "orders": orders,
            "history": _history(concern, address_visible)[:50],
            "can_change": request.user.has_perm("referrals.change_concernreport"),
            "can_order": request.user.has_perm("referrals.add_order"),
        },
    )


@permission_required("referrals.change_concernreport")
def concern_edit(request, pk):
    concern = _fetch_concern(request, pk, perm="referrals.change_concernreport", log=request.method == "GET")
    return _edit(request, concern, ConcernReportForm, services.update_concern, services.CONCERN_TRACKED_FIELDS,
                 "referrals/concerns/concern_form.html", "referrals:concern_detail", "concern")


@permission_required("referrals.view_concernreport", "referrals.add_order")
@require_POST
def concern_create_order(request, pk):
    concern = _fetch_concern(request, pk, log=False)
    try:
        order = services.create_outreach_order(AuditContext.from_request(request), concern)
    except services.OrderAlreadyOpen as error:
        return _order_exists(request, error.order, reverse("referrals:concern_detail", args=[pk]))
    return _after_order(request, order)
