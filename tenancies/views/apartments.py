"""The apartment register: lists, the apartment page with its timeline,
register and edit, keys, complaints and damage."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q, Value
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import fetch_visible, permission_required, require_perm
from audit.conflicts import save_edit
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import history_of, log_access
from core.forms import add_rule_error
from referrals import protection

from ..forms.apartments import ApartmentFilterForm, ApartmentForm, ComplaintActionForm, ComplaintForm, KeySetForm
from ..models import Apartment, ApartmentStatus, Area, Complaint, KeySet, Landlord, Tenancy
from ..services import apartments as services
from ..services import complaints, keys, vacancy

PER_PAGE = 25
CONFLICT_MESSAGE = gettext_lazy(
    "Someone else saved this apartment while you were editing (or a move-in or move-out changed its "
    "status). Your changes are not saved yet: they are still in the form below. Compare with the saved "
    "values and save again."
)


# --- Lists -------------------------------------------------------------------------


def _filtered(request, apartments, *, with_status):
    """Apply the GET filters (kind, status, area); returns the queryset,
    the form and the query string that keeps the filters across pages."""
    # Every entry of the user's unit's lists, deactivated ones too: their
    # apartments are still in the register.
    # Both lists in one query (a UNION), to keep the page within its budget.
    entries = (
        Area.objects.visible_to(request.user).annotate(list=Value("area")).order_by().values_list("list", "pk", "name")
        .union(Landlord.objects.visible_to(request.user).annotate(list=Value("landlord"))
               .order_by().values_list("list", "pk", "name"), all=True)
        .order_by("name", "pk")
    )
    areas, landlords = [], []
    for which, pk, name in entries:
        (areas if which == "area" else landlords).append((pk, name))
    form = ApartmentFilterForm(request.GET or None, areas=areas, landlords=landlords, with_status=with_status)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {name: value for name, value in form.cleaned_data.items() if value}
    if "typ" in filters:
        apartments = apartments.filter(kind=filters["typ"])
    if "status" in filters:
        apartments = apartments.filter(status=filters["status"])
    if "omrade" in filters:
        apartments = apartments.filter(area_id=filters["omrade"])
    if "hyresvard" in filters:
        apartments = apartments.filter(landlord_id=filters["hyresvard"])
    return apartments, form, ("&" + urlencode(filters)) if filters else ""


def _render_list(request, apartments, *, vacant_only):
    apartments, form, page_query = _filtered(request, apartments, with_status=not vacant_only)
    page = Paginator(apartments, PER_PAGE).get_page(request.GET.get("page"))
    services.note_list_tenants(page)
    today = timezone.localdate()
    for apartment in page.object_list:
        apartment.vacancy = vacancy.vacancy_cost(
            apartment.monthly_cost, vacancy.since_from_days(apartment.days_vacant, today), today
        )
    # The total over every vacant apartment the filter matches, not just
    # this page: one query of two columns.
    vacancy_total = vacancy.total_of(
        apartments.filter(status=ApartmentStatus.VACANT).values_list("monthly_cost", "days_vacant").order_by(), today
    )
    return render(
        request,
        "tenancies/apartments/apartment_list.html",
        {
            "page_obj": page,
            "filter_form": form,
            "page_query": page_query,
            "vacant_only": vacant_only,
            "show_tenant": request.user.has_perm("tenancies.view_tenancy"),
            "hide_protected_tenants": not protection.sees_every_tenant(request.user),
            "can_add": request.user.has_perm("tenancies.add_apartment"),
            "vacancy_total": vacancy_total,
            "today": today,
        },
    )


@permission_required("tenancies.view_apartment")
def apartment_list(request):
    today = timezone.localdate()
    apartments = services.with_list_facts(
        Apartment.objects.visible_to(request.user).select_related("area"), request.user, today
    )
    return _render_list(request, apartments.order_by("street_address", "object_number", "pk"), vacant_only=False)


@permission_required("tenancies.view_apartment")
def apartment_vacant_list(request):
    """Vacant apartments, the longest vacant first."""
    today = timezone.localdate()
    apartments = services.with_list_facts(
        Apartment.objects.visible_to(request.user).select_related("area").filter(status=ApartmentStatus.VACANT),
        request.user, today,
    )
    return _render_list(
        request, apartments.order_by(F("days_vacant").desc(nulls_last=True), "street_address", "pk"), vacant_only=True
    )


# --- The apartment page ------------------------------------------------------------------


def _timeline_tenancies(apartment, user):
    """All tenancies of the apartment in one query, each marked whether the
    user may see who the tenant was. Only the tenant's name and protection
    level are read: never the address."""
    tenancies = Tenancy.objects.filter(apartment=apartment).select_related("client").only(
        "apartment_id", "start_date", "end_date", "end_reason", "end_note", "is_internal_move",
        "client__first_name", "client__last_name", "client__protection_level",
    )
    if user.has_perm("tenancies.view_tenancy"):
        named = Exists(Tenancy.objects.visible_to(user).filter(pk=OuterRef("pk")))
    else:
        named = Value(False)
    return list(tenancies.annotate(named=named).order_by("start_date"))


def _complaints(apartment, user, tenancies):
    """The apartment's complaints, each with `linked`: its tenancy from the
    timeline's (no further query). The description and action of one made
    during a tenancy the user may not see (a bolots reading an earlier
    tenant's) are withheld."""
    visible_tenancy = Exists(Tenancy.objects.visible_to(user).filter(pk=OuterRef("tenancy_id")))
    complaints = list(
        apartment.complaints.select_related("registered_by").annotate(
            details_visible=ExpressionWrapper(Q(tenancy__isnull=True) | Q(visible_tenancy), output_field=BooleanField())
        )
    )
    by_id = {tenancy.pk: tenancy for tenancy in tenancies}
    for complaint in complaints:
        complaint.linked = by_id.get(complaint.tenancy_id)
    return complaints


@permission_required("tenancies.view_apartment")
def apartment_detail(request, pk):
    user = request.user
    apartments = Apartment.objects.select_related("area", "landlord")
    if user.has_perm("tenancies.view_keyset"):
        apartments = apartments.annotate(key_sets=keys.keys_as_json())
    apartment = fetch_visible(request, apartments, perm="tenancies.view_apartment", pk=pk)
    today = timezone.localdate()
    tenancies = _timeline_tenancies(apartment, user)
    periods = services.build_timeline(apartment, tenancies, today)
    # A protected tenant's dates would connect the apartment with the
    # client's own tab (which shows them): blanked, with the vacancy edges
    # next to them and the day totals (referrals.protection). Oldest first.
    dates_masked = protection.mask_timeline(user, periods)
    current = services.current_tenancy(tenancies, today)
    return render(
        request,
        "tenancies/apartments/apartment_detail.html",
        {
            "apartment": apartment,
            "periods": list(reversed(periods)),
            "totals": services.timeline_totals(periods),
            "dates_masked": dates_masked,
            "current": current,
            "show_tenant": user.has_perm("tenancies.view_tenancy"),
            "complaints": _complaints(apartment, user, tenancies) if user.has_perm("tenancies.view_complaint") else None,
            "keys": keys.key_sets_of(apartment) if user.has_perm("tenancies.view_keyset") else None,
            "can_edit": user.has_perm("tenancies.change_apartment"),
            "can_add_keys": user.has_perm("tenancies.add_keyset"),
            "can_change_keys": user.has_perm("tenancies.change_keyset"),
            "can_delete_keys": user.has_perm("tenancies.delete_keyset"),
            "can_add_complaint": user.has_perm("tenancies.add_complaint"),
            "can_change_complaint": user.has_perm("tenancies.change_complaint"),
            "can_move_in": user.has_perm("tenancies.add_tenancy") and apartment.status == ApartmentStatus.VACANT,
            "vacancy": _current_vacancy(apartment, periods, today),
            "today": today,
        },
    )


def _current_vacancy(apartment, periods, today):
    """The running vacancy's days and cost (services.vacancy), from the
    timeline's last period. Left out when the timeline blanked its start
    (it follows a protected tenant's move-out: the days would date it)."""
    if apartment.status != ApartmentStatus.VACANT or not periods:
        return None
    last = periods[-1]
    if not last.is_vacancy or last.end != today:
        return None
    if last.start_hidden:
        return "hidden"
    return vacancy.vacancy_cost(apartment.monthly_cost, last.start, today)


@permission_required("tenancies.view_apartment")
def apartment_history(request, pk):
    apartment = fetch_visible(request, Apartment.objects.all(), perm="tenancies.view_apartment", pk=pk)
    history = history_of(apartment)
    if not request.user.has_perm("tenancies.view_keyset"):
        history = history.exclude(field="keys")
    page = Paginator(history, 50).get_page(request.GET.get("page"))
    return render(request, "tenancies/apartments/apartment_history.html", {"apartment": apartment, "page_obj": page})


# --- Register and edit -------------------------------------------------------------------


@permission_required("tenancies.add_apartment")
def apartment_create(request):
    form = ApartmentForm(request.POST or None, unit_id=request.user.unit_id)
    if request.method == "POST" and form.is_valid():
        try:
            apartment = services.create_apartment(AuditContext.from_request(request), form.save(commit=False))
        except services.ApartmentError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The apartment was registered."))
            return redirect("tenancies:apartment_detail", pk=apartment.pk)
    return render(request, "tenancies/apartments/apartment_form.html", {"form": form, "creating": True})


@permission_required("tenancies.change_apartment")
def apartment_edit(request, pk):
    # Opening the form shows the apartment (a view); saving is logged by the
    # service as an update.
    apartment = fetch_visible(
        request, Apartment.objects.all(), perm="tenancies.change_apartment", log=request.method == "GET", pk=pk
    )
    edit = save_edit(
        request, ApartmentForm(request.POST or None, instance=apartment, unit_id=apartment.unit_id),
        lambda form: services.update_apartment(AuditContext.from_request(request), form.save(commit=False),
                                               expected_version=form.expected_version()),
        reread=lambda: Apartment.objects.get(pk=pk),
        fields=services.TRACKED_FIELDS, display=services.display_snapshot, message=CONFLICT_MESSAGE,
        unit_id=apartment.unit_id,
    )
    if edit.saved:
        messages.success(request, _("The changes were saved."))
        return redirect("tenancies:apartment_detail", pk=pk)
    return render(
        request,
        "tenancies/apartments/apartment_form.html",
        {"form": edit.form, "apartment": apartment, "creating": False, "conflict_values": edit.conflict_values},
    )


# --- Keys ------------------------------------------------------------------------------------


def _fetch_part(request, model, pk, *, perm, log, related=()):
    """A key set or complaint of an apartment the user may see: 403 without
    `perm`, 404 outside the user's apartments, an access-log row when `log`."""
    require_perm(request.user, perm)
    visible = Apartment.objects.visible_to(request.user)
    obj = model.objects.select_related("apartment", *related).filter(apartment__in=visible, pk=pk).first()
    if obj is None:
        raise Http404
    if log:
        log_access(AuditContext.from_request(request), AccessAction.VIEW, obj)
    return obj


@permission_required("tenancies.add_keyset")
def keys_create(request, pk):
    apartment = fetch_visible(
        request, Apartment.objects.all(), perm="tenancies.add_keyset", log=request.method == "GET", pk=pk
    )
    form = KeySetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        keys.add_keys(AuditContext.from_request(request), apartment, form.save(commit=False))
        messages.success(request, _("The keys were added."))
        return redirect("tenancies:apartment_detail", pk=apartment.pk)
    return render(request, "tenancies/apartments/keys_form.html", {"form": form, "apartment": apartment, "creating": True})


@permission_required("tenancies.change_keyset")
def keys_edit(request, pk):
    keyset = _fetch_part(request, KeySet, pk, perm="tenancies.change_keyset", log=request.method == "GET")
    form = KeySetForm(request.POST or None, instance=keyset)
    if request.method == "POST" and form.is_valid():
        keys.update_keys(AuditContext.from_request(request), form.save(commit=False))
        messages.success(request, _("The keys were saved."))
        return redirect("tenancies:apartment_detail", pk=keyset.apartment_id)
    return render(
        request, "tenancies/apartments/keys_form.html",
        {"form": form, "apartment": keyset.apartment, "keyset": keyset, "creating": False},
    )


@permission_required("tenancies.delete_keyset")
def keys_delete(request, pk):
    keyset = _fetch_part(request, KeySet, pk, perm="tenancies.delete_keyset", log=request.method == "GET")
    if request.method == "POST":
        apartment_pk = keyset.apartment_id
        keys.remove_keys(AuditContext.from_request(request), keyset)
        messages.success(request, _("The keys were removed."))
        return redirect("tenancies:apartment_detail", pk=apartment_pk)
    return render(request, "tenancies/apartments/keys_delete.html", {"keyset": keyset, "apartment": keyset.apartment})


# --- Complaints and damage ---------------------------------------------------------------------


@permission_required("tenancies.add_complaint")
def complaint_create(request, pk):
    apartment = fetch_visible(
        request, Apartment.objects.all(), perm="tenancies.add_complaint", log=request.method == "GET", pk=pk
    )
    form = ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        complaint = form.save(commit=False)
        complaint.apartment = apartment
        try:
            complaints.add_complaint(AuditContext.from_request(request), complaint)
        except services.ApartmentError as error:
            add_rule_error(form, error)
        else:
            if complaint.tenancy_id:
                messages.success(request, _("The complaint was registered and linked to the tenancy of that date."))
            else:
                messages.success(request, _("The complaint was registered. The apartment was not let on that date."))
            return redirect("tenancies:apartment_detail", pk=apartment.pk)
    return render(request, "tenancies/apartments/complaint_form.html", {"form": form, "apartment": apartment})


@permission_required("tenancies.change_complaint")
def complaint_action(request, pk):
    complaint = _fetch_part(request, Complaint, pk, perm="tenancies.change_complaint",
                            log=request.method == "GET", related=("tenancy__client",))
    edit = save_edit(
        request, ComplaintActionForm(request.POST or None, instance=complaint),
        lambda form: complaints.update_complaint_action(
            AuditContext.from_request(request), complaint, form.cleaned_data["action_taken"],
            expected_version=form.expected_version(),
        ),
        reread=lambda: Complaint.objects.get(pk=complaint.pk),
        fields=["action_taken"],
        message=_(
            "Someone else changed the action taken while you were editing. Your text is not saved yet: "
            "it is still in the form below. Compare with the saved text and save again."
        ),
    )
    if edit.saved:
        messages.success(request, _("The action taken was saved."))
        return redirect("tenancies:apartment_detail", pk=complaint.apartment_id)
    # One field: the page shows the saved text itself rather than a list of values.
    saved_action = edit.conflict_values[0][1] if edit.conflict_values else None
    return render(
        request, "tenancies/apartments/complaint_action.html",
        {"form": edit.form, "complaint": complaint, "apartment": complaint.apartment, "saved_action": saved_action},
    )
