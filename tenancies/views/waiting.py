"""Pages of the waiting list (docs/housing-chain.md, "The waiting list"):
the list of the unit's waiting apartment decisions, the housing needs of
one decision and its priority with the history.

Case officers edit; managers read (their roles hold only the view
permissions). Decisions are fetched through accounts.access.fetch_visible
(Decision.objects.visible_to: the unit's clients; an outsider gets 404);
the list loads its clients through Client.objects.visible_to, so the read
recorder (audit.reads) logs every client shown. No page shows an address:
a protected client is named, as on the decision lists, with the badge.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Window
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import fetch_visible, permission_required
from accounts.submissions import single_submission
from audit.conflicts import save_edit
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from audit.versioning import ConcurrentEditError
from core.forms import add_rule_error
from referrals.models import Client, Decision, DecisionKind

from ..forms.waiting import NeedsForm, PriorityForm, WaitingFilterForm
from ..models import HousingNeeds
from ..services import waiting as services

WAITING_PER_PAGE = 25

NEEDS_CONFLICT_MESSAGE = gettext_lazy(
    "Someone else changed the housing needs while you were working on them. Nothing was saved: your input is "
    "still in the form. Check the needs as they are now and save again."
)
PRIORITY_CONFLICT_MESSAGE = gettext_lazy(
    "Someone else set a priority while you were working. Nothing was saved: read the priority now in force "
    "below and save again if yours should still replace it."
)


@permission_required("tenancies.view_housingneeds")
def waiting_list(request):
    today = timezone.localdate()
    form = WaitingFilterForm(request.GET or None)
    decisions = services.waiting_decisions(request.user.unit_id, today, **form.values()).filter(
        client__in=Client.objects.visible_to(request.user)
    )
    page = _counted_page(decisions, request.GET.get("page"))
    chosen = {name: value for name in ("typ", "ivo", "ordning") if (value := request.GET.get(name))}
    return render(
        request,
        "tenancies/waiting/waiting_list.html",
        {
            "filter_form": form,
            "page_obj": page,
            "rows": services.rows(page.object_list, today),
            "page_query": f"&{urlencode(chosen)}" if chosen else "",
            "today": today,
            "soon_days": services.IVO_SOON_DAYS,
            "can_edit": request.user.has_perm("tenancies.change_housingneeds"),
            "can_prioritise": request.user.has_perm("tenancies.add_waitingpriority"),
        },
    )


def _counted_page(queryset, number):
    """The page `number` of `queryset`, counted in the page's own query (a
    window count over the whole list): one query instead of Paginator's
    count and slice. A number beyond the end gives the last page, as
    Paginator.get_page does (one more query, only then)."""
    try:
        number = min(max(int(number), 1), 1_000_000)
    except (TypeError, ValueError):
        number = 1
    counted = queryset.annotate(listed=Window(Count("pk")))

    def rows_of(n):
        return list(counted[(n - 1) * WAITING_PER_PAGE:n * WAITING_PER_PAGE])

    rows = rows_of(number)
    if not rows and number > 1:
        first = rows_of(1)
        last = max(1, -(-first[0].listed // WAITING_PER_PAGE)) if first else 1
        number, rows = last, (first if last == 1 else rows_of(last))
    paginator = Paginator(queryset, WAITING_PER_PAGE)
    paginator.__dict__["count"] = rows[0].listed if rows else 0  # Paginator.count is a cached_property
    page = paginator.page(number)
    page.object_list = rows
    return page


def _decision(request, pk, *, perm):
    """The waiting list's decision `pk`: a granted apartment decision of a
    client the user may see (404 otherwise; 403 without `perm`). Logged as
    a view on a GET; a POST's write is logged by the service."""
    decision = fetch_visible(
        request,
        Decision.objects.granted().filter(kind__in=DecisionKind.apartment_kinds())
        .select_related("client", "housing_needs"),
        perm=perm, log=request.method == "GET", pk=pk,
    )
    return decision


