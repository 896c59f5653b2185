"""The register import for housing administrators: upload → preview (a dry
run) → confirm → result. The template download is here too.

Between preview and confirm the uploaded file waits in a private file in the
media storage (imports/, core.pending_files), named by a random token kept
in the user's session. It
is deleted when the import is confirmed or cancelled, when the user uploads
again or leaves the page, and at the latest a day later; media files are
never served (config/urls.py), so nobody can fetch it.
"""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import permission_required
from audit.context import AuditContext
from core import pending_files

from .. import importer
from ..forms.imports import ImportUploadForm
from ..models import Area, Landlord

logger = logging.getLogger(__name__)

PERM = "tenancies.import_register"
PENDING_KEY = "tenancies.import_pending"
RESULT_KEY = "tenancies.import_result"


PENDING_FOLDER = "imports"


def _store_pending(request, data):
    token = pending_files.store(PENDING_FOLDER, data)
    request.session[PENDING_KEY] = {"token": token, "unit": request.user.unit_id}


def _take_pending(request):
    """The waiting file's bytes (or None), and the file removed."""
    pending = request.session.pop(PENDING_KEY, None) or {}
    if pending.get("unit") != request.user.unit_id:
        pending_files.discard(PENDING_FOLDER, pending.get("token"))
        return None
    return pending_files.take(PENDING_FOLDER, pending.get("token"))


def _unit_of(request):
    if not request.user.unit_id:
        raise PermissionDenied
    return request.user.unit


def count_rows(counts):
    """[(label, {create, update, unchanged})] for the counts table."""
    return [(_("Apartments"), counts["apartments"]), (_("Clients"), counts["clients"]),
            (_("Second-hand tenancies"), counts["tenancies"])]


def column_rows():
    return [
        {"header": column.header, "required": importer.required_text(column), "meaning": column.meaning,
         "format": column.format, "allowed": column.allowed}
        for column in importer.COLUMNS
    ]


def _page(request, form, result=None, **context):
    if result is not None and result.ok:
        context["count_rows"] = count_rows(result.counts())
    return render(request, "tenancies/imports/import.html", {
        "form": form, "result": result, "column_rows": column_rows(), **context,
    })


@permission_required(PERM)
def import_register(request):
    unit = _unit_of(request)
    if request.method != "POST":
        # Leaving the preview (or coming back) drops a waiting file.
        _take_pending(request)
        return _page(request, ImportUploadForm())
    action = request.POST.get("action")
    if action == "confirm":
        return _confirm(request, unit)
    if action == "cancel":
        _take_pending(request)
        messages.info(request, _("The import was cancelled; nothing was imported."))
        return redirect("tenancies:import_register")
    return _preview(request, unit)


def _preview(request, unit):
    _take_pending(request)
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form)
    data = form.cleaned_data["file"].read()
    try:
        result = importer.run_import(AuditContext.from_request(request), data, unit, dry_run=True)
    except importer.ImportFileError as error:
        form.add_error("file", str(error))
        return _page(request, form)
    if result.ok:
        _store_pending(request, data)
    return _page(request, ImportUploadForm(), result=result, filename=form.cleaned_data["file"].name)


def _confirm(request, unit):
    data = _take_pending(request)
    if data is None:
        messages.error(request, _("There is no previewed file to import (it may have expired). Upload the file "
                                  "again."))
        return redirect("tenancies:import_register")
    try:
        result = importer.run_import(AuditContext.from_request(request), data, unit, dry_run=False)
    except importer.ImportFileError as error:
        messages.error(request, str(error))
        return redirect("tenancies:import_register")
    if not result.ok:
        # The register changed since the preview in a way that makes rows
        # bad; nothing was written.
        return _page(request, ImportUploadForm(), result=result, after_confirm=True)
    request.session[RESULT_KEY] = result.counts()
    return redirect("tenancies:import_result")


@permission_required(PERM)
def import_result(request):
    counts = request.session.get(RESULT_KEY)
    if not counts:
        return redirect("tenancies:import_register")
    return render(request, "tenancies/imports/result.html", {"count_rows": count_rows(counts)})


@permission_required(PERM)
def import_template(request):
    # The unit's lists, so the area and landlord columns offer their names.
    lists = {
        "area": list(Area.objects.visible_to(request.user).active().values_list("name", flat=True)),
        "landlord": list(Landlord.objects.visible_to(request.user).active().values_list("name", flat=True)),
    }
    response = HttpResponse(
        importer.build_template(lists),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{importer.TEMPLATE_FILENAME}"'
    return response
