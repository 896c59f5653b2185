"""The list of possible first-hand takeovers ("Möjliga övertaganden"):
tenants in a training apartment who have lived in the programme for three
years or more, with their housing search beside them.

It lives here, not in tenancies, because the housing search it shows is
kept by this app: the tenancies come from tenancies' own rule
(tenancies.services.tenancies.takeover_candidates and
TenancyQuerySet.visible_to), and the page adds the search records, which a
lower app may not name.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import permission_required
from core.calendar import full_years_between
from tenancies.models import Tenancy
from tenancies.services import tenancies as tenancy_services

from ..models import ApplicationResult, HousingApplication, QueueRegistration

CANDIDATES_PER_PAGE = 50


def _with_housing_search(tenancies: QuerySet) -> QuerySet:
    """Each tenant's housing search for the list's "Bostadssökande" column.

    Without a query per row: the search record is joined, the latest
    application annotated, and the queues the tenant is in now come in one
    more query for the page.
    """
    latest = HousingApplication.objects.filter(client=OuterRef("client_id")).order_by("-applied_on", "-id")
    return (
        tenancies.select_related("client__housing_search")
        .annotate(
            latest_application_on=Subquery(latest.values("applied_on")[:1]),
            latest_application_where=Subquery(latest.values("where")[:1]),
            latest_application_result=Subquery(latest.values("result")[:1]),
        )
        .prefetch_related(
            Prefetch(
                "client__queue_registrations",
                queryset=QueueRegistration.objects.filter(ended_on__isnull=True).order_by("registered_since", "id"),
                to_attr="current_queues",
            )
        )
    )


def _search_summary(tenancy: Tenancy) -> None:
    """The search record (or None) and the latest application's result as text."""
    try:
        tenancy.housing_search = tenancy.client.housing_search
    except ObjectDoesNotExist:
        tenancy.housing_search = None
    results = dict(ApplicationResult.choices)
    tenancy.latest_application_result_label = results.get(tenancy.latest_application_result, "")


@permission_required("tenancies.view_tenancy")
def takeover_candidates(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    candidates = tenancy_services.takeover_candidates(Tenancy.objects.visible_to(request.user), today).select_related(
        "apartment", "client"
    )
    page = Paginator(_with_housing_search(candidates), CANDIDATES_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for tenancy in page.object_list:
        tenancy.years_in_programme = full_years_between(tenancy.continuous_since, today)
        _search_summary(tenancy)
    return render(
        request,
        "bolots/takeovers/takeover_candidates.html",
        {"page_obj": page, "today": today, "years": tenancy_services.TAKEOVER_YEARS},
    )
