"""Pages of the ledger's first part (docs/rent.md, "The ledger"): the
monthly runs with their button, a tenancy's rents and charges, the rent of
one tenancy from a date, the yearly increase and a new charge.

Tenancies are fetched through accounts.access.fetch_visible (the access
rule of TenancyQuerySet.visible_to and the access log); writes go through
rent.services, which log them."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Max, Sum
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import fetch_visible, permission_required
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from referrals import protection
from rent.forms.charges import ChargeForm
from rent.forms.rates import IncreaseForm, RateForm
from rent.forms.runs import RunForm
from rent.models import Charge, NoticeRun, RentRate
from rent.services import charges as charge_services
from rent.services import rates as rate_services
from rent.services import runs as run_services
from tenancies.models import Tenancy

MONTHS_PER_PAGE = 24
RUNS_OBJECT_TYPE = "rent.noticerun"


# --- The runs and the button ---------------------------------------------------------------


def _runs_page(request, form):
    months = (
        NoticeRun.objects.filter(unit_id=request.user.unit_id)
        .values("period")
        .annotate(runs=Count("pk"), notices=Sum("notices_made"), last=Max("started_at"))
        .order_by("-period")
    )
    page = Paginator(months, MONTHS_PER_PAGE).get_page(request.GET.get("page"))
    log_access(AuditContext.from_request(request), AccessAction.VIEW, object_type=RUNS_OBJECT_TYPE)
    return render(request, "rent/runs/run_list.html", {
        "page_obj": page, "form": form, "next_period": run_services.next_period(timezone.localdate()),
    }, status=400 if form.is_bound else 200)


@permission_required("rent.manage_rent")
def run_list(request):
    next_period = run_services.next_period(timezone.localdate())
    return _runs_page(request, RunForm(initial={"period": f"{next_period:%Y-%m}"}))


@require_POST
@permission_required("rent.manage_rent")
def run_create(request):
    form = RunForm(request.POST)
    if not form.is_valid():
        return _runs_page(request, form)
    period = form.cleaned_data["period"]
    run = run_services.run_month(AuditContext.from_request(request), request.user.unit, period, by=request.user)
    if run.notices_made_now:
        messages.success(request, _("%(count)s rent notices were made for %(month)s.") % {
            "count": run.notices_made_now, "month": f"{period:%Y-%m}"})
    else:
        messages.info(request, _("Every tenancy already has its rent notice for %(month)s: nothing new was made.")
                      % {"month": f"{period:%Y-%m}"})
    return redirect("rent:runs")


# --- A tenancy's rents and charges -----------------------------------------------------------


def _tenancy(request, pk, *, perm, log=True):
    return fetch_visible(
        request, Tenancy.objects.select_related("apartment", "client"), perm=perm, pk=pk, log=log,
    )


def _tenancy_context(request, tenancy):
    return {
        "tenancy": tenancy,
        "client": tenancy.client,
        "hide_whereabouts": protection.hides_whereabouts(request.user, tenancy.client),
    }


def _rates_page(request, tenancy, form, status=200):
    rates = list(RentRate.objects.filter(tenancy=tenancy).select_related("increase").order_by("-valid_from"))
    charges = list(Charge.objects.filter(tenancy=tenancy).select_related("notice").order_by("-charged_on", "-pk"))
    today = timezone.localdate()
    return render(request, "rent/runs/tenancy_rates.html", {
        **_tenancy_context(request, tenancy),
        "rates": rates, "charges": charges, "form": form,
        "rent_today": rate_services.rent_on(tenancy, today),
        "may_manage": request.user.has_perm("rent.manage_rent"),
    }, status=status)


@permission_required("rent.view_ledger")
def tenancy_rates(request, pk):
    """GET: the rents and charges; POST (rent.manage_rent): a new rent from a date."""
    if request.method != "POST":
        return _rates_page(request, _tenancy(request, pk, perm="rent.view_ledger"), RateForm())
    tenancy = _tenancy(request, pk, perm="rent.manage_rent")
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            rate_services.set_rate(
                AuditContext.from_request(request), tenancy, form.cleaned_data["valid_from"],
                form.cleaned_data["monthly_rent"], form.cleaned_data["note"],
            )
        except rate_services.RateError as error:
            form.add_error("valid_from", str(error))
        else:
            messages.success(request, _("The new rent was saved."))
            return redirect("rent:tenancy_rates", pk=tenancy.pk)
    return _rates_page(request, tenancy, form, status=400)


@permission_required("rent.manage_rent")
def charge_create(request, pk):
    tenancy = _tenancy(request, pk, perm="rent.manage_rent")
    form = ChargeForm(request.POST or None, initial={"charged_on": timezone.localdate(),
                                                     "invoice_now": tenancy.end_date is not None})
    if request.method == "POST" and form.is_valid():
        ctx = AuditContext.from_request(request)
        data = form.cleaned_data
        try:
            charge = charge_services.add_charge(ctx, tenancy, kind=data["kind"], text=data["text"],
                                                amount=data["amount"], charged_on=data["charged_on"],
                                                invoice_now=data["invoice_now"])
        except charge_services.ChargeError as error:
            form.add_error(None, str(error))
        else:
            if charge.notice_id:
                messages.success(request, _("The charge was saved and invoiced with OCR number %(ocr)s.")
                                 % {"ocr": charge.notice.ocr})
            else:
                messages.success(request, _("The charge was saved. It goes on the next rent notice."))
            return redirect("rent:tenancy_rates", pk=tenancy.pk)
    return render(request, "rent/runs/charge_form.html", {**_tenancy_context(request, tenancy), "form": form},
                  status=400 if form.is_bound else 200)


# --- The yearly increase ---------------------------------------------------------------------


@permission_required("rent.manage_rent")
def increase_create(request):
    form = IncreaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        increase = rate_services.apply_increase(
            AuditContext.from_request(request), request.user.unit, data["apartment_kind"], data["valid_from"],
            percent=data["percent"], amount=data["amount"],
        )
        messages.success(request, _("The increase gave %(count)s tenancies a new rent from %(day)s.") % {
            "count": increase.rates.count(), "day": increase.valid_from.isoformat()})
        return redirect("rent:runs")
    if request.method != "POST":
        log_access(AuditContext.from_request(request), AccessAction.VIEW, object_type="rent.rentincrease")
    return render(request, "rent/runs/increase_form.html", {"form": form}, status=400 if form.is_bound else 200)
