"""The client's housing search tab ("Bostadssökande"): the search record,
the housing-queue registrations and the applications, with the forms of the
bolotsar who check it every month.

The client is fetched through accounts.access.fetch_visible (the access rule
of ClientQuerySet.visible_to and the access log): a bolots reaches the
clients of the orders assigned to them, a case officer the unit's clients.
Registrations and applications are looked up among the fetched client's own,
so an id of another client's row gives 404. Writes go through
bolots.services.search, which logs them and keeps the field history.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import fetch_visible, permission_required
from audit.conflicts import save_edit
from audit.context import AuditContext
from audit.models import AccessAction, FieldChange
from audit.services import log_access
from core.calendar import add_months
from core.forms import add_rule_error
from referrals.models import Client

from ..forms.search import ApplicationForm, CheckForm, ProfileForm, QueueRegistrationForm
from ..models import HousingApplication
from ..services import search as services

APPLICATIONS_PER_PAGE = 25
HISTORY_PER_PAGE = 50
VIEW_PERM = "bolots.view_housingsearchprofile"
# Changing the search record (notes, nationwide, the monthly check) creates
# it on the first save; bolotsar hold both add and change.
CHANGE_PERM = "bolots.change_housingsearchprofile"
PAGE_TEMPLATE = "bolots/search/housing_search.html"
FORM_TEMPLATE = "bolots/search/search_form.html"


class CountedPaginator(Paginator):
    """A paginator told the number of rows, counted in the client's own
    query, so that the tab stays within the page budget of 12 queries."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self):
        return self.known_count


