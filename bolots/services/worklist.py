"""Reading what is due: a bolots's "Min dag" and the unit's overview.

One query reads the orders with the facts the frequency engine needs,
annotated per order (last contact, last quarterly follow-up, last checklist,
the frequency change in effect); the pure engine (bolots/frequency.py) then
plans each row in Python. The number of queries does not grow with the
number of orders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import Case, Count, F, IntegerField, Min, OuterRef, Q, Subquery, Sum, Value, When, Window
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.models import User
from accounts.roles import Role
from referrals import protection
from referrals.models import Order, OrderKind, OrderState
from referrals.models.orders import RISK_FIELDS
from tenancies.services.addresses import visit_address_of_row, with_visit_address

from .. import frequency
from ..models import FrequencyChange, Visit, VisitKind, VisitOutcome

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date, datetime
    from typing import Any

    from django.db.models import QuerySet

# "Kommande" on Min dag: what falls due within this many days after today.
UPCOMING_DAYS = 7
# The unit's queue on Min dag: the most urgent this many; the orders page
# lists them all. A unit's queue is rarely longer: orders are accepted daily.
QUEUE_SHOWN = 15


def _latest_visit(**filters: Any) -> Subquery:
    return Subquery(
        Visit.objects.effective().filter(order=OuterRef("pk"), **filters).order_by("-visited_at", "-id").values("visited_at")[:1]
    )


def with_schedule_facts(queryset: QuerySet[Order], today: date) -> QuerySet[Order]:
    """Annotate each order with what the engine needs, in the same query."""
    in_effect = FrequencyChange.objects.filter(order=OuterRef("pk"), changed_on__lte=today).order_by(
        "-changed_on", "-id"
    )
    return queryset.annotate(
        last_contact_at=_latest_visit(outcome=VisitOutcome.DONE),
        last_quarterly_at=_latest_visit(outcome=VisitOutcome.DONE, kind=VisitKind.QUARTERLY_FOLLOW_UP),
        last_checklist_at=_latest_visit(checklist__isnull=False),
        change_interval=Subquery(in_effect.values("interval")[:1]),
        change_from=Subquery(in_effect.values("changed_on")[:1]),
        change_reason=Subquery(in_effect.values("reason")[:1]),
    )


def _local_date(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


def facts_of(order: Order) -> frequency.OrderFacts:
    """The engine's facts of an order read with with_schedule_facts()."""
    start_at = order.accepted_at or order.started_at or order.sent_at
    return frequency.OrderFacts(
        kind=order.kind,
        start=timezone.localdate(start_at),
        last_contact=_local_date(order.last_contact_at),
        last_quarterly=_local_date(order.last_quarterly_at),
        last_checklist=_local_date(order.last_checklist_at),
        change_interval=order.change_interval,
        change_from=order.change_from,
        first_visit_due_at=order.first_visit_due_at,
        first_visit_at=order.first_visit_at,
    )


@dataclass
class Entry:
    """One order on a list, with its schedule."""

    order: Order
    schedule: frequency.Schedule
    # May the viewer open the order's page (Order.details_visible_to)?
    can_open: bool = True
    # Where to go (tenancies.services.addresses.VisitAddress), Min dag only.
    address: object = None

    @property
    def days_overdue(self) -> int:
        return self.schedule.days_overdue

    @cached_property
    def due_rows(self) -> list[frequency.DueOnDay]:
        """What Min dag's line says is due: the visits due now (overdue or
        today), or, for an entry that only falls due later, the earliest."""
        return self.schedule.due_now_on_day or self.schedule.all_on_day[:1]


@dataclass
class MyDay:
    today: object
    # The unit's queue of orders not yet accepted (no personal details:
    # Order.details_visible_to), the most urgent first; the first QUEUE_SHOWN.
    queue: list = field(default_factory=list)
    queue_count: int = 0
    # Orders returned with a question: waiting for the case officer, not
    # for the bolots, so only counted.
    returned_count: int = 0
    first_visits: list = field(default_factory=list)
    overdue: list = field(default_factory=list)
    due_today: list = field(default_factory=list)
    upcoming: list = field(default_factory=list)
    order_count: int = 0
    # The kind the page is filtered by ("" for all).
    kind: str = ""
    # Sections other apps add (worklist_sections), after the 48 hours.
    sections: list = field(default_factory=list)

    @property
    def shown(self) -> list[Entry]:
        return self.first_visits + self.overdue + self.due_today + self.upcoming


def assigned_orders(user: User) -> QuerySet[Order]:
    """The orders `user` works on now: active or passive bolots, accepted
    or in progress."""
    return (
        Order.objects.assigned_to(user)
        .filter(state__in=OrderState.active_states())
        .select_related("client", "active_pilot", "passive_pilot")
    )


