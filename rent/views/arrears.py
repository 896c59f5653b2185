"""Arrears pages (docs/rent.md, "Arrears"): the aging list with its CSV, the
tenants more than a month behind, and the unit's figures with the trend.

rent.view_ledger (housing administrator, case officer, manager); the rows
are the user's unit's tenancies (Tenancy.objects.visible_to), read in a
fixed number of queries and logged in one insert (log_list_access). A
protected tenant is named, but their apartment is never shown beside the
name to a user without referrals.view_protected_client
(referrals.protection.hidden_whereabouts)."""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import log_export, permission_required
from audit.context import AuditContext
from audit.services import log_list_access
from core.dates import DateBoundsMixin
from core.exports import csv_response
from core.formatting import plain_value
from referrals.protection import hidden_whereabouts
from tenancies.models import Tenancy

from ..services import aging as services

VIEW = "rent.view_ledger"

AGING_OBJECT_TYPE = "rent.aging"
BEHIND_OBJECT_TYPE = "rent.behind"
AGING_EXPORT_OBJECT_TYPE = "rent.aging_export"


class OnDateForm(DateBoundsMixin, forms.Form):
    on = forms.DateField(label=gettext_lazy("On the date"), required=False,
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class FiguresForm(DateBoundsMixin, forms.Form):
    on = forms.DateField(label=gettext_lazy("On the date"), required=False,
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    year = forms.IntegerField(label=gettext_lazy("Trend for the year"), required=False, min_value=1990,
                              max_value=2100)


def _on(request, form_class=OnDateForm):
    """The bound GET form and the date asked for (today when empty or
    wrong: the page then shows the message beside the field and today's
    figures)."""
    today = timezone.localdate()
    form = form_class(request.GET or None, initial={"on": today})
    if request.GET and form.is_valid():
        return form, form.cleaned_data.get("on") or today
    return form, today


def _tenancies(request):
    return Tenancy.objects.visible_to(request.user)


def _rows(request, rows, object_type):
    """Mark each row whose apartment must be left out, and log the read."""
    hidden = hidden_whereabouts(request.user, [row.tenancy.client for row in rows])
    for row in rows:
        row.apartment_hidden = row.tenancy.client_id in hidden
    log_list_access(AuditContext.from_request(request), [row.tenancy for row in rows], object_type=object_type)
    return rows


@permission_required(VIEW)
def aging_list(request):
    form, on = _on(request)
    rows = _rows(request, services.aging(request.user.unit_id, on, tenancies=_tenancies(request)), AGING_OBJECT_TYPE)
    totals = {bucket: sum(getattr(row, bucket) for row in rows) for bucket in services.BUCKETS}
    totals["arrears"] = totals["days_1_30"] + totals["days_31_60"] + totals["over_60"]
    return render(request, "rent/arrears/aging.html", {"form": form, "on": on, "rows": rows, "totals": totals})


def _income_text(row) -> str:
    if row.income == "self_supporting":
        return _("Self-supporting")
    if row.income:
        return _("Financial assistance")
    return _("Not recorded")


@permission_required(VIEW)
def aging_csv(request):
    form, on = _on(request)
    rows = services.aging(request.user.unit_id, on, tenancies=_tenancies(request))
    hidden = hidden_whereabouts(request.user, [row.tenancy.client for row in rows])
    log_export(request, object_type=AGING_EXPORT_OBJECT_TYPE, note=f"{on:%Y-%m-%d}")
    header = [_("Tenant"), _("Apartment"), _("Not yet due"), _("1–30 days"), _("31–60 days"), _("Over 60 days"),
              _("Arrears"), _("Oldest due date in arrears"), _("Income source"), _("Needs another conversation")]
    lines = [
        [
            row.tenancy.client.full_name,
            _("Apartment not shown: protected personal data") if row.tenancy.client_id in hidden
            else str(row.tenancy.apartment),
            plain_value(row.current, "kr"), plain_value(row.days_1_30, "kr"),
            plain_value(row.days_31_60, "kr"), plain_value(row.over_60, "kr"),
            plain_value(row.arrears, "kr"),
            row.oldest_due.isoformat() if row.oldest_due else "",
            _income_text(row), _("Yes") if row.needs_conversation else "",
        ]
        for row in rows
    ]
    return csv_response(f"aldersanalys-{on:%Y-%m-%d}.csv", header, lines)


@permission_required(VIEW)
def behind_list(request):
    form, on = _on(request)
    rows = _rows(request, services.behind_more_than_a_month(request.user.unit_id, on, tenancies=_tenancies(request)),
                 BEHIND_OBJECT_TYPE)
    return render(request, "rent/arrears/behind.html", {"form": form, "on": on, "rows": rows})


@permission_required(VIEW)
def arrears_figures(request):
    today = timezone.localdate()
    form = FiguresForm(request.GET or None, initial={"on": today, "year": today.year})
    on, year = today, today.year
    if request.GET and form.is_valid():
        on = form.cleaned_data.get("on") or today
        year = form.cleaned_data.get("year") or on.year
    figures = services.arrears_figures(request.user.unit_id, on)
    months = services.arrears_trend(request.user.unit_id, year, today=today)
    highest = max((month.arrears or 0 for month in months), default=0)
    trend = [{"month_end": month.month_end, "arrears": month.arrears,
              "bar": round(100 * (month.arrears or 0) / highest) if highest else 0} for month in months]
    return render(request, "rent/arrears/figures.html", {
        "form": form, "on": on, "year": year, "figures": figures, "trend": trend,
            })
