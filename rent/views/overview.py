"""The rent area's start page: the unit's balance and where each part of the
ledger is. The links are a list of URL names with the permission each needs;
a name not (yet) in the URL configuration is skipped, so the page names the
pages that exist and no others (docs/rent.md)."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.access import permission_required

from ..services import ledger

# (URL name, label, permission), in the order the page lists them.
PAGES = [
    ("rent:runs", _("Monthly runs of rent notices"), "rent.manage_rent"),
    ("rent:bgmax_upload", _("Import a BgMax file"), "rent.manage_rent"),
    ("rent:bgmax_files", _("Imported BgMax files"), "rent.manage_rent"),
    ("rent:payment_queue", _("Payments to match by hand"), "rent.manage_rent"),
    ("rent:aging", _("Aging of debts"), "rent.view_ledger"),
    ("rent:behind", _("Tenants more than one month behind"), "rent.view_ledger"),
    ("rent:arrears_figures", _("Rent arrears"), "rent.view_ledger"),
    ("rent:termination_list", _("Terminations for arrears"), "rent.view_ledger"),
    ("rent:increase_create", _("Rent increase"), "rent.manage_rent"),
    ("rent:export_finance", _("Export to the finance system"), "rent.export_finance"),
    ("rent:settings", _("Rent settings"), "rent.manage_rent"),
    ("rent:opening_import", _("Import opening balances"), "rent.manage_rent"),
]

def pages_for(user) -> list[dict]:
    links = []
    for url_name, label, perm in PAGES:
        if not user.has_perm(perm):
            continue
        links.append({"url": reverse(url_name), "label": label})
    return links


@permission_required("rent.view_ledger")
def overview(request):
    today = timezone.localdate()
    # Totals of the unit, naming no one: not an access to a client's data.
    totals = ledger.unit_totals(request.user.unit_id, today) if request.user.unit_id else None
    return render(request, "rent/overview.html", {
        "today": today,
        "totals": totals,
        "pages": pages_for(request.user),
    })
