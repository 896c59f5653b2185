"""A tenancy's ledger (reskontra): every notice (a debit), payment, credit
note and write-off in date order with a running balance, and the two
corrections a person makes by hand: credit notes (the housing administrator)
and write-offs (the manager only, logged).

The balance is notices − payments − credit notes − write-offs, in öre; a
negative balance is the tenant's credit. It is computed from the four
tables directly, not from the allocations, so that a payment not yet
allocated (the tenant's credit) counts the day it is paid.

`ledger_rows` reads one query (a UNION of the four tables) however many
tenancies and rows it is given (docs/rent.md, "The ledger page").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import BigIntegerField, CharField, DateField, F, Q, Sum, Value
from django.utils.translation import gettext as _

from accounts.access import require_perm
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from rent.models import CreditNote, NoticeKind, Payment, PaymentSource, RentNotice, WriteOff
from rent.services.allocation import allocate_credit_note, allocate_write_off
from rent.services.periods import booking_month

# The access-log note codes of the corrections (labels in RentConfig.access_log_labels).
CREDIT_NOTE_NOTE = "credit_note"
WRITE_OFF_NOTE = "write_off"

# The order of entries on one day: the debt first, then what settles it.
_DAY_ORDER = {"notice": 0, "payment": 1, "credit": 2, "write_off": 3}


class LedgerError(Exception):
    """A correction refused; the message is Swedish, for the user, and
    `field` names the form field it belongs beside."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class LedgerRow:
    tenancy_id: int
    day: date
    kind: str  # "notice", "payment", "credit", "write_off"
    text: str
    debit: int  # öre charged
    credit: int  # öre paid, credited or written off
    balance: int = 0  # running balance after this row
    record: object = None  # the notice, payment, credit note or write-off

    @property
    def sort_key(self):
        return (self.day, _DAY_ORDER[self.kind], getattr(self.record, "pk", 0))


@dataclass(frozen=True)
class Entry:
    """What a ledger row needs of its record: the notice's open amount,
    month and OCR; the payment's source; the pk for links."""

    pk: int
    outstanding: int = 0
    period: date | None = None
    ocr: str = ""


def _columns(kind: str, day: str, text, *, outstanding=None, period=None, ocr=None) -> dict:
    return {
        "k": Value(kind, output_field=CharField()), "rid": F("id"), "tid": F("tenancy_id"), "d": F(day),
        "a": F("amount"), "t": text,
        "o": outstanding if outstanding is not None else Value(0, output_field=BigIntegerField()),
        "p": period if period is not None else Value(None, output_field=DateField()),
        "c": ocr if ocr is not None else Value("", output_field=CharField()),
    }


def _entries_of(tenancy_ids: list[int], on: date | None):
    """Every entry of the tenancies, in one query (a UNION of the four tables)."""
    names = ["k", "rid", "tid", "d", "a", "t", "o", "p", "c"]

    def dated(queryset, field):
        return queryset.filter(**{f"{field}__lte": on}) if on is not None else queryset

    notices = dated(RentNotice.objects.filter(tenancy_id__in=tenancy_ids), "issued_on").with_settled().annotate(
        **_columns("notice", "issued_on", F("kind"), outstanding=F("outstanding"), period=F("period"), ocr=F("ocr"))
    )
    payments = dated(Payment.objects.filter(tenancy_id__in=tenancy_ids, returned=False), "paid_on").annotate(
        **_columns("payment", "paid_on", F("source"))
    )
    credits = dated(CreditNote.objects.filter(tenancy_id__in=tenancy_ids), "credited_on").annotate(
        **_columns("credit", "credited_on", F("reason"))
    )
    write_offs = dated(WriteOff.objects.filter(tenancy_id__in=tenancy_ids), "written_off_on").annotate(
        **_columns("write_off", "written_off_on", F("reason"))
    )
    union = notices.order_by().values_list(*names).union(
        *(queryset.order_by().values_list(*names) for queryset in (payments, credits, write_offs)), all=True
    )
    notice_kinds, sources = dict(NoticeKind.choices), dict(PaymentSource.choices)
    for kind, pk, tenancy_id, day, amount, text, outstanding, period, ocr in union:
        if kind == "notice":
            yield LedgerRow(tenancy_id, day, kind, str(notice_kinds.get(text, text)), amount, 0,
                            record=Entry(pk, outstanding, period, ocr))
        elif kind == "payment":
            yield LedgerRow(tenancy_id, day, kind, str(sources.get(text, text)), 0, amount, record=Entry(pk))
        else:
            yield LedgerRow(tenancy_id, day, kind, text, 0, amount, record=Entry(pk))


def ledger_rows(tenancy_ids: Iterable[int], on: date | None = None) -> dict[int, list[LedgerRow]]:
    """{tenancy id: [LedgerRow]} in date order with the running balance,
    up to `on` when given. One query, whatever the number of rows."""
    tenancy_ids = list(tenancy_ids)
    rows: dict[int, list[LedgerRow]] = {tenancy_id: [] for tenancy_id in tenancy_ids}
    if not tenancy_ids:
        return rows
    for row in _entries_of(tenancy_ids, on):
        rows[row.tenancy_id].append(row)
    for tenancy_rows in rows.values():
        tenancy_rows.sort(key=lambda row: row.sort_key)
        balance = 0
        for row in tenancy_rows:
            balance += row.debit - row.credit
            row.balance = balance
    return rows


