"""Ledger records made directly (no services) for the overdue signals,
Min dag, the checklist note and the SIE export tests."""

from __future__ import annotations

from datetime import date

from rent.models import (
    Allocation,
    CreditNote,
    LineKind,
    NoticeKind,
    NoticeLine,
    Payment,
    PaymentSource,
    RentNotice,
    WriteOff,
)
from rent.ocr import notice_reference


def notice(tenancy, due_date: date, amount: int = 450_000, *, kind=NoticeKind.RENT, booked_month=None,
           lines=None, **fields) -> RentNotice:
    """A notice with its lines (default: one rent line of the whole amount)."""
    lines = lines or [(LineKind.RENT, "Hyra", amount)]
    period = fields.pop("period", due_date.replace(day=1) if kind == NoticeKind.RENT else None)
    made = RentNotice.objects.create(
        tenancy=tenancy, kind=kind, period=period, issued_on=fields.pop("issued_on", due_date),
        due_date=due_date, amount=sum(line[2] for line in lines),
        booked_month=booked_month or due_date.replace(day=1), **fields,
    )
    made.ocr = notice_reference(made.pk)
    made.save(update_fields=["ocr"])
    NoticeLine.objects.bulk_create(
        [NoticeLine(notice=made, kind=line_kind, text=text, amount=value) for line_kind, text, value in lines]
    )
    return made


def paid(notice_: RentNotice, amount: int, on: date, *, booked_month=None, unit=None) -> Payment:
    payment = Payment.objects.create(
        unit=unit or notice_.tenancy.apartment.unit, tenancy=notice_.tenancy, source=PaymentSource.BGMAX,
        paid_on=on, amount=amount, reference=notice_.ocr, booked_month=booked_month or on.replace(day=1),
    )
    Allocation.objects.create(notice=notice_, payment=payment, amount=amount, on=on)
    return payment


def credited(notice_: RentNotice, amount: int, on: date, user, *, booked_month=None) -> CreditNote:
    credit = CreditNote.objects.create(
        tenancy=notice_.tenancy, notice=notice_, credited_on=on, amount=amount, reason="Fel hyra debiterad",
        booked_month=booked_month or on.replace(day=1), created_by=user,
    )
    Allocation.objects.create(notice=notice_, credit_note=credit, amount=amount, on=on)
    return credit


def written_off(notice_: RentNotice, amount: int, on: date, user, *, booked_month=None) -> WriteOff:
    write_off = WriteOff.objects.create(
        tenancy=notice_.tenancy, notice=notice_, written_off_on=on, amount=amount, reason="Preskriberad",
        booked_month=booked_month or on.replace(day=1), created_by=user,
    )
    Allocation.objects.create(notice=notice_, write_off=write_off, amount=amount, on=on)
    return write_off
