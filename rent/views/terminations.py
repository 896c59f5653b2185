"""Pages of the termination for arrears (docs/rent.md, "Termination for
arrears and the letters"): start, the termination's page with its letters
and deliveries, the bolots's signing page and the list of running
deadlines.

Terminations are reached through their tenancy's access rule
(TenancyQuerySet.visible_to) and every read is logged; writes go through
services.terminations, which logs them. What the pages show of a protected
tenant follows referrals.protection.tenancy_side."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import fetch_visible, permission_required, require_perm
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access, log_list_access
from core.forms import add_rule_error
from core.pdf import pdf_response
from referrals import protection
from tenancies.models import Tenancy

from ..forms.terminations import DeliveryForm, SignDeliveryForm, StartTerminationForm
from ..models import ArrearsTermination, LetterKind, TerminationStatus
from ..services import terminations as services

MANAGE = "rent.manage_terminations"
VIEW = "rent.view_ledger"
SIGN = "rent.sign_delivery"
# The access log's record type of a row of the running terminations list.
LIST_OBJECT_TYPE = "rent.termination_list"


def _fetch(request, pk, *, perms, log=True):
    """The termination whose tenancy the user may see; 403 without one of
    `perms`, 404 outside the user's reach."""
    if not any(request.user.has_perm(perm) for perm in perms):
        require_perm(request.user, perms[0])
    try:
        termination = (
            ArrearsTermination.objects.select_related("tenancy__client", "tenancy__apartment__unit",
                                                      "eviction_notice", "created_by")
            .get(pk=pk, tenancy__in=Tenancy.objects.visible_to(request.user))
        )
    except ArrearsTermination.DoesNotExist:
        raise Http404 from None
    if log:
        log_access(AuditContext.from_request(request), AccessAction.VIEW, termination)
    return termination


def _render_detail(request, termination, *, delivery_form=None, status=200):
    today = timezone.localdate()
    can_manage = request.user.has_perm(MANAGE)
    is_open = termination.status in services.OPEN_STATUSES
    return render(request, "rent/terminations/detail.html", {
        "termination": termination,
        "tenancy": termination.tenancy,
        "side": protection.tenancy_side(request.user, termination.tenancy),
        "days_left": services.days_left(termination, today),
        "owed_now": services.amount_owed_on(termination.tenancy_id, today),
        "deliveries": termination.deliveries.select_related("delivered_by", "recorded_by"),
        "letters": LetterKind.choices,
        "can_manage": can_manage,
        "delivery_form": (delivery_form or DeliveryForm(initial={"delivered_on": today}))
        if can_manage and is_open else None,
        "may_sign": is_open and services.may_sign(request.user, termination),
    }, status=status)


@permission_required(VIEW)
def termination_detail(request, pk):
    return _render_detail(request, _fetch(request, pk, perms=(VIEW,)))


@permission_required(MANAGE)
def termination_start(request, tenancy_pk):
    tenancy = fetch_visible(
        request, Tenancy.objects.select_related("client", "apartment__unit"), perm=MANAGE,
        log=request.method != "POST", pk=tenancy_pk,
    )
    today = timezone.localdate()
    if request.method == "POST":
        form = StartTerminationForm(request.POST)
        if form.is_valid():
            try:
                termination = services.start_termination(
                    AuditContext.from_request(request), tenancy, form.cleaned_data["decided_on"]
                )
            except services.TerminationError as error:
                add_rule_error(form, error)
            else:
                messages.success(request, _("The termination was registered. Print the letters and record "
                                            "their delivery: the three weeks run from the tenant's."))
                return redirect("rent:termination_detail", pk=termination.pk)
        log_access(AuditContext.from_request(request), AccessAction.VIEW, tenancy)
    else:
        form = StartTerminationForm(initial={"decided_on": today})
    return render(request, "rent/terminations/start.html", {
        "tenancy": tenancy,
        "side": protection.tenancy_side(request.user, tenancy),
        "form": form,
        "owed_today": services.amount_owed_on(tenancy.pk, today),
        "open": ArrearsTermination.objects.filter(tenancy=tenancy, status__in=services.OPEN_STATUSES).first(),
    })


@permission_required(MANAGE)
def termination_letter(request, pk, letter):
    if letter not in LetterKind.values:
        raise Http404
    termination = _fetch(request, pk, perms=(MANAGE,), log=False)
    rendered = services.render_letter(AuditContext.from_request(request), termination, letter)
    return pdf_response(rendered)


@permission_required(MANAGE)
@require_POST
def termination_delivery(request, pk):
    termination = _fetch(request, pk, perms=(MANAGE,), log=False)
    form = DeliveryForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_delivery(
                AuditContext.from_request(request), termination, data["letter"], data["method"],
                data["delivered_on"], proof_file=data["proof"], note=data["note"],
            )
        except services.TerminationError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The delivery was recorded."))
            return redirect("rent:termination_detail", pk=pk)
    log_access(AuditContext.from_request(request), AccessAction.VIEW, termination)
    return _render_detail(request, termination, delivery_form=form)


@permission_required(SIGN)
def termination_sign(request, pk):
    termination = _fetch(request, pk, perms=(SIGN,), log=request.method != "POST")
    if not services.may_sign(request.user, termination):
        raise Http404
    today = timezone.localdate()
    if request.method == "POST":
        form = SignDeliveryForm(request.POST)
        if form.is_valid():
            try:
                services.sign_delivery(AuditContext.from_request(request), termination,
                                       form.cleaned_data["letter"], form.cleaned_data["delivered_on"])
            except services.TerminationError as error:
                add_rule_error(form, error)
            else:
                messages.success(request, _("Your signature of the handing-over was recorded."))
                return redirect("rent:termination_sign", pk=pk)
        log_access(AuditContext.from_request(request), AccessAction.VIEW, termination)
    else:
        form = SignDeliveryForm(initial={"delivered_on": today})
    return render(request, "rent/terminations/sign.html", {
        "termination": termination,
        "form": form,
        "signed": termination.deliveries.filter(delivered_by=request.user).order_by("delivered_on"),
        "is_open": termination.status in services.OPEN_STATUSES,
    })


@permission_required(VIEW)
def termination_list(request):
    """Running terminations, the nearest last day to pay first."""
    today = timezone.localdate()
    terminations = list(
        ArrearsTermination.objects.filter(
            status__in=services.OPEN_STATUSES, tenancy__in=Tenancy.objects.visible_to(request.user),
        )
        .select_related("tenancy__client", "tenancy__apartment")
        .order_by("status", "recover_by", "decided_on", "pk")
    )
    # RUNNING before DRAFT: a deadline that runs comes first.
    terminations.sort(key=lambda t: (t.status != TerminationStatus.RUNNING, t.recover_by or t.decided_on, t.pk))
    for termination in terminations:
        termination.side = protection.tenancy_side(request.user, termination.tenancy)
        termination.days_left = services.days_left(termination, today)
    log_list_access(AuditContext.from_request(request), terminations, object_type=LIST_OBJECT_TYPE)
    return render(request, "rent/terminations/list.html", {"terminations": terminations, "today": today})