def _sums(queryset, field: str, key: str) -> dict[int, int]:
    return {
        row[key]: row["total"] or 0
        for row in queryset.order_by().values(key).annotate(total=Sum(field))
    }


def balances(tenancy_ids: Iterable[int], on: date | None = None) -> dict[int, int]:
    """{tenancy id: balance in öre} (four aggregate queries)."""
    tenancy_ids = list(tenancy_ids)
    if not tenancy_ids:
        return {}
    return _balances(Q(tenancy_id__in=tenancy_ids), on, tenancy_ids)


def _balances(rule: Q, on: date | None, tenancy_ids: list[int] | None = None) -> dict[int, int]:
    dated = {"notice": "issued_on", "payment": "paid_on", "credit": "credited_on", "write_off": "written_off_on"}

    def upto(kind):
        return Q(**{f"{dated[kind]}__lte": on}) if on is not None else Q()

    debits = _sums(RentNotice.objects.filter(rule, upto("notice")), "amount", "tenancy_id")
    paid = _sums(Payment.objects.filter(rule, upto("payment"), returned=False), "amount", "tenancy_id")
    credited = _sums(CreditNote.objects.filter(rule, upto("credit")), "amount", "tenancy_id")
    written_off = _sums(WriteOff.objects.filter(rule, upto("write_off")), "amount", "tenancy_id")
    keys = set(tenancy_ids or ()) | set(debits) | set(paid) | set(credited) | set(written_off)
    keys.discard(None)
    return {
        key: debits.get(key, 0) - paid.get(key, 0) - credited.get(key, 0) - written_off.get(key, 0)
        for key in keys
    }


def balance_of(tenancy, on: date | None = None) -> int:
    """The tenancy's balance in öre (negative: the tenant's credit)."""
    tenancy_id = getattr(tenancy, "pk", tenancy)
    return balances([tenancy_id], on)[tenancy_id]


def unit_balances(unit_id: int, on: date | None = None) -> dict[int, int]:
    """{tenancy id: balance} for every tenancy of the unit's apartments with an entry."""
    return _balances(Q(tenancy__apartment__unit_id=unit_id), on)


def unit_totals(unit_id: int, on: date | None = None) -> dict[str, int]:
    """The unit's total balance (debts minus credits), what its tenants owe
    (the positive balances) and how many owe something."""
    values = unit_balances(unit_id, on).values()
    owed = [value for value in values if value > 0]
    return {"balance": sum(values), "owed": sum(owed), "tenants_owing": len(owed)}


# --- Corrections --------------------------------------------------------------------------


def _open_amount(notice: RentNotice) -> int:
    return RentNotice.objects.filter(pk=notice.pk).with_settled().values_list("outstanding", flat=True)[0]


def _check_amount(notice: RentNotice, amount: int) -> None:
    if amount <= 0:
        raise LedgerError(_("Write an amount greater than 0."), "amount")
    open_amount = _open_amount(notice)
    if amount > open_amount:
        from core.formatting import kr

        raise LedgerError(
            _("The amount is more than what is open on the notice (%(open)s).") % {"open": kr(open_amount)},
            "amount",
        )


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError(_("Write the reason."), "reason")
    return reason


def _lock(notice: RentNotice) -> None:
    """Two corrections of one notice at once are checked one after the other
    (PostgreSQL), so together they never exceed what is open."""
    list(RentNotice.objects.select_for_update().filter(pk=notice.pk).values_list("pk", flat=True))


def _unit_id(notice: RentNotice) -> int:
    return notice.tenancy.apartment.unit_id


@transaction.atomic
def credit_notice(ctx: AuditContext, notice: RentNotice, amount: int, credited_on: date, reason: str) -> CreditNote:
    """Credit `amount` öre of `notice` (kreditering), with a reason; never
    more than is open on it. Booked in the month of `credited_on`, or the
    first month not yet exported (services.periods)."""
    require_perm(ctx.user, "rent.manage_rent")
    reason = _check_reason(reason)
    _lock(notice)
    _check_amount(notice, amount)
    credit = CreditNote.objects.create(
        tenancy_id=notice.tenancy_id, notice=notice, credited_on=credited_on, amount=amount, reason=reason,
        booked_month=booking_month(_unit_id(notice), credited_on), created_by=ctx.user,
    )
    allocate_credit_note(credit)
    log_access(ctx, AccessAction.CREATE, credit, client=notice.tenancy.client, note=CREDIT_NOTE_NOTE)
    return credit


@transaction.atomic
def write_off(ctx: AuditContext, notice: RentNotice, amount: int, on: date, reason: str) -> WriteOff:
    """Write off `amount` öre of `notice` (avskrivning): a manager only
    (rent.write_off), never more than is open, always logged."""
    require_perm(ctx.user, "rent.write_off")
    reason = _check_reason(reason)
    _lock(notice)
    _check_amount(notice, amount)
    record = WriteOff.objects.create(
        tenancy_id=notice.tenancy_id, notice=notice, written_off_on=on, amount=amount, reason=reason,
        booked_month=booking_month(_unit_id(notice), on), created_by=ctx.user,
    )
    allocate_write_off(record)
    log_access(ctx, AccessAction.CREATE, record, client=notice.tenancy.client, note=WRITE_OFF_NOTE)
    return record


__all__ = [
    "LedgerError", "LedgerRow", "balance_of", "balances", "credit_notice", "ledger_rows", "unit_balances",
    "unit_totals", "write_off",
]
