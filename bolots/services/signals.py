"""Signals to the case officer: a failing checklist item (rent not paid, a
new complaint or damage) must reach the responsible case officer without
delay.

A signal is a row in the case officer's signal list (until acknowledged), a
notification in the app at once and an e-mail sent by the Celery task after
the transaction commits (accounts.notifications). The notification text
leaves the system by e-mail: it names the order by number, never the person.

A new complaint is also registered on the client's current apartment
through the apartment register's own service (tenancies add_complaint),
which tells the tenant's case officer itself; the signal's own notification
is then left out for whoever that service already told, so nobody hears of
one complaint twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.notifications import notify, notify_many
from accounts.roles import Role
from audit import reads
from audit.models import AccessAction, AccessLogEntry
from audit.services import log_access, object_type_of
from referrals.models import Client
from tenancies.models import Complaint, ComplaintSource, Tenancy
from tenancies.services.complaints import add_complaint, officers_to_tell

from ..models import ChecklistAnswer, Signal, SignalKind

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from django.db.models import QuerySet

    from accounts.models import User
    from audit.context import AuditContext
    from bolots.models import Visit, VisitChecklist
    from bolots.services.visits import LoggedVisit
    from referrals.models import Order


class SignalQuerySet(models.QuerySet):
    """Signals follow their client: a user sees the signals of the clients
    they may see (referrals ClientQuerySet.visible_to)."""

    def visible_to(self, user: User) -> SignalQuerySet:
        return self.filter(client__in=Client.objects.visible_to(user))

    def unacknowledged(self) -> SignalQuerySet:
        return self.filter(acknowledged_at__isnull=True)

    def for_list(self) -> SignalQuerySet:
        return self.select_related("client", "visit", "recipient", "acknowledged_by").order_by(
            models.F("acknowledged_at").desc(nulls_first=True), "-created_at", "-id"
        )


def all_signals() -> SignalQuerySet:
    """Every signal, as a SignalQuerySet (the model keeps Django's default
    manager; the access rule lives here with the other signal code)."""
    return SignalQuerySet(Signal)


# --- Who hears -----------------------------------------------------------------------


def officer_for(order: Order) -> User | None:
    """The case officer who must hear of a visit's signal: the client's
    responsible case officer, else the case officer who sent the order;
    accounts that are closed are passed over. None when both are closed."""
    responsible = order.client.responsible_officer if order.client_id else None
    return next(
        (user for user in (responsible, order.ordered_by) if user is not None and user.is_active),
        None,
    )


def _unit_case_officers(unit_id: int) -> QuerySet[User]:
    from accounts.models import User

    return User.objects.with_role(Role.CASE_OFFICER).filter(unit_id=unit_id, is_active=True)


def signal_text(kind: str, order: Order) -> str:
    """The notification and e-mail text: the kind and the order's number."""
    if kind == SignalKind.RENT_UNPAID:
        return _("Signal: rent not paid (order #%(number)s)") % {"number": order.pk}
    return _("Signal: new complaint or damage (order #%(number)s)") % {"number": order.pk}


def signal_list_url() -> str:
    return reverse("bolots:signal_list")


# --- Raising ---------------------------------------------------------------------------


def raise_signals(
    ctx: AuditContext, visit: Visit, checklist: VisitChecklist, result: LoggedVisit, *, complaint_kind: str,
) -> None:
    """Create the signals of a saved checklist (inside log_visit's
    transaction), register a new complaint on the apartment and tell the
    case officer. Fills result.signals, result.complaint and
    result.complaint_without_apartment."""
    order = visit.order
    wanted = []
    if checklist.rent_paid == ChecklistAnswer.NO:
        wanted.append((SignalKind.RENT_UNPAID, checklist.rent_comment))
    if checklist.new_complaint:
        wanted.append((SignalKind.COMPLAINT, checklist.complaint_description))
    if not wanted:
        return

    officer = officer_for(order)
    # Somebody must hold the signal: a closed account still does (its row
    # stays in the unit's list), and then the unit's case officers are told.
    recipient = officer or (order.client.responsible_officer if order.client_id else None) or order.ordered_by

    told_of_complaint = set()
    if checklist.new_complaint:
        result.complaint, told_of_complaint = _register_complaint(ctx, visit, checklist, complaint_kind)
        result.complaint_without_apartment = result.complaint is None

    for kind, text in wanted:
        signal = Signal.objects.create(
            kind=kind,
            client=visit.client,
            visit=visit,
            recipient=recipient,
            text=(text or "").strip()[: Signal._meta.get_field("text").max_length],
        )
        log_access(ctx, AccessAction.CREATE, signal)
        result.signals.append(signal)
        if kind == SignalKind.COMPLAINT and recipient.pk in told_of_complaint:
            continue
        message = signal_text(kind, order)
        if officer is not None:
            notify(officer, message, signal_list_url())
        else:
            notify_many(_unit_case_officers(order.unit_id), message, signal_list_url())


