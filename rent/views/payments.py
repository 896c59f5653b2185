"""Payment pages for the housing administrator (rent.manage_rent): the BgMax
upload, its import job's page and the list of imported files, the manual matching queue, matching
one payment, and a payment registered by hand for a tenancy.

The payer's name (from the bank) is shown on the queue and the match page
only. Tenants' names are shown through the access log (log_list_access /
fetch_visible); no page here shows an apartment or an address, so a
protected tenant's whereabouts are never connected to them here
(referrals.protection)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.access import fetch_visible, permission_required
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access, log_list_access
from core.forms import add_rule_error
from core.rules import RuleError
from rent.forms.payments import BgMaxUploadForm, ManualPaymentForm, MatchForm, ReturnForm
from rent.models import BgMaxFile, BgMaxImportJob, Payment
from rent.services import payments as services
from rent.services.bgmax_import import BgMaxImportError, queue_import
from tenancies.models import Tenancy

PERM = "rent.manage_rent"
PER_PAGE = 25
QUEUE_OBJECT_TYPE = "rent.payment_queue"
RECENT_JOBS = 5
POLL_SECONDS = 2


def _unit_id(request) -> int:
    if not request.user.unit_id:
        raise Http404
    return request.user.unit_id


@permission_required(PERM)
def bgmax_upload(request):
    """Store the file and queue its import (docs/rent.md, "The import as a
    background job"); the job's page follows it to the end."""
    unit_id = _unit_id(request)
    form = BgMaxUploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = queue_import(AuditContext.from_request(request), request.user.unit, upload.name, upload.read())
        except BgMaxImportError as error:
            errors = error.errors
            form.add_error("file", ngettext(
                "The file was refused and nothing was imported (%(n)s error, listed below).",
                "The file was refused and nothing was imported (%(n)s errors, listed below).",
                len(errors)) % {"n": len(errors)})
        else:
            return redirect("rent:bgmax_job", pk=job.pk)
    recent = (BgMaxImportJob.objects.filter(unit_id=unit_id).select_related("file", "requested_by")
              .defer("data").order_by("-created_at", "-id")[:RECENT_JOBS])
    return render(request, "rent/payments/bgmax_upload.html", {"form": form, "errors": errors, "jobs": recent})


@permission_required(PERM)
def bgmax_job(request, pk):
    """One upload's import: waiting, running, its result or its errors. The
    status part polls itself through htmx while the job is not finished and
    answers 204 while nothing changed (?seen=<status>), like the report runs."""
    try:
        job = (BgMaxImportJob.objects.select_related("file", "requested_by").defer("data")
               .get(pk=pk, unit_id=_unit_id(request)))
    except BgMaxImportJob.DoesNotExist:
        raise Http404 from None
    context = {"job": job, "poll_seconds": POLL_SECONDS}
    if request.htmx:
        if request.GET.get("seen") == job.status and not job.is_finished:
            return HttpResponse(status=204)
        return render(request, "rent/payments/_bgmax_job_status.html", context)
    return render(request, "rent/payments/bgmax_job.html", context)


@permission_required(PERM)
def bgmax_files(request):
    unit_id = _unit_id(request)
    files = BgMaxFile.objects.filter(unit_id=unit_id).select_related("imported_by").order_by("-imported_at", "-id")
    page = Paginator(files, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "rent/payments/bgmax_files.html", {
        "page_obj": page, "queue_count": Payment.objects.filter(unit_id=unit_id).unmatched().count(),
    })


@permission_required(PERM)
def payment_queue(request):
    unit_id = _unit_id(request)
    queue = Payment.objects.filter(unit_id=unit_id).unmatched().select_related("bgmax_file").order_by("paid_on", "id")
    page = Paginator(queue, PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    found = services.queue_suggestions(page.object_list)
    rows = []
    shown = []
    for payment in page.object_list:
        suggestion = found[payment.pk]
        rows.append({"payment": payment, "suggestions": suggestion})
        shown += [notice.tenancy for notice in suggestion.by_amount] + suggestion.by_name
    log_list_access(AuditContext.from_request(request), shown, object_type=QUEUE_OBJECT_TYPE)
    return render(request, "rent/payments/queue.html", {"page_obj": page, "rows": rows})


def _queued_payment(request, pk):
    try:
        return Payment.objects.select_related("bgmax_file").get(pk=pk, unit_id=request.user.unit_id)
    except Payment.DoesNotExist:
        raise Http404 from None


def _tenancy_choices(request, suggestion):
    """The suggested tenancies first, then every current tenancy of the unit,
    by the tenant's name (no apartment: see the module's docstring)."""
    suggested = [notice.tenancy for notice in suggestion.by_amount] + suggestion.by_name
    current = list(
        Tenancy.objects.visible_to(request.user).filter(apartment__unit_id=request.user.unit_id, end_date__isnull=True)
        .select_related("client").order_by("client__last_name", "client__first_name", "id")
    )
    seen, choices, suggested_choices = set(), [], []
    for tenancy in suggested:
        if tenancy.pk not in seen:
            seen.add(tenancy.pk)
            suggested_choices.append((tenancy.pk, _("%(name)s (suggested)") % {"name": tenancy.client.full_name}))
    for tenancy in current:
        if tenancy.pk not in seen:
            seen.add(tenancy.pk)
            choices.append((tenancy.pk, tenancy.client.full_name))
    return suggested_choices + choices, suggested + current


@permission_required(PERM)
def payment_match(request, pk):
    payment = _queued_payment(request, pk)
    if payment.tenancy_id is not None or payment.returned:
        messages.info(request, _("The payment has already been handled."))
        return redirect("rent:payment_queue")
    suggestion = services.suggestions(payment)
    choices, shown = _tenancy_choices(request, suggestion)
    ctx = AuditContext.from_request(request)
    action = request.POST.get("action")
    match_form = MatchForm(request.POST if action == "match" else None, choices=choices)
    return_form = ReturnForm(request.POST if action == "return" else None)
    if action == "match" and match_form.is_valid():
        tenancy = fetch_visible(request, Tenancy.objects.select_related("client", "apartment"), perm=PERM, log=False,
                                pk=match_form.cleaned_data["tenancy"])
        try:
            services.match_payment(ctx, payment, tenancy)
        except RuleError as error:
            add_rule_error(match_form, error)
        else:
            messages.success(request, _("The payment was matched to %(name)s.") % {"name": tenancy.client.full_name})
            return redirect("rent:payment_queue")
    elif action == "return" and return_form.is_valid():
        try:
            services.return_payment(ctx, payment, return_form.cleaned_data["note"])
        except RuleError as error:
            add_rule_error(return_form, error)
        else:
            messages.success(request, _("The payment is marked as paid back and has left the queue."))
            return redirect("rent:payment_queue")
    log_list_access(ctx, shown, object_type=QUEUE_OBJECT_TYPE)
    return render(request, "rent/payments/match.html", {
        "payment": payment, "suggestions": suggestion, "match_form": match_form, "return_form": return_form,
    })


@permission_required(PERM)
def manual_payment(request, tenancy_pk):
    tenancy = fetch_visible(request, Tenancy.objects.select_related("client", "apartment"), perm=PERM,
                            log=request.method == "GET", pk=tenancy_pk)
    form = ManualPaymentForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.register_manual_payment(
                    AuditContext.from_request(request), tenancy, data["source"], data["paid_on"],
                    form.amount_in_ore(), data["note"],
                )
            except RuleError as error:
                add_rule_error(form, error, {"amount": "amount_kr"})
            else:
                messages.success(request, _("The payment was registered."))
                return redirect("rent:manual_payment", tenancy_pk=tenancy.pk)
        log_access(AuditContext.from_request(request), AccessAction.VIEW, tenancy)
    return render(request, "rent/payments/manual_payment.html", {"tenancy": tenancy, "form": form})