# `?fran=beslut`: the page was opened from the decision page's housing panel
# (tenancies.decision_panel); saving or cancelling goes back there instead of
# to the list. A fixed value, never a URL, so it cannot send anyone elsewhere.
FROM_DECISION = "beslut"


def _back_url(request, decision) -> str:
    """Where saving or cancelling leads: the decision page when the page was
    opened from it, else the waiting list."""
    if request.GET.get("fran") == FROM_DECISION:
        return reverse("referrals:decision_detail", args=[decision.pk])
    return reverse("tenancies:waiting_list")


def _write_perm(request, perm):
    if request.method == "POST" and not request.user.has_perm(perm):
        raise PermissionDenied


@permission_required("tenancies.view_housingneeds")
def waiting_needs(request, pk):
    _write_perm(request, "tenancies.change_housingneeds")
    decision = _decision(request, pk, perm="tenancies.view_housingneeds")
    needs = services.needs_of(decision) or HousingNeeds(decision=decision)
    can_edit = request.user.has_perm("tenancies.change_housingneeds") and services.is_waiting(decision)
    if request.method == "POST" and not services.is_waiting(decision):
        raise Http404
    areas = services.area_choices(decision.client.unit_id, needs)
    ctx = AuditContext.from_request(request)

    def reread():
        return services.needs_of(Decision.objects.get(pk=decision.pk)) or HousingNeeds(decision=decision)

    edit = save_edit(
        request,
        NeedsForm(request.POST or None, instance=needs, areas=areas),
        lambda form: services.set_needs(ctx, decision, form.cleaned_data, form.expected_version()),
        reread=reread, fields=services.NEEDS_FIELDS, message=NEEDS_CONFLICT_MESSAGE, areas=areas,
    )
    if edit.saved:
        messages.success(request, _("The housing needs were saved."))
        return redirect(_back_url(request, decision))
    if request.method == "POST":
        log_access(ctx, AccessAction.VIEW, decision)
    return render(
        request,
        "tenancies/waiting/needs.html",
        {
            "decision": decision, "client": decision.client, "needs": needs if needs.pk else None,
            "chosen_areas": [area for area in areas if area.chosen],
            "form": edit.form if can_edit else None, "conflict_values": edit.conflict_values,
            "is_waiting": services.is_waiting(decision), "back_url": _back_url(request, decision),
        },
    )


@permission_required("tenancies.view_waitingpriority")
@single_submission
def waiting_priority(request, pk):
    _write_perm(request, "tenancies.add_waitingpriority")
    decision = _decision(request, pk, perm="tenancies.view_waitingpriority")
    if request.method == "POST" and not services.is_waiting(decision):
        raise Http404
    history = list(services.priorities_of(decision))
    can_edit = request.user.has_perm("tenancies.add_waitingpriority") and services.is_waiting(decision)
    current = history[0] if history else None
    form = PriorityForm(request.POST or None, initial={"seen": current.pk if current else 0})
    if request.method == "POST":
        ctx = AuditContext.from_request(request)
        if form.is_valid():
            try:
                services.set_priority(ctx, decision, form.cleaned_data["level"], form.cleaned_data["reason"],
                                      seen=form.seen_priority())
            except ConcurrentEditError:
                data = request.POST.copy()
                data["seen"] = str(current.pk if current else 0)
                form = PriorityForm(data)
                form.is_valid()
                form.add_error(None, PRIORITY_CONFLICT_MESSAGE)
            except services.WaitingError as error:
                add_rule_error(form, error)
            else:
                messages.success(request, _("The priority was saved."))
                return redirect(_back_url(request, decision))
        log_access(ctx, AccessAction.VIEW, decision)
    return render(
        request,
        "tenancies/waiting/priority.html",
        {
            "decision": decision, "client": decision.client, "history": history, "current": current,
            "form": form if can_edit else None, "is_waiting": services.is_waiting(decision),
            "back_url": _back_url(request, decision),
        },
    )