def unit_queue(unit_id: int) -> QuerySet[Order]:
    """The unit's orders waiting to be accepted, the most urgent first: the
    48-hour orders by deadline, then the rest by how long they have waited
    (the order of the orders page's queue). Read without the client: nobody
    but the case officers sees who a queued order is about."""
    return Order.objects.filter(unit_id=unit_id, state__in=OrderState.queue_states()).order_by(
        F("first_visit_due_at").asc(nulls_last=True), "sent_at", "id"
    )


def _queue(day: MyDay, user: User, kind: str, now: datetime) -> None:
    """The unit's queue in one query: the orders waiting to be accepted
    first (the most urgent first), each row carrying the counts of both
    states (window sums over the whole queue), so the list can stop at
    QUEUE_SHOWN."""
    if not user.unit_id:
        return
    queue = unit_queue(user.unit_id)
    if kind:
        queue = queue.filter(kind=kind)

    def count(state: str) -> Window:
        return Window(Sum(Case(When(state=state, then=Value(1)), default=Value(0), output_field=IntegerField())))

    # .only(): the queue shows the kind, the times and the risks; the
    # client's row is never joined, so no personal data is read.
    rows = list(
        queue.annotate(
            waiting_total=count(OrderState.SENT),
            returned_total=count(OrderState.RETURNED),
            returned_last=Case(When(state=OrderState.RETURNED, then=Value(1)), default=Value(0),
                               output_field=IntegerField()),
        )
        .order_by("returned_last", *queue.query.order_by)
        .only("pk", "unit_id", "kind", "state", "sent_at", "first_visit_due_at", "first_visit_at", "version",
              *RISK_FIELDS, "risk_notes")[:QUEUE_SHOWN]
    )
    if rows:
        day.queue_count, day.returned_count = rows[0].waiting_total, rows[0].returned_total
    day.queue = [order for order in rows if order.state == OrderState.SENT]
    for order in day.queue:
        waiting = order.first_visit_due_at is not None and order.first_visit_at is None
        order.first_visit_clock = frequency.FirstVisit(order.first_visit_due_at, now) if waiting else None


def my_day(user: User, today: date | None = None, now: datetime | None = None, kind: str = "") -> MyDay:
    """A bolots's day, what cannot wait first: the unit's new orders waiting
    to be accepted, the 48-hour orders waiting for their first visit,
    overdue visits, visits due today, and what falls due in the next days.
    `kind` (an OrderKind value, or "" for all) narrows every section."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    kind = kind if kind in OrderKind.values else ""
    day = MyDay(today=today, kind=kind)
    _queue(day, user, kind, now)
    orders = assigned_orders(user)
    if kind:
        orders = orders.filter(kind=kind)
    # The other apps' facts per order come in the same query (worklist_sections' `annotate`).
    added = _registered("worklist_sections")
    for entry in added:
        if entry.get("annotate"):
            orders = import_string(entry["annotate"])(orders, today)
    rows = []
    # Where to go is read in the same query (tenancies.services.addresses).
    for order in with_visit_address(with_schedule_facts(orders, today), day=today):
        rows.append(order)
        day.order_count += 1
        entry = Entry(order, frequency.schedule(facts_of(order), today, now))
        # A protected client's whereabouts never reach the template for a
        # user who may not see them (read in the shared query, then dropped).
        if order.client_id and protection.may_see_whereabouts(user, order.client):
            entry.address = visit_address_of_row(order, order.client)
        plan = entry.schedule
        if plan.first_visit is not None:
            day.first_visits.append(entry)
        elif plan.overdue:
            day.overdue.append(entry)
        elif plan.due_today:
            day.due_today.append(entry)
        elif plan.next_due is not None and (plan.next_due.due_on - today).days <= UPCOMING_DAYS:
            day.upcoming.append(entry)
    day.first_visits.sort(key=lambda entry: (entry.schedule.first_visit.due_at, entry.order.pk))
    day.overdue.sort(key=lambda entry: (-entry.days_overdue, entry.order.pk))
    day.due_today.sort(key=lambda entry: entry.order.pk)
    day.upcoming.sort(key=lambda entry: (entry.schedule.next_due.due_on, entry.order.pk))
    day.sections = added_sections(user, today, rows, added)
    return day


# --- The unit's overview ------------------------------------------------------


def _count_of_orders(role_field: str) -> Coalesce:
    counted = (
        Order.objects.filter(**{role_field: OuterRef("pk")}, state__in=OrderState.active_states())
        .order_by()
        .values(role_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def caseloads(unit_id: int) -> QuerySet[User]:
    """The unit's bolotsar, each with `active_count` and `passive_count`:
    accepted and in-progress orders (of every kind) where they are the
    active or the passive bolots."""
    return (
        User.objects.with_role(Role.PILOT)
        .filter(unit_id=unit_id)
        .annotate(active_count=_count_of_orders("active_pilot"), passive_count=_count_of_orders("passive_pilot"))
        .order_by("first_name", "last_name", "username")
    )


def unit_averages(pilots: Sequence[User]) -> dict[str, float] | None:
    """The unit's average caseload per bolots: active, passive, total."""
    if not pilots:
        return None
    n = len(pilots)
    active = sum(pilot.active_count for pilot in pilots)
    passive = sum(pilot.passive_count for pilot in pilots)
    return {"active": active / n, "passive": passive / n, "total": (active + passive) / n}


