"""The ledger pages: the client's "Hyra" tab (each tenancy's ledger), one
tenancy's ledger, and the two corrections of a notice, the credit note
(rent.manage_rent) and the write-off (rent.write_off, the manager).

Client data is reached through accounts.access.fetch_visible, which writes
the access log; the corrections are logged by services.ledger. A notice has
no access rule of its own: its tenancy's (TenancyQuerySet.visible_to) is it.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import fetch_visible, permission_required
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from referrals import protection
from referrals.models import Client
from tenancies.models import Tenancy

from ..forms.ledger import CreditNoteForm, WriteOffForm
from ..models import ArrearsTermination, RentNotice
from ..services import ledger
from ..services.plans import running_plan_progress
from ..services.terminations import OPEN_STATUSES

VIEW = "rent.view_ledger"


def _tenancy_rows(tenancies, rows_by_tenancy):
    """[(tenancy, rows, balance)] for the templates."""
    out = []
    for tenancy in tenancies:
        rows = rows_by_tenancy.get(tenancy.pk, [])
        out.append({"tenancy": tenancy, "rows": rows, "balance": rows[-1].balance if rows else 0})
    return out


@permission_required(VIEW, "referrals.view_client")
def client_ledger(request, pk):
    """The client's "Hyra" tab: the ledger of each of the client's tenancies."""
    client = fetch_visible(request, Client.objects.all(), perm=VIEW, pk=pk)
    tenancies = list(
        Tenancy.objects.visible_to(request.user).filter(client=client).select_related("apartment")
        .order_by("-start_date", "-id")
    )
    for tenancy in tenancies:
        tenancy.client = client  # known already; spares a query per tenancy
    rows = ledger.ledger_rows([tenancy.pk for tenancy in tenancies])
    return render(request, "rent/ledger/client_ledger.html", {
        "client": client,
        "ledgers": _tenancy_rows(tenancies, rows),
    })


def _tenancy_queryset():
    return Tenancy.objects.select_related("apartment", "client")


@permission_required(VIEW)
def tenancy_ledger(request, pk):
    """One tenancy's ledger with its running balance (a fixed number of queries
    whatever its length)."""
    tenancy = fetch_visible(request, _tenancy_queryset(), perm=VIEW, pk=pk)
    rows = ledger.ledger_rows([tenancy.pk])[tenancy.pk]
    # The running repayment plan with its progress, and an open termination
    # with its three weeks (one query each): the "shown on the tenancy".
    running_plan = running_plan_progress(tenancy.pk)
    termination = (ArrearsTermination.objects.filter(tenancy=tenancy, status__in=OPEN_STATUSES)
                   .order_by("-decided_on").first())
    today = timezone.localdate()
    return render(request, "rent/ledger/tenancy_ledger.html", {
        "plan": running_plan[0] if running_plan else None,
        "progress": running_plan[1] if running_plan else None,
        "termination": termination,
        "days_left": (termination.recover_by - today).days if termination and termination.recover_by else None,
        "tenancy": tenancy,
        "client": tenancy.client,
        "side": protection.tenancy_side(request.user, tenancy),
        "rows": rows,
        "balance": rows[-1].balance if rows else 0,
    })


def _correction(request, pk, *, perm, form_class, service, template, done):
    notice = get_object_or_404(RentNotice.objects.with_settled(), pk=pk)
    # The tenancy's access rule decides; 404 for a notice of another unit.
    tenancy = fetch_visible(request, _tenancy_queryset(), perm=perm, log=request.method == "GET", pk=notice.tenancy_id)
    notice.tenancy = tenancy
    form = form_class(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                service(AuditContext.from_request(request), notice, form.amount_in_ore(),
                        form.cleaned_data["on"], form.cleaned_data["reason"])
            except ledger.LedgerError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, done)
                return redirect("rent:tenancy_ledger", pk=tenancy.pk)
        # The form again, with the tenancy: a view.
        log_access(AuditContext.from_request(request), AccessAction.VIEW, tenancy)
    return render(request, template, {
        "notice": notice,
        "tenancy": tenancy,
        "client": tenancy.client,
        "side": protection.tenancy_side(request.user, tenancy),
        "form": form,
    })


@permission_required("rent.manage_rent")
def credit_note(request, pk):
    return _correction(
        request, pk, perm="rent.manage_rent", form_class=CreditNoteForm, service=ledger.credit_notice,
        template="rent/ledger/credit_note.html", done=_("The credit note was saved."),
    )


@permission_required("rent.write_off")
def write_off(request, pk):
    return _correction(
        request, pk, perm="rent.write_off", form_class=WriteOffForm, service=ledger.write_off,
        template="rent/ledger/write_off.html", done=_("The write-off was saved and logged."),
    )
