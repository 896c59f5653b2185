"""The managers' goal dashboard: a card per KPI for the chosen year with its
target, the year before and whether the goal was met, the additional
figures, the caseload per bolots and four charts.

Everything shown is an aggregate of the manager's unit (no personal data),
so the page writes no access-log row; the record lists behind the figures
(views/drilldown.py) do. The number of queries is fixed: the KPI engine and
the charts count in the database, whatever the amount of data. A fixed
closed year (reports.snapshots, "Fastställ år") is read from its snapshot:
no KPI query at all, and the figures stay those fixed whatever is culled.
Any other closed year is read from its kept figures (reports.year_figures):
counted on its first request, again in the background after a correction.
The running year is kept a few minutes in the cache (reports.running_year).
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import permission_required
from accounts.models import Unit
from audit.context import AuditContext
from referrals.models import EvictionNotice, Order
from tenancies.models import Tenancy

from .. import charts
from ..forms import FIRST_YEAR, YearForm
from ..kpis.result import preliminary_label, preliminary_until
from ..running_year import running_figures
from ..snapshots import FreezeError, fix_year, frozen_year, is_closed
from ..year_figures import kept_year

# How long a closed year's rendered figures stay in the cache; a recount or
# a fixing changes the fragment's key, so this only bounds the memory.
FIGURES_FRAGMENT_SECONDS = 3600


class LazyChart:
    """A chart's SVG, drawn (or read from core.charts' cache) when the
    template shows it."""

    def __init__(self, data):
        self.data = data

    def __html__(self):
        return charts.render(self.data)

    def __str__(self):
        return self.__html__()


def unit_of(request):
    """The manager's unit: the dashboard shows nothing else."""
    unit = request.user.unit
    if unit is None:
        raise PermissionDenied
    return unit


def check_year(year, today=None):
    if not (FIRST_YEAR <= year <= (today or timezone.localdate()).year):
        raise Http404


def available_years(unit, today=None):
    """From the year of the unit's first record (eviction notice, order or
    tenancy) to this year, newest first: one query."""
    this_year = (today or timezone.localdate()).year
    firsts = Unit.objects.filter(pk=unit.pk).annotate(
        notice=Subquery(EvictionNotice.objects.filter(unit=OuterRef("pk")).order_by("received_on")
                        .values("received_on")[:1]),
        tenancy=Subquery(Tenancy.objects.filter(apartment__unit=OuterRef("pk")).order_by("start_date")
                         .values("start_date")[:1]),
        order=Subquery(Order.objects.filter(unit=OuterRef("pk")).order_by("sent_at").values("sent_at")[:1]),
    ).values("notice", "tenancy", "order").first() or {}
    years = [
        (timezone.localtime(value).year if hasattr(value, "hour") and timezone.is_aware(value) else value.year)
        for value in firsts.values() if value is not None
    ]
    first = max(min(years, default=this_year), FIRST_YEAR)
    return list(range(this_year, min(first, this_year) - 1, -1))


def dashboard_context(request, year=None):
    unit = unit_of(request)
    today = timezone.localdate()
    years = available_years(unit, today)
    if year is None:
        form = YearForm(request.GET or None, years=years, initial={"ar": today.year})
        year = form.cleaned_data["ar"] if form.is_bound and form.is_valid() else today.year
    else:
        check_year(year, today)
        if year not in years:
            years = sorted({*years, year}, reverse=True)
        form = YearForm(years=years, initial={"ar": year})
    until = preliminary_until(year, today)
    closed = is_closed(year, today)
    frozen = frozen_year(unit, year) if closed else None
    # A closed year not fixed: its kept figures (reports.year_figures),
    # counted once and again after a correction, never live per request.
    kept = kept_year(unit, year, today) if closed and frozen is None else None
    shown = frozen or (kept.figures if kept else None)
    if shown is not None:
        kpis, sections, caseload = shown.kpis, shown.sections, shown.caseload
        chart_data = shown.charts
        running = None
        version = f"{'fixed' if frozen else 'kept'}:{shown.frozen_at.isoformat()}"
        keep_for = FIGURES_FRAGMENT_SECONDS
    else:
        # The running year (or a year not yet closed): kept a few minutes
        # in the cache (reports.running_year).
        running = running_figures(unit, year, today)
        kpis, sections, caseload = running.kpis, running.sections, running.caseload
        chart_data = running.chart_data
        version = f"running:{running.counted_at.isoformat()}" if running.counted_at else None
        keep_for = settings.RUNNING_YEAR_CACHE_SECONDS if version else 0
    # Drawn (or read from the chart cache) only when the figures' fragment
    # is rendered, not when it comes from the cache.
    year_charts = [(data, LazyChart(data)) for data in chart_data]
    can_enter_enforcement = request.user.has_perm("reports.view_enforcementfigures")
    return {
        "unit": unit,
        "year": year,
        "previous_year": year - 1,
        "year_in_progress": year == today.year,
        "today": today,
        # The running year is preliminary: no goal is judged before it ends.
        "preliminary": preliminary_label(until) if until else "",
        "form": form,
        "kpis": kpis,
        "sections": sections,
        # Occupancy's months of Y, shown below the sections (reports.kpis.occupancy).
        "occupancy": next((section for section in sections if section.key == "occupancy"), None),
        "caseload": caseload,
        "charts": year_charts,
        "frozen": frozen,
        "kept": kept,
        "running": running,
        # "Fastställ år" is offered for an ended year not yet fixed.
        "can_freeze": frozen is None and closed and request.user.has_perm("reports.freeze_kpi_year"),
        "apartments_now": charts.apartment_status_is_current(year, today),
        "can_enter_enforcement": can_enter_enforcement,
        # The rendered figures (goals, charts, caseload, sections) are kept
        # in the cache as one fragment (templates/reports/dashboard.html,
        # {% cache %}), keyed by everything they show: the unit, the year,
        # which count of the figures (fixed, kept or running, and when),
        # the day (the "preliminary" label, the apartments chart's text)
        # and the one permission that adds a link. Rendering ~120 figures
        # and four chart tables was most of the page's CPU (issue 16).
        # 0 (the running year counted per request) keeps nothing.
        "figures_fragment": [unit.pk, year, version or "-", today.isoformat(), int(can_enter_enforcement)],
        "figures_fragment_seconds": keep_for,
    }


@permission_required("reports.view_kpi_dashboard")
def dashboard(request, year=None):
    return render(request, "reports/dashboard.html", dashboard_context(request, year))


@require_POST
@permission_required("reports.freeze_kpi_year")
def freeze(request, year):
    """"Fastställ år": fix the figures of an ended year for the manager's
    unit (reports.snapshots.fix_year). Fixing a year already fixed changes
    nothing."""
    unit_of(request)
    check_year(year)
    try:
        _snapshot, created = fix_year(AuditContext.from_request(request), year)
    except FreezeError as error:
        messages.error(request, str(error))
    else:
        if created:
            messages.success(request, _("The figures of %(year)s are fixed.") % {"year": year})
        else:
            messages.info(request, _("The figures of %(year)s were already fixed.") % {"year": year})
    return redirect("reports:dashboard", year=year)
