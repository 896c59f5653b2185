"""The rent area's start page: where each part of the ledger is."""

from django.shortcuts import render

from accounts.access import permission_required


@permission_required("rent.view_ledger")
def overview(request):
    return render(request, "rent/overview.html", {})
