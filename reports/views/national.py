"""National statistics on a reference day (reports.kpis.national): the
figures of Boverket's housing-market survey and of the homelessness
mapping's situation 3, for the manager's unit, on any day up to today, and
the people behind each figure.

The figures page shows aggregates only (no access-log row). The drill-down
lists people: their names come through Client.objects.visible_to (others
are counted as not listed), a protected client's name is masked as on the
dashboard's drill-down (referrals.protection), no address is shown at all,
and the page is written to the access log (one row per client shown). The
reference day travels in the query string (`?dag=2026-12-31`): a date, not
personal data.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import log_export, permission_required
from accounts.models import Unit
from audit.context import AuditContext
from audit.services import log_list_access
from core.dates import DateBoundsMixin
from core.exports import csv_text
from referrals import protection
from referrals.models import Client

from ..kpis import national

PER_PAGE = 50
NATIONAL_OBJECT_TYPE = "reports.national"


class ReferenceDayForm(DateBoundsMixin, forms.Form):
    """The reference day (GET `dag`): a date, not after today (the
    registers do not know who will live where tomorrow)."""

    dag = forms.DateField(
        label=gettext_lazy("Reference day"), input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("Enter a date as YYYY-MM-DD, e.g. 2026-12-31.")},
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_dag(self):
        day = self.cleaned_data["dag"]
        if day > self.today:
            raise forms.ValidationError(
                gettext_lazy("The reference day cannot be after today (%(today)s).")
                % {"today": self.today.strftime("%Y-%m-%d")}
            )
        return day


def _unit(request):
    if request.user.unit_id is None:
        raise PermissionDenied
    # Filtered by id only: no query for the unit's row.
    return Unit(pk=request.user.unit_id)


def _day(request, today):
    """(form, day): the day asked for, or today when none is given or it is
    not valid (the form then says why beside the field)."""
    if "dag" not in request.GET:
        return ReferenceDayForm(initial={"dag": today}, today=today), today
    form = ReferenceDayForm(request.GET, today=today)
    return form, (form.cleaned_data["dag"] if form.is_valid() else None)


@permission_required("reports.view_kpi_dashboard")
def national_statistics(request):
    unit = _unit(request)
    today = timezone.localdate()
    form, day = _day(request, today)
    figures = national.national_figures(day, unit) if day is not None else None
    return render(request, "reports/national.html", {
        "form": form,
        "day": day,
        "today": today,
        "figures": figures,
        "query": urlencode({"dag": day.strftime("%Y-%m-%d")}) if day else "",
    })


class _Counted:
    """A queryset whose number of rows is already known (from the figure's
    own aggregate), so that the paginator asks the database once, for the
    page."""

    def __init__(self, queryset, count):
        self.queryset, self._count = queryset, count

    def count(self):
        return self._count

    def __len__(self):
        return self._count

    def __getitem__(self, index):
        return self.queryset[index]


@permission_required("reports.view_kpi_dashboard")
def national_drilldown(request, figure):
    unit = _unit(request)
    today = timezone.localdate()
    form, day = _day(request, today)
    if day is None:
        # The figures page says what is wrong with the date, beside the field.
        return redirect(f"{reverse('reports:national')}?{urlencode({'dag': request.GET.get('dag', '')})}")
    try:
        label = national.figure_label(figure, day)
        records = national.records(figure, day, unit)
    except national.UnknownFigure:
        raise Http404 from None
    visible_clients = Client.objects.visible_to(request.user).values("pk")
    counts = records.aggregate(
        persons=Count("client", distinct=True),
        visible_persons=Count("client", distinct=True, filter=Q(client__in=visible_clients)),
        visible_rows=Count("pk", filter=Q(client__in=visible_clients)),
    )
    visible = (records.filter(client__in=visible_clients).select_related("client", "apartment")
               .order_by("client__last_name", "client__first_name", "client_id", "pk"))
    page = Paginator(_Counted(visible, counts["visible_rows"]), PER_PAGE).get_page(request.GET.get("page"))
    tenancies = list(page.object_list)
    log_list_access(
        AuditContext.from_request(request), tenancies, object_type=NATIONAL_OBJECT_TYPE,
        note=f"{figure} {day:%Y-%m-%d}: {counts['visible_persons']} (page {page.number})",
    )
    rows = []
    for tenancy in tenancies:
        client = tenancy.client
        hidden = protection.hides_whereabouts(request.user, client)
        rows.append({
            "url": reverse("referrals:client_detail", args=[client.pk]),
            "name": _("Person with protected personal data") if hidden else client.full_name,
            "protected": client.is_protected,
            "birth_year": "–" if hidden else client.birth_date.year,
            "gender": client.get_legal_gender_display(),
            "children": client.children_in_home,
            "kind": tenancy.apartment.get_kind_display(),
            # A protected tenant's move-in date would date where they live.
            "move_in": "–" if hidden else tenancy.start_date.strftime("%Y-%m-%d"),
        })
    return render(request, "reports/national_drilldown.html", {
        "label": label,
        "figure": figure,
        "day": day,
        "query": urlencode({"dag": day.strftime("%Y-%m-%d")}),
        "persons": counts["persons"],
        "hidden": counts["persons"] - counts["visible_persons"],
        "rows": rows,
        "page_obj": page,
    })


def csv_rows(figures: national.NationalFigures):
    """Every figure as a row: reference day, part, category, group, value."""
    day = figures.day.strftime("%Y-%m-%d")
    survey = _("Boverket's housing-market survey")
    for row in figures.survey:
        for cell in row.cells:
            yield [day, survey, f"{row.category.label} ({row.category.survey_label})", str(cell.label), cell.value]
    mapping = str(national.SITUATION_3.label)
    for cell in (*figures.situation3.cells, *figures.situation3_ages):
        yield [day, mapping, mapping, str(cell.label), cell.value]


@permission_required("reports.view_kpi_dashboard")
def national_csv(request):
    """The figures of the day as CSV: aggregates only, but the export is
    logged as every export is."""
    unit = _unit(request)
    today = timezone.localdate()
    form, day = _day(request, today)
    if day is None:
        return redirect(f"{reverse('reports:national')}?{urlencode({'dag': request.GET.get('dag', '')})}")
    figures = national.national_figures(day, unit)
    header = [_("Reference day"), _("Statistics"), _("Category"), _("Group"), _("Number")]
    response = HttpResponse(csv_text(header, csv_rows(figures)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="nationell-statistik-{day:%Y-%m-%d}.csv"'
    log_export(request, object_type=NATIONAL_OBJECT_TYPE, note=f"CSV {day:%Y-%m-%d}")
    return response
