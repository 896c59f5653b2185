"""The import of opening balances (services.opening_balances): upload →
preview (a dry run) → confirm → the notices made. As in the register import
(tenancies.views.imports), the previewed file waits in a private file in the
media storage (rent-opening/, core.pending_files), named by a random token in
the user's session, and
is deleted when confirmed or cancelled, on the next upload, or a day later."""


from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import permission_required
from audit.context import AuditContext
from core import pending_files

from ..forms.balances import OpeningUploadForm
from ..services import opening_balances as service

PERM = "rent.manage_rent"
PENDING_KEY = "rent.opening_pending"


PENDING_FOLDER = "rent-opening"


def _store_pending(request, data, filename):
    token = pending_files.store(PENDING_FOLDER, data)
    request.session[PENDING_KEY] = {"token": token, "unit": request.user.unit_id, "filename": filename[:255]}


def _take_pending(request):
    """(bytes, filename) of the waiting file, or (None, ""); the file removed."""
    pending = request.session.pop(PENDING_KEY, None) or {}
    if pending.get("unit") != request.user.unit_id:
        pending_files.discard(PENDING_FOLDER, pending.get("token"))
        return None, ""
    data = pending_files.take(PENDING_FOLDER, pending.get("token"))
    return (data, pending.get("filename", "")) if data is not None else (None, "")


def _unit_of(request):
    if not request.user.unit_id:
        raise PermissionDenied
    return request.user.unit


def _page(request, form, result=None, **context):
    if result is not None and result.ok:
        context["preview"] = service.preview_rows(request.user, result)
    return render(request, "rent/balances/import.html", {
        "form": form, "result": result, "columns": service.COLUMNS, **context,
    })


@permission_required(PERM)
def opening_import(request):
    unit = _unit_of(request)
    if request.method != "POST":
        _take_pending(request)
        return _page(request, OpeningUploadForm())
    action = request.POST.get("action")
    if action == "cancel":
        _take_pending(request)
        messages.info(request, _("The import was cancelled; nothing was imported."))
        return redirect("rent:opening_import")
    if action == "confirm":
        return _confirm(request, unit)
    return _preview(request, unit)


def _preview(request, unit):
    _take_pending(request)
    form = OpeningUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form)
    upload = form.cleaned_data["file"]
    data = upload.read()
    try:
        result = service.run_import(AuditContext.from_request(request), data, upload.name, unit, dry_run=True)
    except service.ImportFileError as error:
        form.add_error("file", str(error))
        return _page(request, form)
    if result.ok:
        _store_pending(request, data, upload.name)
    return _page(request, OpeningUploadForm(), result=result, filename=upload.name)


def _confirm(request, unit):
    data, filename = _take_pending(request)
    if data is None:
        messages.error(request, _("There is no previewed file to import (it may have expired). Upload the file "
                                  "again."))
        return redirect("rent:opening_import")
    try:
        result = service.run_import(AuditContext.from_request(request), data, filename, unit, dry_run=False)
    except service.ImportFileError as error:
        messages.error(request, str(error))
        return redirect("rent:opening_import")
    if not result.ok:
        return _page(request, OpeningUploadForm(), result=result, after_confirm=True)
    messages.success(request, _("%(rows)s opening balances were imported.") % {"rows": len(result.rows)})
    return redirect("rent:opening_import")


@permission_required(PERM)
def opening_template(request):
    response = HttpResponse(
        service.build_template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{service.TEMPLATE_FILENAME}"'
    return response
