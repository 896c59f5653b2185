"""What the rent ledger adds to a bolots's Min dag and to the monthly
checklist (registered in apps.RentConfig: worklist_sections and
checklist_notes, collected by bolots.services.worklist, which cannot name
rent).

Min dag, section "Hyra": for the clients of the orders the user works on
(active or passive bolots, accepted or in progress), first the running
three-week deadlines to recover a terminated tenancy, soonest first (the
deadline drives priority), then the notices unpaid after their due date and
the unit's grace, oldest first. A fixed number of queries however
many rows: none of its own on Min dag, whose one query of the assigned
orders carries the facts (annotate); the clients read are logged by the
read recorder with the rest of the page. One line per client (the total
past due, from the oldest due date). No address is shown: a protected client's apartment never
appears here.

The checklist: beside "rent paid (receipt seen)", what the ledger says on
the day: "Enligt reskontran: obetalt 4 500 kr sedan 30 nov" (notices past
their due date, grace not counted: the question is whether the rent is
paid) or "… inget obetalt"; nothing for a client without notices."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import BigIntegerField, DateField, IntegerField, Min, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bolots.services.worklist import WorklistItem, assigned_orders
from core.formatting import kr
from rent.models import Allocation, ArrearsTermination, RentNotice, RentSettings, TerminationStatus
from rent.services.overdue import DEFAULT_GRACE_DAYS

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from accounts.models import User
    from referrals.models import Order


def _short(day: date) -> str:
    return formats.date_format(day, "j b")


def annotate(orders: QuerySet[Order], today: date) -> QuerySet[Order]:
    """Add to each order, in Min dag's one query, its client's rent facts:
    `rent_unpaid` (öre open on notices past their due date), `rent_oldest_due`
    (the oldest of them), `rent_grace` (the unit's days of grace) and
    `rent_recover_by` (the soonest running three-week deadline)."""
    past_due = RentNotice.objects.filter(tenancy__client_id=OuterRef("client_id"), due_date__lt=today)
    owed = past_due.order_by().values("tenancy__client_id").annotate(total=Sum("amount")).values("total")[:1]
    settled = (
        Allocation.objects.filter(notice__tenancy__client_id=OuterRef("client_id"), notice__due_date__lt=today,
                                  on__lte=today)
        .order_by().values("notice__tenancy__client_id").annotate(total=Sum("amount")).values("total")[:1]
    )
    oldest = past_due.with_settled(today).filter(outstanding__gt=0).order_by("due_date").values("due_date")[:1]
    grace = RentSettings.objects.filter(unit_id=OuterRef("unit_id")).values("grace_days")[:1]
    deadline = (
        ArrearsTermination.objects.filter(tenancy__client_id=OuterRef("client_id"), status=TerminationStatus.RUNNING,
                                          recover_by__isnull=False)
        .order_by("recover_by").values("recover_by")[:1]
    )
    money = BigIntegerField()
    return orders.annotate(
        rent_unpaid=Coalesce(Subquery(owed, output_field=money), Value(0), output_field=money)
        - Coalesce(Subquery(settled, output_field=money), Value(0), output_field=money),
        rent_oldest_due=Subquery(oldest, output_field=DateField()),
        rent_grace=Coalesce(Subquery(grace), Value(DEFAULT_GRACE_DAYS), output_field=IntegerField()),
        rent_recover_by=Subquery(deadline, output_field=DateField()),
    )


def _deadline_detail(recover_by: date, today: date) -> str:
    left = (recover_by - today).days
    if left > 0:
        remaining = ngettext("%(n)s day left", "%(n)s days left", left) % {"n": left}
    elif left == 0:
        remaining = _("the last day is today")
    else:
        remaining = _("the deadline has passed")
    return _("Last day to pay: %(date)s · %(remaining)s") % {"date": _short(recover_by), "remaining": remaining}


def items(user: User, today: date, orders: list[Order] | None = None) -> list[WorklistItem]:
    """One line per client: the running deadline (urgent, soonest first),
    then the rent unpaid after due date and grace (the oldest first)."""
    if orders is None:
        orders = list(annotate(assigned_orders(user), today))
    deadlines, unpaid, seen = [], [], set()
    for order in orders:
        if order.client_id is None or order.client_id in seen:
            continue
        seen.add(order.client_id)
        client = order.client
        url = reverse("referrals:client_detail", args=[client.pk])
        if order.rent_recover_by is not None:
            deadlines.append((order.rent_recover_by, client.pk, WorklistItem(
                title=client.full_name, url=url, detail=_deadline_detail(order.rent_recover_by, today), urgent=True,
            )))
        due = order.rent_oldest_due
        if order.rent_unpaid > 0 and due is not None and due + timedelta(days=order.rent_grace) < today:
            unpaid.append((due, client.pk, WorklistItem(
                title=client.full_name, url=url,
                detail=_("Rent unpaid · %(amount)s · due %(date)s") % {"amount": kr(order.rent_unpaid),
                                                                     "date": _short(due)},
            )))
    return [item for *_key, item in sorted(deadlines)] + [item for *_key, item in sorted(unpaid)]


def rent_status(user: User, client_id: int, today: date) -> str | None:
    notices = RentNotice.objects.filter(tenancy__client_id=client_id, issued_on__lte=today)
    if not notices.exists():
        return None
    unpaid = (
        notices.filter(due_date__lt=today).with_settled(today).filter(outstanding__gt=0)
        .aggregate(total=Sum("outstanding"), since=Min("due_date"))
    )
    if not unpaid["total"]:
        return _("According to the rent ledger: nothing unpaid")
    return _("According to the rent ledger: %(amount)s unpaid since %(date)s") % {
        "amount": kr(unpaid["total"]), "date": _short(unpaid["since"]),
    }
