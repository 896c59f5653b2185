"""Granting the training-apartment package (case officers): both decisions
and optionally the bolots-support order in one form."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import fetch_visible, permission_required
from audit.context import AuditContext

from ..forms.packages import PackageForm
from ..models import Client
from ..services import decisions as decision_services
from ..services import orders as order_services
from ..services.packages import grant_package


@permission_required("referrals.add_decision")
def package_create(request, pk):
    # Opening the form shows the client (a view); saving is logged by the
    # services as creates.
    client = fetch_visible(
        request, Client.objects.all(), perm="referrals.add_decision", log=request.method == "GET", pk=pk
    )
    may_order = request.user.has_perm("referrals.add_order")
    form = PackageForm(request.POST or None, user=request.user, client=client)
    if not may_order:
        for name in ("send_order", *PackageForm.ORDER_FIELDS):
            del form.fields[name]
    if request.method == "POST" and form.is_valid():
        try:
            package = grant_package(
                AuditContext.from_request(request), client, form.terms(), form.order() if may_order else None
            )
        except (decision_services.DecisionError, order_services.InvalidTransition) as error:
            form.add_error(None, error)
        else:
            if package.order is not None:
                messages.success(request, _(
                    "The training apartment and bolots support were granted, and the order was sent to the bolots unit."
                ))
            else:
                messages.success(request, _("The training apartment and bolots support were granted."))
            return redirect("referrals:client_decisions", pk=client.pk)
    return render(
        request, "referrals/decisions/package_form.html", {"form": form, "client": client, "may_order": may_order}
    )
