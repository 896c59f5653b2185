"""Log review for managers: search the access log and export the result.

Filters travel in the session, not the URL, because a reviewer searches by
name or identity number (no personal data in query strings). The one GET
parameter, ?klient=<id>, is the client's internal id from the client page.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exports import streaming_csv_response

from .context import AuditContext
from .forms import LogFilterForm
from .models import AccessAction, AccessLogEntry
from .services import log_access

FILTER_SESSION_KEY = "audit.log_filter"
ROWS_PER_PAGE = 50

def _reviewer(view):
    """Anonymous: login page; without the review permission: 403. Django's
    own decorators, because audit sits below accounts."""
    return login_required(
        permission_required("audit.view_accesslogentry", raise_exception=True)(view)
    )


def _unit_users(user):
    return get_user_model().objects.filter(unit_id=user.unit_id).order_by("first_name", "last_name")


def _entries_for(reviewer, filters):
    """Rows the reviewer may see (those written by users of their unit),
    narrowed by the saved filters."""
    if not reviewer.unit_id:
        return AccessLogEntry.objects.none()
    entries = AccessLogEntry.objects.filter(user__unit_id=reviewer.unit_id).select_related("user")
    if filters.get("user"):
        entries = entries.filter(user_id=filters["user"])
    if filters.get("client_id"):
        entries = entries.filter(client_id=filters["client_id"])
    if filters.get("client"):
        entries = entries.matching_client(filters["client"])
    if filters.get("action"):
        entries = entries.filter(action=filters["action"])
    zone = timezone.get_current_timezone()
    if filters.get("date_from"):
        start = datetime.combine(datetime.fromisoformat(filters["date_from"]).date(), time.min, zone)
        entries = entries.filter(at__gte=start)
    if filters.get("date_to"):
        end = datetime.combine(datetime.fromisoformat(filters["date_to"]).date(), time.min, zone)
        entries = entries.filter(at__lt=end + timedelta(days=1))
    return entries


def _describe(filters):
    """The filter in words, for the export's own log row (no personal data
    beyond what the reviewer typed)."""
    parts = [f"{key}={value}" for key, value in sorted(filters.items()) if value]
    return "; ".join(parts) or "alla"


@_reviewer
def log_search(request):
    users = _unit_users(request.user)
    if "klient" in request.GET:
        client_id = request.GET["klient"]
        request.session[FILTER_SESSION_KEY] = {"client_id": int(client_id)} if client_id.isdigit() else {}
        return redirect("audit:log")

    filters = request.session.get(FILTER_SESSION_KEY, {})
    if request.method == "POST":
        form = LogFilterForm(request.POST, users=users)
        if "clear" in request.POST:
            request.session.pop(FILTER_SESSION_KEY, None)
            return redirect("audit:log")
        if form.is_valid():
            data = form.cleaned_data
            request.session[FILTER_SESSION_KEY] = {
                "user": data["user"].pk if data["user"] else None,
                "client": data["client"].strip(),
                "action": data["action"],
                "date_from": data["date_from"].isoformat() if data["date_from"] else "",
                "date_to": data["date_to"].isoformat() if data["date_to"] else "",
            }
            return redirect("audit:log")
    else:
        form = LogFilterForm(initial=filters, users=users)

    page = Paginator(_entries_for(request.user, filters), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/log.html",
        {"form": form, "page_obj": page, "filtered_by_client_id": filters.get("client_id")},
    )


@_reviewer
def log_export(request):
    """The current search as CSV. Exporting is itself logged."""
    if request.method != "POST":
        return redirect("audit:log")
    filters = request.session.get(FILTER_SESSION_KEY, {})
    entries = _entries_for(request.user, filters).order_by("at", "id")
    log_access(
        AuditContext.from_request(request),
        AccessAction.EXPORT,
        object_type="audit.accesslogentry",
        note=_describe(filters),
    )
    header = [_("Time"), _("User"), _("Action"), _("Client"), _("Personal identity number"),
              _("Record type"), _("Record id"), _("Path"), _("IP address"), _("Note")]

    def rows():
        for entry in entries.iterator(chunk_size=2000):
            yield [
                timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                entry.user.username,
                entry.get_action_display(),
                entry.client_label,
                entry.client_number,
                entry.object_type,
                entry.object_id,
                entry.path,
                entry.ip_address or "",
                entry.note,
            ]

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    # core.exports neutralises formulas: notes, paths and client labels come from users.
    return streaming_csv_response(f"atkomstlogg-{stamp}.csv", header, rows())