def _register_complaint(
    ctx: AuditContext, visit: Visit, checklist: VisitChecklist, complaint_kind: str,
) -> tuple[Complaint | None, set[int]]:
    """Log the complaint on the apartment the client lives in on the visit
    day, reported by staff. Returns (complaint or None, ids of the users
    add_complaint told)."""
    day = timezone.localdate(visit.visited_at)
    tenancy = (
        Tenancy.objects.filter(client_id=visit.client_id)
        .held_on(day)
        .select_related("apartment")
        .order_by("-start_date", "-id")
        .first()
    )
    if tenancy is None:
        return None, set()
    complaint = Complaint(
        apartment=tenancy.apartment,
        occurred_on=day,
        kind=complaint_kind,
        source=ComplaintSource.STAFF,
        description=checklist.complaint_description,
    )
    # A visit logged just before midnight may be dated a few minutes ahead.
    today = max(day, timezone.localdate())
    complaint = add_complaint(ctx, complaint, today=today)
    return complaint, _told_by_add_complaint(ctx, complaint, today)


def _told_by_add_complaint(ctx: AuditContext, complaint: Complaint, today: date) -> set[int]:
    """Whom tenancies' add_complaint notified (its own rule: a complaint
    during a tenancy that still runs on `today` goes to officers_to_tell,
    never to the one registering it)."""
    tenancy = complaint.tenancy
    if tenancy is None or (tenancy.end_date is not None and tenancy.end_date < today):
        return set()
    return {user.pk for user in officers_to_tell(tenancy) if user.pk != ctx.user.pk}


# --- Acknowledging -------------------------------------------------------------------


class AlreadyAcknowledged(Exception):
    """Someone acknowledged the signal first; it carries that signal."""

    def __init__(self, signal: Signal) -> None:
        super().__init__(str(signal))
        self.signal = signal


@transaction.atomic
def acknowledge_signal(ctx: AuditContext, signal: Signal) -> Signal:
    """The case officer has seen the signal: record who and when. A signal
    acknowledged meanwhile by someone else keeps their name and time."""
    stored = Signal.objects.select_for_update(of=("self",)).select_related("client", "acknowledged_by").get(
        pk=signal.pk
    )
    if stored.acknowledged_at is not None:
        raise AlreadyAcknowledged(stored)
    stored.acknowledged_at = timezone.now()
    stored.acknowledged_by = ctx.user
    stored.save(update_fields=["acknowledged_at", "acknowledged_by"])
    log_access(ctx, AccessAction.UPDATE, stored, note="acknowledged")
    return stored


# --- Reading ---------------------------------------------------------------------------


def log_list_view(ctx: AuditContext, signals: Iterable[Signal]) -> None:
    """One access-log row per client shown on a page of the signal list
    (the comments are part of the client's record), written in one query so
    that the page's cost does not grow with its rows."""
    rows = {}
    for signal in signals:
        client = signal.client
        rows.setdefault(client.pk, AccessLogEntry(
            user=ctx.user,
            action=AccessAction.VIEW,
            client_id=client.pk,
            client_label=client.audit_label[:200],
            client_number=client.personal_number or "",
            object_type=object_type_of(signal),
            object_id=str(signal.pk),
            path=ctx.path,
            ip_address=ctx.ip_address,
            note="signal list",
        ))
    if rows and not reads.defer(list(rows.values())):
        AccessLogEntry.objects.bulk_create(list(rows.values()))


def mine_or_all(signals: SignalQuerySet, user: User, show_all: bool) -> SignalQuerySet:
    return signals if show_all else signals.filter(Q(recipient=user))