def _clients():
    count = (
        HousingApplication.objects.filter(client=OuterRef("pk"))
        .order_by()
        .values("client")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Client.objects.select_related("housing_search").annotate(
        application_count=Coalesce(Subquery(count), 0)
    )


def _fetch_client(request, client_id, perm, *, log):
    return fetch_visible(request, _clients(), perm=perm, log=log, pk=client_id)


def _render_page(request, client, *, bound=None, status=200):
    """The tab. `bound` holds a refused form by name (queue, application, check)."""
    user = request.user
    today = timezone.localdate()
    profile = services.profile_of(client)
    forms = {}
    if user.has_perm(CHANGE_PERM):
        forms["check"] = CheckForm(prefix="check", initial={"checked_on": today})
    if user.has_perm("bolots.add_queueregistration"):
        forms["queue"] = QueueRegistrationForm(prefix="queue")
    if user.has_perm("bolots.add_housingapplication"):
        forms["application"] = ApplicationForm(prefix="application", initial={"applied_on": today})
    forms.update({name: form for name, form in (bound or {}).items() if name in forms})
    registrations = client.queue_registrations.order_by("ended_on", "-registered_since", "-id")
    applications = CountedPaginator(
        client.housing_applications.all(), APPLICATIONS_PER_PAGE, count=client.application_count
    ).get_page(request.GET.get("page"))
    return render(
        request,
        PAGE_TEMPLATE,
        {
            "client": client,
            "profile": profile,
            "registrations": registrations,
            "page_obj": applications,
            "forms": forms,
            "today": today,
            # The bolots checks the search every month.
            "check_overdue": profile.checked_on is None or profile.checked_on < add_months(today, -1),
            "can_edit_profile": user.has_perm(CHANGE_PERM),
            "can_change_queue": user.has_perm("bolots.change_queueregistration"),
            "can_change_application": user.has_perm("bolots.change_housingapplication"),
        },
        status=status,
    )


def _show_again(request, client, **bound):
    """A refused write: the tab again with the user's input; it is a view."""
    log_access(AuditContext.from_request(request), AccessAction.VIEW, client)
    return _render_page(request, client, bound=bound)


@permission_required(VIEW_PERM, "referrals.view_client")
def housing_search(request, client_id):
    client = _fetch_client(request, client_id, VIEW_PERM, log=True)
    return _render_page(request, client)


@permission_required(VIEW_PERM, "referrals.view_client")
def housing_search_history(request, client_id):
    """Who changed what in the housing search (its own page: the tab stays
    within the query budget)."""
    client = _fetch_client(request, client_id, VIEW_PERM, log=True)
    history = (
        FieldChange.objects.filter(client_id=client.pk, object_type__in=services.HISTORY_TYPES)
        .select_related("user")
        .order_by("-at", "-id")
    )
    page = Paginator(history, HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "bolots/search/history.html", {"client": client, "page_obj": page})


@permission_required(CHANGE_PERM, "referrals.view_client")
@require_POST
def housing_search_check(request, client_id):
    client = _fetch_client(request, client_id, CHANGE_PERM, log=False)
    form = CheckForm(request.POST, prefix="check")
    if form.is_valid():
        services.record_check(AuditContext.from_request(request), client, form.cleaned_data["checked_on"])
        messages.success(request, _("The monthly check of the housing search was registered."))
        return redirect("bolots:housing_search", client_id=client.pk)
    return _show_again(request, client, check=form)


CONFLICT_MESSAGE = gettext_lazy(
    "Someone else saved this while you were editing. Your changes are not saved yet: they are "
    "still in the form below. Compare with the saved values and save again."
)


def _render_form(request, client, form, *, heading, conflict_values=None):
    return render(
        request,
        FORM_TEMPLATE,
        {"client": client, "form": form, "heading": heading, "conflict_values": conflict_values},
    )


@permission_required(CHANGE_PERM, "referrals.view_client")
def housing_search_edit(request, client_id):
    # Opening the form shows the data (a view); saving is logged by the service.
    client = _fetch_client(request, client_id, CHANGE_PERM, log=request.method == "GET")
    profile = services.profile_of(client)
    heading = _("Change the housing search")
    if request.method != "POST":
        form = ProfileForm(instance=profile)
        return _render_form(request, client, form, heading=heading)
    edit = save_edit(
        request, ProfileForm(request.POST, instance=profile),
        lambda form: services.save_profile(
            AuditContext.from_request(request), client,
            nationwide=form.cleaned_data["nationwide"], notes=form.cleaned_data["notes"],
            expected_version=form.expected_version(),
        ),
        reread=lambda: services.profile_of(Client.objects.select_related("housing_search").get(pk=client.pk)),
        fields=services.PROFILE_FIELDS, message=CONFLICT_MESSAGE, only_form_fields=False,
    )
    if edit.saved:
        messages.success(request, _("The changes were saved."))
        return redirect("bolots:housing_search", client_id=client.pk)
    log_access(AuditContext.from_request(request), AccessAction.VIEW, client)
    return _render_form(request, client, edit.form, heading=heading, conflict_values=edit.conflict_values)


@permission_required("bolots.add_queueregistration", "referrals.view_client")
@require_POST
def queue_add(request, client_id):
    client = _fetch_client(request, client_id, "bolots.add_queueregistration", log=False)
    form = QueueRegistrationForm(request.POST, prefix="queue")
    if form.is_valid():
        try:
            services.add_registration(AuditContext.from_request(request), client, form.save(commit=False))
        except services.SearchError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The queue registration was added."))
            return redirect("bolots:housing_search", client_id=client.pk)
    return _show_again(request, client, queue=form)


@permission_required("bolots.add_housingapplication", "referrals.view_client")
@require_POST
def application_add(request, client_id):
    client = _fetch_client(request, client_id, "bolots.add_housingapplication", log=False)
    form = ApplicationForm(request.POST, prefix="application")
    if form.is_valid():
        services.add_application(AuditContext.from_request(request), client, form.save(commit=False))
        messages.success(request, _("The application was added."))
        return redirect("bolots:housing_search", client_id=client.pk)
    return _show_again(request, client, application=form)


def _edit_row(request, client_id, pk, *, perm, related, form_class, fields, save, heading):
    """Edit one registration or application of the client: the form with the
    loaded version, the save through the service, a conflict
    shown with the saved values."""
    client = _fetch_client(request, client_id, perm, log=request.method == "GET")
    row = get_object_or_404(getattr(client, related).all(), pk=pk)
    row.client = client
    if request.method != "POST":
        form = form_class(instance=row)
        return _render_form(request, client, form, heading=heading)
    def reread():
        current = get_object_or_404(getattr(client, related).all(), pk=pk)
        current.client = client
        return current

    edit = save_edit(
        request, form_class(request.POST, instance=row),
        lambda form: save(AuditContext.from_request(request), form.save(commit=False),
                          expected_version=form.expected_version()),
        reread=reread, fields=fields, message=CONFLICT_MESSAGE, only_form_fields=False,
    )
    if edit.saved:
        messages.success(request, _("The changes were saved."))
        return redirect("bolots:housing_search", client_id=client.pk)
    log_access(AuditContext.from_request(request), AccessAction.VIEW, client)
    return _render_form(request, client, edit.form, heading=heading, conflict_values=edit.conflict_values)


@permission_required("bolots.change_queueregistration", "referrals.view_client")
def queue_edit(request, client_id, pk):
    return _edit_row(
        request, client_id, pk,
        perm="bolots.change_queueregistration", related="queue_registrations",
        form_class=QueueRegistrationForm, fields=services.QUEUE_FIELDS,
        save=services.update_registration, heading=_("Change the queue registration"),
    )


@permission_required("bolots.change_housingapplication", "referrals.view_client")
def application_edit(request, client_id, pk):
    return _edit_row(
        request, client_id, pk,
        perm="bolots.change_housingapplication", related="housing_applications",
        form_class=ApplicationForm, fields=services.APPLICATION_FIELDS,
        save=services.update_application, heading=_("Change the application"),
    )
