"""The quarterly IVO report of non-executed decisions: page, CSV, PDF, and
the anonymised statistics for the council. The rows come from
services.ivo.quarter_report(), so the three show the same thing."""


from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import log_export, permission_required
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from core.calendar import previous_quarter, quarter_bounds, quarter_of
from core.exports import csv_response
from core.pdf import pdf_response, render_pdf

from ..models import DecisionKind, LegalGender
from ..services import ivo as services

ROWS_PER_PAGE = 50
FIRST_YEAR = 2000
REPORT_OBJECT_TYPE = "referrals.ivo_report"


def _check_period(year, quarter=1):
    if not (FIRST_YEAR <= year <= timezone.localdate().year + 1) or quarter not in (1, 2, 3, 4):
        raise Http404


def _next_quarter(year, quarter):
    return (year + 1, 1) if quarter == 4 else (year, quarter + 1)


class QuarterForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=FIRST_YEAR)
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("Quarter"), coerce=int, choices=[(n, str(n)) for n in (1, 2, 3, 4)]
    )

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year + 1:
            raise forms.ValidationError(gettext_lazy("Choose a year up to next year."))
        return year


@permission_required("referrals.view_ivo_report")
def ivo_index(request):
    """Choose a year and quarter. Only a year and a quarter pass in the query
    string: no personal data."""
    today = timezone.localdate()
    year, quarter = previous_quarter(today.year, quarter_of(today))
    form = QuarterForm(request.GET or None, initial={"year": year, "quarter": quarter})
    if form.is_bound and form.is_valid():
        return redirect("referrals:ivo_report", year=form.cleaned_data["year"], quarter=form.cleaned_data["quarter"])
    recent = []
    current = (today.year, quarter_of(today))
    for _step in range(8):
        recent.append(current)
        current = previous_quarter(*current)
    return render(
        request,
        "referrals/ivo/index.html",
        {"form": form, "recent": recent, "years": sorted({y for y, _q in recent}, reverse=True)},
    )


def _report_context(request, year, quarter):
    first, last = quarter_bounds(year, quarter)
    rows = services.quarter_report(request.user, year, quarter)
    return {
        "rows": rows,
        "year": year,
        "quarter": quarter,
        "first": first,
        "last": last,
        "definition": services.IDENTITY_CODE_DEFINITION,
        "generated_at": timezone.localtime(),
    }


@permission_required("referrals.view_ivo_report")
def ivo_report(request, year, quarter):
    _check_period(year, quarter)
    context = _report_context(request, year, quarter)
    log_access(
        AuditContext.from_request(request), AccessAction.VIEW, object_type=REPORT_OBJECT_TYPE,
        note=f"{year} Q{quarter}: {len(context['rows'])}",
    )
    context.update(
        page_obj=Paginator(context["rows"], ROWS_PER_PAGE).get_page(request.GET.get("page")),
        previous=previous_quarter(year, quarter) if (year, quarter) != (FIRST_YEAR, 1) else None,
        next=_next_quarter(year, quarter) if _next_quarter(year, quarter)[0] <= timezone.localdate().year + 1 else None,
    )
    return render(request, "referrals/ivo/report.html", context)


@permission_required("referrals.view_ivo_report")
def ivo_report_csv(request, year, quarter):
    """Semicolon-separated, UTF-8 with a byte order mark so that Excel with
    Swedish settings opens it with å, ä, ö and in columns."""
    _check_period(year, quarter)
    rows = services.quarter_report(request.user, year, quarter)
    headers, lines = services.report_table(rows)
    response = csv_response(f"ivo-{year}-q{quarter}.csv", headers, lines)
    log_export(request, object_type=REPORT_OBJECT_TYPE, note=f"CSV {year} Q{quarter}: {len(rows)}")
    return response


@permission_required("referrals.view_ivo_report")
def ivo_report_pdf(request, year, quarter):
    _check_period(year, quarter)
    context = _report_context(request, year, quarter)
    context["unit"] = request.user.unit
    rendered = render_pdf("referrals/ivo/report_pdf.html", context, f"ivo-{year}-q{quarter}.pdf")
    log_export(request, object_type=REPORT_OBJECT_TYPE, note=f"PDF {year} Q{quarter}: {len(context['rows'])}")
    return pdf_response(rendered)


@permission_required("referrals.view_ivo_report")
def ivo_statistics(request, year):
    _check_period(year)
    quarters = services.year_statistics(request.user, year)
    genders = [(value, str(label)) for value, label in LegalGender.choices] + [
        (services.NOT_STATED, _("Not stated (protected personal data)"))
    ]
    return render(
        request,
        "referrals/ivo/statistics.html",
        {
            "year": year,
            "quarters": quarters,
            # Per quarter only: a decision waiting for two quarters is in
            # both reports, so a sum over the year would count it twice.
            "gender_rows": [(label, [stats.by_gender[value] for stats in quarters]) for value, label in genders],
            "kind_rows": [(label, [stats.by_kind[value] for stats in quarters]) for value, label in DecisionKind.choices],
            "totals": [stats.total for stats in quarters],
        },
    )