def queue_summary(unit_id: int, now: datetime) -> dict[str, Any]:
    """The unit's orders waiting to be accepted: how many, the oldest, and
    the 48-hour orders among them (and how many are past their 48 hours)."""
    return Order.objects.filter(unit_id=unit_id, state__in=OrderState.queue_states()).aggregate(
        count=Count("pk"),
        oldest_sent_at=Min("sent_at"),
        with_48_hours=Count("pk", filter=Q(first_visit_due_at__isnull=False, first_visit_at__isnull=True)),
        past_48_hours=Count("pk", filter=Q(first_visit_due_at__lt=now, first_visit_at__isnull=True)),
        earliest_deadline=Min("first_visit_due_at", filter=Q(first_visit_at__isnull=True)),
    )


def unit_overdue(unit_id: int, viewer: User, today: date | None = None, now: datetime | None = None) -> list[Entry]:
    """Every accepted or in-progress order of the unit with something
    overdue (or past its 48 hours), the most overdue first. `viewer` decides
    which orders' pages the list may link to."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    orders = Order.objects.filter(unit_id=unit_id, state__in=OrderState.active_states()).select_related(
        "active_pilot", "passive_pilot"
    )
    rows = []
    for order in with_schedule_facts(orders, today):
        plan = frequency.schedule(facts_of(order), today, now)
        if (plan.first_visit is not None and plan.first_visit.is_overdue) or plan.overdue:
            rows.append(Entry(order, plan, can_open=order.details_visible_to(viewer)))
    rows.sort(key=lambda entry: (-_overdue_hours(entry.schedule), entry.order.pk))
    return rows


def _overdue_hours(plan: frequency.Schedule) -> int:
    if plan.first_visit is not None:
        return plan.first_visit.hours_overdue or 0
    return plan.days_overdue * 24


# --- Sections other apps add to Min dag, and notes beside the checklist ---------
#
# bolots sits below the apps that know more about a client's week (the rent
# ledger), so it cannot read them. They declare, on their AppConfig, the way
# accounts.todo collects todo_sections:
#
#     worklist_sections = [{"key": "hyra", "title": _("Rent"), "order": 10,
#                           "annotate": "<app>.worklist.annotate",
#                           "items": "<app>.worklist.items",
#                           "template": "bolots/worklist/_section.html"}]
#
# `items` is the dotted path of `(user, today, orders=None) -> list[WorklistItem]`
# about the clients of the orders the user works on (assigned_orders), most
# urgent first. `annotate` (optional), `(orders, today) -> orders`, adds
# what `items` needs to Min dag's one query of the assigned orders, so that
# the section costs no query of its own (the page's budget, DESIGN.md: 12);
# Min dag then passes those rows as `orders`. Without `orders`, `items`
# reads them itself. Client rows read are logged by the read recorder
# (audit.reads), like the rest of the page. `template` (optional) renders
# one section.
#
#     checklist_notes = [{"field": "rent_paid", "note": "<app>.worklist.rent_status"}]
#
# `note` is the dotted path of `(user, client_id, today) -> str | None`: a
# line shown beside the checklist question `field` on the visit form (None:
# nothing to say, e.g. no data for the client).

SECTION_TEMPLATE = "bolots/worklist/_section.html"


@dataclass(frozen=True)
class WorklistItem:
    """One line of an added section: `title` names the client, `url` is
    where it is dealt with, `detail` says what and by when; `urgent` marks
    a deadline (shown first by the provider, which sorts its items)."""

    title: str
    url: str
    detail: str = ""
    urgent: bool = False


@dataclass
class WorklistSection:
    key: str
    title: str
    items: list
    template: str = SECTION_TEMPLATE


def _registered(attribute: str) -> list[dict]:
    entries = [entry for config in apps.get_app_configs() for entry in getattr(config, attribute, ())]
    return sorted(entries, key=lambda entry: entry.get("order", 100))


def added_sections(user: User, today: date, orders: list[Order] | None = None,
                   entries: list[dict] | None = None) -> list[WorklistSection]:
    """The other apps' sections of Min dag with something in them."""
    sections = []
    for entry in _registered("worklist_sections") if entries is None else entries:
        perm = entry.get("perm")
        if perm and not user.has_perm(perm):
            continue
        items = list(import_string(entry["items"])(user, today, orders))
        if items:
            sections.append(WorklistSection(entry["key"], entry["title"], items,
                                            entry.get("template") or SECTION_TEMPLATE))
    return sections


def checklist_notes(user: User, client_id: int | None, today: date) -> list[tuple[str, str]]:
    """(checklist field, note) for the visit form of a client's order."""
    if client_id is None:
        return []
    notes = []
    for entry in _registered("checklist_notes"):
        note = import_string(entry["note"])(user, client_id, today)
        if note:
            notes.append((entry["field"], note))
    return notes
