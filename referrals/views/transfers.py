"""Transfer requests: filed from the client registration form when the
number is held by a unit the user cannot see; decided by the holding
unit's managers. See referrals.services.transfers."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import permission_required
from audit.context import AuditContext
from audit.services import log_list_access

from ..forms.clients import PersonalNumberField
from ..services import transfers as services


class TransferRequestForm(forms.Form):
    personal_number = PersonalNumberField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Why should the person be a client of your unit?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy("No personal details beyond what the managers need."),
    )


class DecisionForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


@require_POST
@permission_required("referrals.add_client")
def transfer_request_create(request):
    form = TransferRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "referrals/transfers/request_form.html", {"form": form}, status=200)
    services.request_transfer(
        AuditContext.from_request(request), form.cleaned_data["personal_number"], form.cleaned_data["reason"]
    )
    # The same answer whether or not a request was filed: no oracle here either.
    messages.success(request, _("Your request was sent. A manager decides, and you will be notified."))
    return redirect("referrals:client_list")


@permission_required("referrals.decide_transferrequest")
def transfer_requests(request):
    pending = list(services.pending_for(request.user))
    # The page shows whose file is asked for: a read of those clients.
    log_list_access(AuditContext.from_request(request), pending, object_type="referrals.transferrequest")
    return render(request, "referrals/transfers/list.html", {"requests": pending, "form": DecisionForm()})


@require_POST
@permission_required("referrals.decide_transferrequest")
def transfer_request_decide(request, pk):
    transfer = get_object_or_404(services.pending_for(request.user), pk=pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    accept = request.POST.get("decision") == "accept"
    services.decide_transfer(AuditContext.from_request(request), transfer, accept=accept, note=note)
    messages.success(request, _("The request was accepted.") if accept else _("The request was declined."))
    return redirect("referrals:transfer_requests")
