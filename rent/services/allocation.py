"""Allocation: which notices a tenancy's payments settle. Payments settle
the oldest open notices first (due date, then the notice's number); what is
left of a payment is the tenant's credit and settles the next notice made
(services.runs calls allocate_tenancy after each run). Credit notes and
write-offs settle the one notice they name. This module is the only writer
of models.Allocation."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, IntegerField, Sum, Value
from django.db.models.functions import Coalesce

from rent.models import Allocation, CreditNote, Payment, RentNotice, WriteOff
from rent.signals import payments_allocated
from tenancies.models import Tenancy


def _unallocated_payments(tenancy_id: int):
    return (
        Payment.objects.filter(tenancy_id=tenancy_id, returned=False)
        .annotate(used=Coalesce(Sum("allocations__amount"), Value(0), output_field=IntegerField()))
        .filter(used__lt=F("amount"))
        .order_by("paid_on", "id")
    )


def credit_balance(tenancy_id: int) -> int:
    """What the tenant has paid and no notice has taken yet (öre)."""
    return sum(payment.amount - payment.used for payment in _unallocated_payments(tenancy_id))


@transaction.atomic
def allocate_tenancy(tenancy_id: int) -> list[Allocation]:
    """Allocate the tenancy's unallocated payments to its open notices,
    oldest first. Safe to call any number of times: it only moves what is
    not yet allocated. The tenancy row is locked so that two imports
    touching one tenant allocate one after the other (PostgreSQL)."""
    list(Tenancy.objects.select_for_update().filter(pk=tenancy_id).values_list("pk", flat=True))
    notices = list(
        RentNotice.objects.filter(tenancy_id=tenancy_id).with_settled().filter(outstanding__gt=0)
        .order_by("due_date", "id")
    )
    if not notices:
        return []
    made = []
    open_amounts = {notice.pk: notice.outstanding for notice in notices}
    for payment in _unallocated_payments(tenancy_id):
        left = payment.amount - payment.used
        for notice in notices:
            if left == 0:
                break
            take = min(left, open_amounts[notice.pk])
            if take <= 0:
                continue
            made.append(Allocation(
                notice=notice, payment=payment, amount=take, on=max(payment.paid_on, notice.issued_on),
            ))
            open_amounts[notice.pk] -= take
            left -= take
    Allocation.objects.bulk_create(made)
    if made:
        payments_allocated.send(sender=Allocation, tenancy_ids=[tenancy_id])
    return made


@transaction.atomic
def allocate_tenancies(tenancy_ids) -> int:
    """allocate_tenancy for many tenancies at once, in a fixed number of
    queries whatever their number (a BgMax import of thousands of payments,
    services.bgmax_import): the same rule, oldest notice first. Returns the
    number of allocations made."""
    ids = sorted(set(tenancy_ids))
    if not ids:
        return 0
    made = []
    for start in range(0, len(ids), 2000):
        chunk = ids[start:start + 2000]
        list(Tenancy.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values_list("pk", flat=True))
        notices: dict[int, list] = {}
        for notice in (RentNotice.objects.filter(tenancy_id__in=chunk).with_settled().filter(outstanding__gt=0)
                       .order_by("due_date", "id")):
            notices.setdefault(notice.tenancy_id, []).append(notice)
        if not notices:
            continue
        open_amounts = {notice.pk: notice.outstanding for rows in notices.values() for notice in rows}
        payments = (
            Payment.objects.filter(tenancy_id__in=list(notices), returned=False)
            .annotate(used=Coalesce(Sum("allocations__amount"), Value(0), output_field=IntegerField()))
            .filter(used__lt=F("amount"))
            .order_by("paid_on", "id")
        )
        for payment in payments:
            left = payment.amount - payment.used
            for notice in notices[payment.tenancy_id]:
                if left == 0:
                    break
                take = min(left, open_amounts[notice.pk])
                if take <= 0:
                    continue
                made.append(Allocation(
                    notice=notice, payment=payment, amount=take, on=max(payment.paid_on, notice.issued_on),
                ))
                open_amounts[notice.pk] -= take
                left -= take
    Allocation.objects.bulk_create(made, batch_size=2000)
    touched = sorted({allocation.notice.tenancy_id for allocation in made})
    if touched:
        # One signal for all: a receiver reads what it needs for the lot in
        # one query (the import's query count does not grow per tenant).
        payments_allocated.send(sender=Allocation, tenancy_ids=touched)
    return len(made)


def _settle_named_notice(source, **source_field) -> Allocation:
    notice = RentNotice.objects.select_for_update().get(pk=source.notice_id)
    outstanding = RentNotice.objects.filter(pk=notice.pk).with_settled().values_list("outstanding", flat=True)[0]
    if source.amount > outstanding:
        raise ValueError("A credit or write-off may not exceed what is open on the notice.")
    return Allocation.objects.create(notice=notice, amount=source.amount, on=source_field.pop("on"), **source_field)


@transaction.atomic
def allocate_credit_note(credit_note: CreditNote) -> Allocation:
    """The credit note settles its notice; refused (ValueError) beyond what
    is open, which the form checks first with a message."""
    return _settle_named_notice(credit_note, credit_note=credit_note, on=credit_note.credited_on)


@transaction.atomic
def allocate_write_off(write_off: WriteOff) -> Allocation:
    return _settle_named_notice(write_off, write_off=write_off, on=write_off.written_off_on)


__all__ = ["allocate_credit_note", "allocate_tenancies", "allocate_tenancy", "allocate_write_off", "credit_balance"]
