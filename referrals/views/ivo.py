"""IVO reporting: the quarter's list of individual reports, each report as a
screen laid out like IVO's form, CSV and PDF of one report and of the
quarter, and the anonymised statistics for the council (page, CSV, PDF).
The reports come from services.ivo, so that every form shows the same
thing; who may see which report is decided there (visible clients, and
protected people only with referrals.view_protected_client)."""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.access import log_export, permission_required
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from core.calendar import previous_quarter, quarter_bounds, quarter_of
from core.exports import csv_response
from core.pdf import pdf_response, render_pdf

from ..services import ivo as services

ROWS_PER_PAGE = 50
FIRST_YEAR = 2000
PERMISSION = "referrals.view_ivo_report"
# Record types of the access-log rows these views write (labels in
# ReferralsConfig.access_log_labels).
REPORT_OBJECT_TYPE = "referrals.ivo_report"
INDIVIDUAL_OBJECT_TYPE = "referrals.ivo_individual_report"
STATISTICS_OBJECT_TYPE = "referrals.ivo_statistics"


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


@permission_required(PERMISSION)
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


def _quarter_context(request, year, quarter):
    first, last = quarter_bounds(year, quarter)
    return {
        "reports": services.quarter_report(request.user, year, quarter),
        "hidden": services.hidden_count(request.user, year, quarter),
        "year": year,
        "quarter": quarter,
        "first": first,
        "last": last,
        "unit": request.user.unit,
        "generated_at": timezone.localtime(),
    }


def _log_export_of(request, reports, note):
    """One export row per person in the file, so that each person's log
    shows who took their report out of the system."""
    for report in reports:
        log_export(request, object_type=INDIVIDUAL_OBJECT_TYPE, client=report.decision.client, note=note)


@permission_required(PERMISSION)
def ivo_report(request, year, quarter):
    """The quarter's list: one line per individual report to send."""
    _check_period(year, quarter)
    context = _quarter_context(request, year, quarter)
    log_access(
        AuditContext.from_request(request), AccessAction.VIEW, object_type=REPORT_OBJECT_TYPE,
        note=f"{year} Q{quarter}: {len(context['reports'])}",
    )
    context.update(
        page_obj=Paginator(context["reports"], ROWS_PER_PAGE).get_page(request.GET.get("page")),
        previous=previous_quarter(year, quarter) if (year, quarter) != (FIRST_YEAR, 1) else None,
        next=_next_quarter(year, quarter) if _next_quarter(year, quarter)[0] <= timezone.localdate().year + 1 else None,
    )
    return render(request, "referrals/ivo/report.html", context)


@permission_required(PERMISSION)
def ivo_report_csv(request, year, quarter):
    """Semicolon-separated, UTF-8 with a byte order mark so that Excel with
    Swedish settings opens it with å, ä, ö and in columns."""
    _check_period(year, quarter)
    reports = services.quarter_report(request.user, year, quarter)
    headers, lines = services.report_table(reports)
    response = csv_response(f"ivo-{year}-q{quarter}.csv", headers, lines)
    log_export(request, object_type=REPORT_OBJECT_TYPE, note=f"CSV {year} Q{quarter}: {len(reports)}")
    _log_export_of(request, reports, f"CSV {year} Q{quarter}")
    return response


@permission_required(PERMISSION)
def ivo_report_pdf(request, year, quarter):
    _check_period(year, quarter)
    context = _quarter_context(request, year, quarter)
    rendered = render_pdf("referrals/ivo/report_pdf.html", context, f"ivo-{year}-q{quarter}.pdf")
    log_export(request, object_type=REPORT_OBJECT_TYPE, note=f"PDF {year} Q{quarter}: {len(context['reports'])}")
    _log_export_of(request, context["reports"], f"PDF {year} Q{quarter}")
    return pdf_response(rendered)


def _individual(request, year, quarter, subject, decision_id):
    """The report, or 404: no such report in the quarter, or about a person
    the user may not see (another unit's, or protected without the
    permission) alike, so that nobody can probe who is reported."""
    _check_period(year, quarter)
    if subject not in services.Subject.values:
        raise Http404
    report = services.individual_report(request.user, year, quarter, decision_id, subject)
    if report is None:
        raise Http404
    return report


@permission_required(PERMISSION)
def ivo_individual_report(request, year, quarter, subject, decision_id):
    """One report as a screen in the order of IVO's form, for copying field
    by field into the e-service."""
    report = _individual(request, year, quarter, subject, decision_id)
    log_access(
        AuditContext.from_request(request), AccessAction.VIEW, report.decision,
        object_type=INDIVIDUAL_OBJECT_TYPE, note=f"{year} Q{quarter} {subject}",
    )
    return render(request, "referrals/ivo/individual.html", {"report": report, "year": year, "quarter": quarter})


@permission_required(PERMISSION)
def ivo_individual_report_csv(request, year, quarter, subject, decision_id):
    report = _individual(request, year, quarter, subject, decision_id)
    headers, lines = services.report_table([report])
    response = csv_response(f"ivo-{year}-q{quarter}-{subject}-{decision_id}.csv", headers, lines)
    _log_export_of(request, [report], f"CSV {year} Q{quarter} {subject}")
    return response


@permission_required(PERMISSION)
def ivo_individual_report_pdf(request, year, quarter, subject, decision_id):
    report = _individual(request, year, quarter, subject, decision_id)
    first, last = quarter_bounds(year, quarter)
    context = {
        "reports": [report], "hidden": 0, "year": year, "quarter": quarter, "first": first, "last": last,
        "unit": request.user.unit, "generated_at": timezone.localtime(), "single": True,
    }
    rendered = render_pdf("referrals/ivo/report_pdf.html", context, f"ivo-{year}-q{quarter}-{subject}-{decision_id}.pdf")
    _log_export_of(request, [report], f"PDF {year} Q{quarter} {subject}")
    return pdf_response(rendered)


def _statistics_context(request, year):
    quarters = services.year_statistics(request.user, year)
    return {
        "year": year,
        "quarters": quarters,
        # Per quarter only: a decision waiting for two quarters is in
        # both quarters' reports, so a sum over the year would count it twice.
        "sections": services.statistics_table(quarters),
        "totals": [stats.total for stats in quarters],
        "unit": request.user.unit,
        "generated_at": timezone.localtime(),
    }


@permission_required(PERMISSION)
def ivo_statistics(request, year):
    _check_period(year)
    context = _statistics_context(request, year)
    log_access(AuditContext.from_request(request), AccessAction.VIEW, object_type=STATISTICS_OBJECT_TYPE,
               note=str(year))
    return render(request, "referrals/ivo/statistics.html", context)


@permission_required(PERMISSION)
def ivo_statistics_csv(request, year):
    _check_period(year)
    headers, lines = services.statistics_csv(services.year_statistics(request.user, year))
    response = csv_response(f"ivo-statistik-{year}.csv", headers, lines)
    log_export(request, object_type=STATISTICS_OBJECT_TYPE, note=f"CSV {year}")
    return response


@permission_required(PERMISSION)
def ivo_statistics_pdf(request, year):
    _check_period(year)
    rendered = render_pdf("referrals/ivo/statistics_pdf.html", _statistics_context(request, year),
                          f"ivo-statistik-{year}.pdf")
    log_export(request, object_type=STATISTICS_OBJECT_TYPE, note=f"PDF {year}")
    return pdf_response(rendered)
