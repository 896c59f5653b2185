"""Log review for managers: search the access log and export the result.

Filters travel in the session, not the URL, because a reviewer searches by
name or identity number (no personal data in query strings). The one GET
parameter, ?klient=<id>, is the client's internal id from the client page.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exports import streaming_csv_response
from core.pagination import CappedPaginator

from . import flags as log_flags
from . import labels, reads
from .context import AuditContext
from .forms import LogFilterForm
from .masking import hidden_whereabouts_ids
from .models import AccessAction, AccessLogEntry, AccountEvent
from .services import log_access

FILTER_SESSION_KEY = "audit.log_filter"
ROWS_PER_PAGE = 50
# The log page counts at most this many rows (core.pagination): a unit's log
# grows by every read, and counting all of it on each visit made the page
# slower every day. Past it the page says "more than" and the filters narrow.
LOG_COUNT_CAP = 2_000

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
    # Flags (a protected client, no relation to the client, …) are declared
    # by the apps that know clients (audit.flags); the rows shown are marked
    # with theirs by log_search (audit.flags.mark_flags).
    entries = log_flags.having_flags(entries, filters.get("flags") or [])
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
    parts = [
        f"{key}={','.join(map(str, value)) if isinstance(value, list) else value}"
        for key, value in sorted(filters.items()) if value
    ]
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
                "flags": list(data["flags"]),
                "date_from": data["date_from"].isoformat() if data["date_from"] else "",
                "date_to": data["date_to"].isoformat() if data["date_to"] else "",
            }
            return redirect("audit:log")
    else:
        form = LogFilterForm(initial=filters, users=users)

    page = CappedPaginator(_entries_for(request.user, filters), ROWS_PER_PAGE, cap=LOG_COUNT_CAP).get_page(
        request.GET.get("page"))
    # The log shows who read whom: its rows name clients, so reading them is
    # a read of those clients (audit/reads.py writes the rows).
    for entry in page:
        reads.saw_snapshot(entry.client_id, entry.client_label, entry.client_number)
    # Rows about a protected client show no record id for a reviewer without
    # the protected-data permission: the record may be their apartment.
    hidden = hidden_whereabouts_ids(request.user, {entry.client_id for entry in page})
    # Each row in plain Swedish, with its flags and a link to the client's
    # page where the reviewer may open it (the link is the page's own URL,
    # the client's internal id; the label beside it is the row's snapshot).
    links = log_flags.client_links(request.user, {entry.client_id for entry in page})
    log_flags.mark_flags(page.object_list)
    for entry in page:
        entry.labels = labels.describe(entry)
        entry.badges = log_flags.row_badges(entry)
        entry.client_url = links.get(entry.client_id)
    if filters.get("client"):
        reads.log_search(AuditContext.from_request(request), filters["client"], what="access log",
                         matched=page.paginator.count)
    return render(
        request,
        "audit/log.html",
        {"form": form, "page_obj": page, "filtered_by_client_id": filters.get("client_id"), "hidden": hidden},
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
    # Every client named in the file is read by the exporter; collected
    # before the response streams, because the read recorder writes its rows
    # when the view returns.
    named = set()
    for client_id, label, number in entries.exclude(client_id=None).values_list(
        "client_id", "client_label", "client_number"
    ).distinct():
        reads.saw_snapshot(client_id, label, number)
        named.add(client_id)
    # As on the page: no record id or path beside a protected client for a
    # reviewer without the permission (audit.masking).
    hidden = hidden_whereabouts_ids(request.user, named)
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
                "" if entry.client_id in hidden else entry.object_id,
                "" if entry.client_id in hidden else entry.path,
                entry.ip_address or "",
                entry.note,
            ]

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    # core.exports neutralises formulas: notes, paths and client labels come from users.
    return streaming_csv_response(f"atkomstlogg-{stamp}.csv", header, rows())


@_reviewer
def account_events(request):
    """The account log for a unit's managers: every change of who may see
    what (roles, permissions, unit, active state, grants and their
    decisions, logins and second factors) of the accounts of their unit,
    including accounts that have since left it or just arrived."""
    unit_id = request.user.unit_id
    events = (
        AccountEvent.objects.filter(Q(unit_id_snapshot=unit_id) | Q(subject__unit_id=unit_id))
        if unit_id
        else AccountEvent.objects.none()
    ).select_related("actor", "subject")
    page = Paginator(events, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "audit/account_events.html", {"page_obj": page})
