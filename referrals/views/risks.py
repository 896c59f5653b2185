"""The client's risk information: "Uppdatera riskinformation" and its
history.

Reached from the order page and the visit form (`?next=` the page to go
back to: a path of this site, never personal data). The client is fetched
through accounts.access.fetch_visible: the permission decides the role
(403: managers and housing administrators), ClientQuerySet.visible_to the
person (404: other units, bolotsar not assigned to an accepted order for
the client). Saving goes through services.risks (save_tracked: history,
access log, optimistic lock) and audit.conflicts.save_edit.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import CharField, Count, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce
from django.shortcuts import redirect, render
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import fetch_visible, permission_required
from audit.conflicts import save_edit
from audit.context import AuditContext
from audit.models import FieldChange

from ..forms.risks import ClientRiskForm
from ..models import Client
from ..models.risks import RISK_FIELDS
from ..services import risks as services

HISTORY_PER_PAGE = 50

CONFLICT_MESSAGE = gettext_lazy(
    "Someone else saved this client's risk information (or the client) while you were editing. Your changes "
    "are not saved yet: they are still in the form below. Compare with the saved values and save again."
)


def _clients():
    return Client.objects.select_related("risk_changed_by")


def _risk_changes():
    return FieldChange.objects.filter(object_type=Client._meta.label_lower, field__in=RISK_FIELDS)


class CountedPaginator(Paginator):
    """Told its row count (counted in the client's own query), so that the
    history page stays within the budget of 12 queries."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self):
        return self.known_count


def _back(request, client):
    """Where to return: the page the user came from (a local path only),
    else the client's overview."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@permission_required(services.CHANGE_PERM)
def client_risk_edit(request, pk):
    # Opening the form shows the data (logged as a view); saving is logged
    # by the service as an update.
    client = fetch_visible(request, _clients(), perm=services.CHANGE_PERM, log=request.method == "GET", pk=pk)
    back = _back(request, client)
    edit = save_edit(
        request, ClientRiskForm(request.POST or None, instance=client),
        lambda form: services.update_risk(AuditContext.from_request(request), client, form.risk_values(),
                                          expected_version=form.expected_version()),
        reread=lambda: _clients().get(pk=pk), fields=RISK_FIELDS, message=CONFLICT_MESSAGE,
    )
    if edit.saved:
        messages.success(request, _("The risk information was updated."))
        return redirect(back or "referrals:client_risk_history", **({} if back else {"pk": pk}))
    return render(request, "referrals/risks/risk_form.html", {
        "client": client, "current": _clients().get(pk=pk) if edit.conflict_values else client,
        "form": edit.form, "conflict_values": edit.conflict_values, "back": back,
    })


@permission_required("referrals.view_client")
def client_risk_history(request, pk):
    """Who changed which risk, from what to what (the field history that
    services.risks writes through save_tracked)."""
    count = (
        _risk_changes().filter(object_id=Cast(OuterRef("pk"), output_field=CharField()))
        .order_by().values("object_type").annotate(n=Count("pk")).values("n")
    )
    client = fetch_visible(
        request, _clients().annotate(risk_change_count=Coalesce(Subquery(count), 0)),
        perm="referrals.view_client", pk=pk,
    )
    history = _risk_changes().filter(object_id=str(client.pk)).select_related("user").order_by("-at", "-id")
    page = CountedPaginator(history, HISTORY_PER_PAGE, count=client.risk_change_count).get_page(request.GET.get("page"))
    return render(request, "referrals/risks/history.html", {
        "client": client, "page_obj": page, "back": _back(request, client),
        "can_edit": request.user.has_perm(services.CHANGE_PERM),
    })
