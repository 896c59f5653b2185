"""The export to the finance system (/hyra/export/): choose a month and a
format, download the file; the list of the unit's exports.

Access: rent.export_finance (housing administrator, manager); the user's
own unit only. The file names no person (services.finance_export); the
export is logged as such (object type rent.financeexport)."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import permission_required
from audit.context import AuditContext
from rent.forms.exports import FinanceExportForm
from rent.models import ExportFormat, FinanceExport
from rent.services import finance_export

EXPORTS_SHOWN = 36
CONTENT_TYPES = {ExportFormat.SIE: "text/plain; charset=cp437", ExportFormat.CSV: "text/csv; charset=utf-8"}
SUFFIXES = {ExportFormat.SIE: "se", ExportFormat.CSV: "csv"}


@permission_required("rent.export_finance")
def export_finance(request):
    unit = request.user.unit
    if unit is None:
        raise Http404
    form = FinanceExportForm(request.POST or None, unit=unit, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        month, fmt = form.cleaned_data["month"], form.cleaned_data["format"]
        export = finance_export.export_sie if fmt == ExportFormat.SIE else finance_export.export_csv
        content = export(AuditContext.from_request(request), unit, month)
        response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="hyra-{month:%Y-%m}.{SUFFIXES[fmt]}"'
        return response
    exports = FinanceExport.objects.filter(unit=unit).select_related("exported_by")[:EXPORTS_SHOWN]
    return render(request, "rent/exports/export_finance.html", {"form": form, "exports": exports})
