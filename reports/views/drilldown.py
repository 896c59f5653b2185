"""The records behind a figure of the goal dashboard (drill-down).

The KPI engine gives the exact records a figure counts
(reports.kpis.records); this page lists those the manager may see under the
ordinary access rules (each model's `visible_to(user)`), says how many
others are left out, and masks the names of clients with protected personal
data unless the user may see them. No address of a person is ever shown,
and a tenancy's apartment is not named when its tenant is protected (it
would give away where they live). The records are personal data, so the
page is written to the access log: one row per client shown (one insert),
so that a search of the log by client finds these views too.

For a fixed closed year (reports.snapshots) the figure is the snapshot's:
the page says how many records it counted when fixed, lists those still in
the register, and how many persons the figure counted are no longer there
(culled since).
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import permission_required, require_perm
from accounts.models import Unit
from audit.context import AuditContext
from audit.services import log_list_access
from referrals import protection
from referrals.models import Client

from ..kpis.housing_first import HOUSED_ON
from ..kpis.records import RECORD_LISTS
from ..snapshots import frozen_counts, is_closed, record_counts
from .dashboard import check_year

PER_PAGE = 50
DRILLDOWN_OBJECT_TYPE = "reports.drilldown"


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False


@dataclass(frozen=True)
class Row:
    url: str
    link_text: str
    cells: tuple
    protected: bool = False


def _date(day):
    return day.strftime("%Y-%m-%d") if day else "–"


def _moment(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "–"


class _Masker:
    """The name of a person as this user may see it."""

    def __init__(self, user):
        self.user = user

    def hidden(self, client):
        # The protected-identities rule (referrals.protection): a protected
        # name beside a tenancy's dates would date their move-in.
        return client is not None and protection.hides_whereabouts(self.user, client)

    def name(self, client, fallback=""):
        if client is None:
            return fallback or "–"
        if self.hidden(client):
            return _("Person with protected personal data")
        return client.full_name


def _staff(user):
    return (user.get_full_name() or user.username) if user else "–"


# Per model kind: the columns, how the records are read (one query for the
# page) and ordered, and one row per record.


def _tenancy(masker):
    columns = (Column(_("Tenant")), Column(_("Apartment")), Column(_("Kind of apartment")),
               Column(_("Move-in date")), Column(_("Move-out date")), Column(_("Reason for ending")))

    def row(tenancy):
        hidden = masker.hidden(tenancy.client)
        apartment = _("Not shown (protected tenant)") if hidden else tenancy.apartment.street_address
        return Row(
            url=reverse("tenancies:tenancy_detail", args=[tenancy.pk]), link_text=masker.name(tenancy.client),
            cells=(apartment, tenancy.apartment.get_kind_display(), _date(tenancy.start_date),
                   _date(tenancy.end_date), tenancy.get_end_reason_display() or "–"),
            protected=tenancy.client.is_protected,
        )

    return columns, ("client", "apartment"), ("start_date", "pk"), row


def _client(masker):
    columns = (Column(_("Client")), Column(_("Year of birth")))

    def row(client):
        return Row(
            url=reverse("referrals:client_detail", args=[client.pk]), link_text=masker.name(client),
            cells=("–" if masker.hidden(client) else str(client.birth_date.year),),
            protected=client.is_protected,
        )

    return columns, (), ("last_name", "first_name", "pk"), row


def _order(masker):
    columns = (Column(_("Order")), Column(_("Client or person")), Column(_("Kind of order")), Column(_("State")),
               Column(_("Sent")), Column(_("Active bolots")))

    def row(order):
        return Row(
            url=reverse("referrals:order_detail", args=[order.pk]), link_text=f"#{order.pk}",
            cells=(masker.name(order.client, order.subject_name or _("Person without a client file")),
                   order.get_kind_display(), order.get_state_display(), _moment(order.sent_at),
                   _staff(order.active_pilot)),
            protected=bool(order.client and order.client.is_protected),
        )

    return columns, ("client", "active_pilot"), ("sent_at", "pk"), row


def _decision(masker):
    columns = (Column(_("Client")), Column(_("Kind of assistance")), Column(_("Outcome")), Column(_("Decided on")),
               Column(_("Executed on")))

    def row(decision):
        return Row(
            url=reverse("referrals:decision_detail", args=[decision.pk]), link_text=masker.name(decision.client),
            cells=(decision.get_kind_display(), decision.get_outcome_display(), _date(decision.decided_on),
                   _date(decision.executed_on)),
            protected=decision.client.is_protected,
        )

    return columns, ("client",), ("decided_on", "pk"), row


def _notice(masker):
    columns = (Column(_("Tenant")), Column(_("Received")), Column(_("Reason")), Column(_("Children"), numeric=True),
               Column(_("Outcome")))

    def row(notice):
        return Row(
            url=reverse("referrals:notice_detail", args=[notice.pk]),
            link_text=masker.name(notice.client, notice.tenant_name),
            cells=(_date(notice.received_on), notice.get_reason_display(), str(notice.children_count),
                   notice.get_outcome_display() or "–"),
            protected=bool(notice.client and notice.client.is_protected),
        )

    return columns, ("client",), ("received_on", "pk"), row


def _visit(masker):
    columns = (Column(_("Date and time")), Column(_("Client or person")), Column(_("Kind of visit")),
               Column(_("Outcome")), Column(_("Active bolots")))

    def row(visit):
        return Row(
            url=reverse("bolots:visit_detail", args=[visit.pk]), link_text=_moment(visit.visited_at),
            cells=(masker.name(visit.client, visit.order.subject_name or _("Person without a client file")),
                   visit.get_kind_display(), visit.get_outcome_display(), _staff(visit.active_pilot)),
            protected=bool(visit.client and visit.client.is_protected),
        )

    return columns, ("client", "order", "active_pilot"), ("visited_at", "pk"), row


def _enrolment(masker):
    columns = (Column(_("Participant")), Column(_("Course start")), Column(_("Completed on")))

    def row(enrolment):
        return Row(
            url=reverse("bolots:course_detail", args=[enrolment.round_id]), link_text=masker.name(enrolment.client),
            cells=(_date(enrolment.round.starts_on), _date(enrolment.completed_on)),
            protected=enrolment.client.is_protected,
        )

    return columns, ("client", "round"), ("round__starts_on", "pk"), row


def _apartment(masker):
    # Apartments empty for over 60 days (reports.kpis.occupancy): the object
    # number, never the address (this page shows none) nor a tenant.
    columns = (Column(_("Object number")), Column(_("Kind of apartment")), Column(_("Rooms"), numeric=True))

    def row(apartment):
        return Row(
            url=reverse("tenancies:apartment_detail", args=[apartment.pk]), link_text=apartment.object_number,
            cells=(apartment.get_kind_display(), str(apartment.rooms).replace(".", ",")),
        )

    return columns, (), ("object_number", "pk"), row


def _candidate(masker):
    # Housing First candidates (reports.kpis.housing_first): the person as
    # the candidate pages show them (referrals.views.housing_first): the
    # client's name only when the user may open the client (masked when
    # protected), else the outreach order's name, never an address.
    columns = (Column(_("Person")), Column(_("Proposed through")), Column(_("Situation")),
               Column(_("Proposed on")), Column(_("Stage")), Column(_("Housed on")))

    def person(candidate):
        # A protected client is masked first: their street name (the
        # outreach order's) would name them just the same.
        if candidate.client_id and (candidate.client_visible or masker.hidden(candidate.client)):
            return masker.name(candidate.client)
        order = candidate.outreach_order
        if order is not None and order.subject_name:
            return order.subject_name
        return _("Client not visible to you") if candidate.client_id else _("Unnamed person")

    def row(candidate):
        return Row(
            url=reverse("referrals:hf_candidate", args=[candidate.pk]), link_text=person(candidate),
            cells=(candidate.get_source_display(), candidate.get_situation_display(), _date(candidate.proposed_on),
                   candidate.get_stage_display(), _date(getattr(candidate, HOUSED_ON, None))),
            protected=bool(candidate.client and candidate.client.is_protected),
        )

    return columns, ("client", "outreach_order"), ("proposed_on", "pk"), row


def _candidate_prepare(records, user):
    """Whether the user may open each candidate's client, in the page's one
    query (Client.objects.visible_to: a name is shown only then)."""
    return records.annotate(
        client_visible=Exists(Client.objects.visible_to(user).filter(pk=OuterRef("client_id")))
    )


KINDS = {
    "tenancy": _tenancy,
    "client": _client,
    "order": _order,
    "decision": _decision,
    "notice": _notice,
    "visit": _visit,
    "enrolment": _enrolment,
    "apartment": _apartment,
    "candidate": _candidate,
}

# Per model kind, what the page's query adds to the records beyond
# select_related (still one query for the page).
PREPARE = {
    "candidate": _candidate_prepare,
}


@permission_required("reports.view_kpi_dashboard")
def drilldown(request, year, key):
    check_year(year)
    if request.user.unit_id is None:
        raise PermissionDenied
    # The records are filtered by the unit's id only: a Unit with just its
    # primary key spares the query for the unit's row (budget: 12 a page).
    unit = Unit(pk=request.user.unit_id)
    record_list = RECORD_LISTS.get(key)
    if record_list is None or record_list.kind not in KINDS:
        raise Http404
    model = record_list.model
    # The records are the model's: the role must be allowed to read them.
    require_perm(request.user, f"{model._meta.app_label}.view_{model._meta.model_name}")
    columns, related, ordering, make_row = KINDS[record_list.kind](_Masker(request.user))
    records = record_list.records(year, unit)
    visible = records.filter(pk__in=model._default_manager.visible_to(request.user).values("pk"))
    frozen = frozen_counts(unit, year, key) if is_closed(year) else None
    if frozen is None:
        total, present, culled_persons = records.count(), None, 0
    else:
        # The figure as fixed, and what of it is still in the register.
        now = record_counts(record_list, records)
        total, present = frozen.records, now["records"]
        culled_persons = max(frozen.persons - now["persons"], 0)
    shown = visible.select_related(*related).order_by(*ordering)
    if record_list.kind in PREPARE:
        shown = PREPARE[record_list.kind](shown, request.user)
    page = Paginator(shown, PER_PAGE).get_page(request.GET.get("page"))
    hidden = (total if present is None else present) - page.paginator.count
    log_list_access(
        AuditContext.from_request(request), page.object_list, object_type=DRILLDOWN_OBJECT_TYPE,
        note=f"{key} {year}: {page.paginator.count} (page {page.number})",
    )
    return render(request, "reports/drilldown.html", {
        "year": year,
        "key": key,
        "title": record_list.title,
        "kind": record_list.kind,
        "columns": columns,
        # Each row with its cells beside their columns (for the stacked
        # layout on narrow screens).
        "rows": [
            (row, list(zip(columns[1:], row.cells, strict=True)))
            for row in (make_row(record) for record in page.object_list)
        ],
        "page_obj": page,
        "total": total,
        "hidden": hidden,
        "frozen": frozen,
        # Records the fixed figure counted that are no longer in the register.
        "gone": max(total - present, 0) if present is not None else 0,
        "culled_persons": culled_persons,
    })
