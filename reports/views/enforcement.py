"""The enforcement authority's (Kronofogden) figures per year, entered by a
manager for the municipality of their unit and shown in KPI 2. They are
published statistics, not personal data."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import permission_required, require_perm
from audit.conflicts import form_after_conflict
from audit.context import AuditContext
from audit.versioning import ConcurrentEditError

from ..forms import FIRST_YEAR, EnforcementFiguresForm
from ..kpis.national import unit_evictions
from ..models import EnforcementFigures
from ..services import enforcement as services

# Years offered in the list even before anything is entered for them.
RECENT_YEARS = 5
CONFLICT_MESSAGE = gettext_lazy(
    "Another manager saved the figures for this year while you were editing. Your changes are not saved "
    "yet: they are still in the form below. Compare with the saved values and save again."
)


def _municipality(request):
    unit = request.user.unit
    if unit is None:
        # A manager outside every unit has no municipality to enter figures for.
        raise PermissionDenied
    return unit.municipality


@permission_required("reports.view_enforcementfigures")
def enforcement_list(request):
    municipality = _municipality(request)
    this_year = timezone.localdate().year
    entered = {figures.year: figures for figures in services.figures_of(municipality)}
    years = sorted(set(range(this_year, this_year - RECENT_YEARS, -1)) | set(entered), reverse=True)
    # The unit's own evictions beside the municipality's figures (issue 15 §4).
    own = unit_evictions(years, request.user.unit)
    return render(request, "reports/enforcement_list.html", {
        "municipality": municipality,
        "unit": request.user.unit,
        "rows": [(year, entered.get(year), own[year]) for year in years],
        "can_add": request.user.has_perm("reports.add_enforcementfigures"),
        "can_change": request.user.has_perm("reports.change_enforcementfigures"),
    })


@permission_required("reports.view_enforcementfigures")
def enforcement_edit(request, year=None):
    """Enter the figures of a year, or correct them. Without `year`, the
    year is chosen in the form."""
    municipality = _municipality(request)
    today = timezone.localdate()
    if year is not None and not (FIRST_YEAR <= year <= today.year):
        raise Http404
    figures = None
    if year is not None:
        figures = EnforcementFigures.objects.filter(municipality=municipality, year=year).first()
    require_perm(request.user, "reports.change_enforcementfigures" if figures else "reports.add_enforcementfigures")
    instance = figures or EnforcementFigures(municipality=municipality)
    form = EnforcementFiguresForm(
        request.POST or None, instance=instance, municipality=municipality, today=today,
        initial={"year": year} if figures is None and year is not None else None,
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_figures(
                AuditContext.from_request(request), form.save(commit=False),
                expected_version=form.expected_version(),
            )
        except ConcurrentEditError:
            conflict = EnforcementFigures.objects.filter(
                municipality=municipality, year=form.cleaned_data["year"]
            ).first()
            # The form gets its own copy: validating it writes the user's
            # input into its instance, and `conflict` shows the saved values.
            current = EnforcementFigures.objects.filter(pk=conflict.pk).first() if conflict else None
            form = _form_after_conflict(request, current, municipality, today)
        else:
            messages.success(request, _("The enforcement authority's figures for %(year)s were saved.") % {
                "year": saved.year,
            })
            return redirect("reports:enforcement_list")
    return render(request, "reports/enforcement_form.html", {
        "form": form,
        "figures": figures,
        "year": year,
        "municipality": municipality,
        "conflict": conflict,
    })


def _form_after_conflict(request, current, municipality, today):
    """Keep what the user typed, against the newer saved version, and say so."""
    return form_after_conflict(
        request, EnforcementFiguresForm, current, CONFLICT_MESSAGE,
        instance=current or EnforcementFigures(municipality=municipality), municipality=municipality, today=today,
    )
