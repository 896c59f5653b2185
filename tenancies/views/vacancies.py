"""Vacancies (docs/housing-chain.md, "Vacancies"): the list of the unit's
empty apartments with days empty, the ready-from date and a planned
move-in, and the housing administrator's ready-from page.

No client is named here. Two dates could still connect a protected client
with an apartment (referrals.protection): the first empty day follows the
previous tenant's move-out, and a planned move-in is the coming tenant's
move-in day. Both are left out for users without the permission when that
tenant has protected personal data, as on the apartment list."""

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import (
    Case,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Greatest
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import permission_required
from audit.conflicts import save_edit
from audit.context import AuditContext
from referrals import protection
from referrals.models import ProtectionLevel

from ..forms.vacancies import VacancyFilterForm, VacancyReadyForm
from ..models import Apartment, Area
from ..models.chain import ApartmentOffer, OfferState, Vacancy
from ..services import vacancies as services
from ..services.apartments import DaysSince

PER_PAGE = 25
CONFLICT_MESSAGE = gettext_lazy(
    "Someone else saved this vacancy while you were editing (or a move-in ended it). Your changes are "
    "not saved yet: they are still in the form below. Compare with the saved values and save again."
)


def visible_vacancies(user):
    """Vacancies of the apartments `user` may see (their unit's)."""
    return Vacancy.objects.filter(apartment__in=Apartment.objects.visible_to(user))


def with_list_facts(vacancies, user, today):
    """The list's columns in the page's one query: days empty, the planned
    move-in of an accepted offer, and whether either date must be hidden
    (the first empty day by services.vacancies.with_start_hidden, the rule
    the matching and offer pages share)."""
    accepted = ApartmentOffer.objects.filter(apartment=OuterRef("apartment_id"), state=OfferState.ACCEPTED)
    vacancies = vacancies.annotate(
        # Days empty up to and including today (0 for a vacancy still to come).
        days_empty=Greatest(DaysSince("vacant_from", today + timedelta(days=1)), Value(0)),
        planned_move_in=Subquery(accepted.order_by("-offered_on", "-pk").values("move_in_on")[:1],
                                 output_field=DateField()),
    )
    vacancies = services.with_start_hidden(vacancies, user)
    if protection.sees_every_tenant(user):
        return vacancies.annotate(move_in_hidden=Value(False))
    vacancies = vacancies.annotate(
        move_in_hidden=Exists(accepted.exclude(decision__client__protection_level=ProtectionLevel.NONE)),
    )
    # A hidden first day hides the days empty too (they count from it).
    return vacancies.annotate(days_empty=Case(
        When(start_hidden=True, then=Value(None)), default=F("days_empty"), output_field=IntegerField(),
    ))


def _filtered(request, vacancies):
    areas = list(Area.objects.visible_to(request.user).order_by("name", "pk").values_list("pk", "name"))
    form = VacancyFilterForm(request.GET or None, areas=areas)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {name: value for name, value in form.cleaned_data.items() if value}
    if "typ" in filters:
        vacancies = vacancies.filter(apartment__kind=filters["typ"])
    if "omrade" in filters:
        vacancies = vacancies.filter(apartment__area_id=filters["omrade"])
    return vacancies, form, ("&" + urlencode(filters)) if filters else ""


@permission_required("tenancies.view_vacancy")
def vacancy_list(request):
    """The unit's open vacancies, the longest empty first."""
    today = timezone.localdate()
    vacancies = with_list_facts(
        visible_vacancies(request.user).open().select_related("apartment", "apartment__area"), request.user, today
    )
    vacancies, form, page_query = _filtered(request, vacancies)
    vacancies = vacancies.order_by(F("days_empty").desc(nulls_last=True), "apartment__street_address", "pk")
    page = Paginator(vacancies, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "tenancies/vacancies/vacancy_list.html", {
        "page_obj": page, "filter_form": form, "page_query": page_query, "today": today,
        "can_change": request.user.has_perm("tenancies.change_vacancy"),
        # The case officer goes from a vacancy to its fitting candidates (views.offers).
        "can_offer": request.user.has_perm("tenancies.add_apartmentoffer"),
    })


@permission_required("tenancies.change_vacancy")
def vacancy_ready(request, pk):
    """The ready-from date and what remains, on an open vacancy."""
    today = timezone.localdate()
    vacancy = with_list_facts(
        visible_vacancies(request.user).open().select_related("apartment", "apartment__area"), request.user, today
    ).filter(pk=pk).first()
    if vacancy is None:
        raise Http404
    edit = save_edit(
        request, VacancyReadyForm(request.POST or None, instance=vacancy),
        lambda form: services.set_ready(AuditContext.from_request(request), form.save(commit=False),
                                        expected_version=form.expected_version()),
        reread=lambda: Vacancy.objects.get(pk=pk),
        fields=services.READY_FIELDS, message=CONFLICT_MESSAGE,
    )
    if edit.saved:
        messages.success(request, _("The ready-from date was saved."))
        return redirect("tenancies:vacancy_list")
    return render(request, "tenancies/vacancies/vacancy_ready.html", {
        "form": edit.form, "vacancy": vacancy, "apartment": vacancy.apartment,
        "conflict_values": edit.conflict_values,
    })
