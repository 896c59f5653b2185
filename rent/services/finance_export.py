"""Export of a month's charges and payments to the finance system: SIE 4I
(an import file, code page 437) or the same rows as CSV (docs/rent.md,
"SIE export and locked months").

A month's vouchers are every ledger entry *booked* in it (booked_month,
set when the entry is made by services.periods.booking_month):
- a notice: debit the receivable, credit rent income (rent lines) or other
  income (charges); instalment and opening-balance lines are debts already
  in the books and are not booked again;
- a payment: debit the bank, credit the receivable (a payment paid back is
  left out: the money went back out);
- a credit note: the notice reversed (debit the income, credit the receivable);
- a write-off: debit the write-off account, credit the receivable.
Each #TRANS carries the cost centre and the apartment (its object number)
as objects. No personal data: the voucher text is the notice's OCR
reference (a payment's reference), never a name or a personnummer.

Exporting a month locks it (models.FinanceExport, services.periods): later
entries dated in it are booked in the next month. Months are exported in
order, only once they have ended. Exporting a locked month again gives the
same bytes (#GEN is the date of the first export) and records nothing new:
the finance system can be given the file again without a second booking
being suggested by us."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from accounts.models import Unit
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from core.exports import csv_text
from rent.models import CreditNote, ExportFormat, FinanceExport, LineKind, Payment, RentNotice, RentSettings, WriteOff
from rent.services import periods

PROGRAM_VERSION = "1.0"
INCOME_LINES = {LineKind.RENT: "rent_income_account", LineKind.CHARGE: "other_income_account"}
ACCOUNT_NAMES = {
    "receivable_account": "Hyresfordringar",
    "rent_income_account": "Hyresintäkter",
    "other_income_account": "Övriga intäkter",
    "bank_account": "Inbetalningar",
    "write_off_account": "Avskrivna hyresfordringar",
}
CSV_HEADER = ["Verifikation", "Datum", "Text", "Konto", "Kostnadsställe", "Lägenhet", "Belopp"]


class ExportRefused(Exception):
    """The month may not be exported (not ended, or a month before it is not)."""


@dataclass
class Trans:
    account: str
    amount: int  # öre; debit positive, credit negative
    apartment: str = ""


@dataclass
class Voucher:
    day: date
    text: str
    rows: list[Trans] = field(default_factory=list)

    def balance(self) -> int:
        return sum(row.amount for row in self.rows)


def quote(value: str) -> str:
    """A SIE text field: always quoted, quotes and backslashes escaped."""
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def kronor(ore: int) -> str:
    sign = "-" if ore < 0 else ""
    return f"{sign}{abs(ore) // 100}.{abs(ore) % 100:02d}"


def settings_of(unit: Unit) -> RentSettings:
    return RentSettings.objects.filter(unit=unit).first() or RentSettings(unit=unit)


def _in_month(day: date, month: date) -> date:
    """A voucher's date inside its booking month (an entry moved out of a
    locked month is dated on the first day of the month it is booked in)."""
    return max(day, month)


def vouchers(unit: Unit, month: date, setup: RentSettings | None = None) -> list[Voucher]:
    """The month's vouchers, each balanced (AssertionError otherwise: a
    file that does not balance is never written). Five queries."""
    setup = setup or settings_of(unit)
    month = periods.month_of(month)
    account = lambda name: getattr(setup, name)  # noqa: E731
    found: list[Voucher] = []

    notices = (
        RentNotice.objects.filter(tenancy__apartment__unit=unit, booked_month=month)
        .select_related("tenancy__apartment").prefetch_related("lines").order_by("issued_on", "id")
    )
    for notice in notices:
        apartment = notice.tenancy.apartment.object_number
        voucher = Voucher(_in_month(notice.issued_on, month), f"Avi {notice.ocr}")
        for line in notice.lines.all():
            income = INCOME_LINES.get(line.kind)
            if income is None:
                continue
            voucher.rows.append(Trans(account(income), -line.amount, apartment))
        if voucher.rows:
            voucher.rows.insert(0, Trans(account("receivable_account"), -voucher.balance(), apartment))
            found.append(voucher)

    payments = (
        Payment.objects.filter(unit=unit, booked_month=month, returned=False)
        .select_related("tenancy__apartment").order_by("paid_on", "id")
    )
    for payment in payments:
        apartment = payment.tenancy.apartment.object_number if payment.tenancy_id else ""
        voucher = Voucher(_in_month(payment.paid_on, month), f"Inbetalning {payment.reference or payment.pk}")
        voucher.rows = [Trans(account("bank_account"), payment.amount, apartment),
                        Trans(account("receivable_account"), -payment.amount, apartment)]
        found.append(voucher)

    credits = (
        CreditNote.objects.filter(tenancy__apartment__unit=unit, booked_month=month)
        .select_related("tenancy__apartment", "notice").prefetch_related("notice__lines")
        .order_by("credited_on", "id")
    )
    for credit in credits:
        apartment = credit.tenancy.apartment.object_number
        kinds = {line.kind for line in credit.notice.lines.all()}
        income = "rent_income_account" if LineKind.RENT in kinds or not kinds & {LineKind.CHARGE} else \
            "other_income_account"
        voucher = Voucher(_in_month(credit.credited_on, month), f"Kredit avi {credit.notice.ocr}")
        voucher.rows = [Trans(account(income), credit.amount, apartment),
                        Trans(account("receivable_account"), -credit.amount, apartment)]
        found.append(voucher)

    write_offs = (
        WriteOff.objects.filter(tenancy__apartment__unit=unit, booked_month=month)
        .select_related("tenancy__apartment", "notice").order_by("written_off_on", "id")
    )
    for write_off in write_offs:
        apartment = write_off.tenancy.apartment.object_number
        voucher = Voucher(_in_month(write_off.written_off_on, month), f"Avskrivning avi {write_off.notice.ocr}")
        voucher.rows = [Trans(account("write_off_account"), write_off.amount, apartment),
                        Trans(account("receivable_account"), -write_off.amount, apartment)]
        found.append(voucher)

    for voucher in found:
        assert voucher.balance() == 0, f"voucher {voucher.text} does not balance"
    return found


def _objects(setup: RentSettings, apartment: str) -> str:
    parts = []
    if setup.cost_centre:
        parts.append(f"{setup.cost_centre_dimension} {quote(setup.cost_centre)}")
    if apartment:
        parts.append(f"{setup.apartment_dimension} {quote(apartment)}")
    return "{" + " ".join(parts) + "}"


def sie_text(unit: Unit, month: date, generated: date, setup: RentSettings | None = None) -> tuple[str, int]:
    """The SIE 4I file as text and its number of vouchers."""
    setup = setup or settings_of(unit)
    month = periods.month_of(month)
    found = vouchers(unit, month, setup)
    year_start = month.replace(month=1)
    lines = [
        "#FLAGGA 0",
        "#FORMAT PC8",
        "#SIETYP 4",
        f"#PROGRAM {quote('Bolots')} {quote(PROGRAM_VERSION)}",
        f"#GEN {generated:%Y%m%d}",
        f"#FNAMN {quote(setup.payee_name or unit.name)}",
    ]
    if setup.organisation_number:
        lines.append(f"#ORGNR {setup.organisation_number}")
    lines.append(f"#RAR 0 {year_start:%Y%m%d} {year_start + relativedelta(years=1, days=-1):%Y%m%d}")
    if setup.cost_centre:
        lines.append(f"#DIM {setup.cost_centre_dimension} {quote('Kostnadsställe')}")
    lines.append(f"#DIM {setup.apartment_dimension} {quote('Lägenhet')}")
    used = {row.account for voucher in found for row in voucher.rows}
    for name, label in ACCOUNT_NAMES.items():
        number = getattr(setup, name)
        if number in used:
            lines.append(f"#KONTO {number} {quote(label)}")
            used.discard(number)
    if setup.cost_centre:
        lines.append(f"#OBJEKT {setup.cost_centre_dimension} {quote(setup.cost_centre)} {quote(unit.name)}")
    for apartment in sorted({row.apartment for voucher in found for row in voucher.rows if row.apartment}):
        lines.append(f"#OBJEKT {setup.apartment_dimension} {quote(apartment)} {quote(apartment)}")
    for voucher in found:
        lines.append(f'#VER "" "" {voucher.day:%Y%m%d} {quote(voucher.text)}')
        lines.append("{")
        for row in voucher.rows:
            lines.append(f"   #TRANS {row.account} {_objects(setup, row.apartment)} {kronor(row.amount)}")
        lines.append("}")
    return "\r\n".join(lines) + "\r\n", len(found)


def csv_rows(unit: Unit, month: date, setup: RentSettings | None = None) -> list[list]:
    setup = setup or settings_of(unit)
    rows = []
    for number, voucher in enumerate(vouchers(unit, month, setup), start=1):
        for row in voucher.rows:
            rows.append([number, voucher.day.isoformat(), voucher.text, row.account, setup.cost_centre,
                         row.apartment, kronor(row.amount).replace(".", ",")])
    return rows


def _generated_on(unit: Unit, month: date) -> date:
    first = FinanceExport.objects.filter(unit=unit, month=month).order_by("exported_at", "id").first()
    return timezone.localdate(first.exported_at) if first else timezone.localdate()


def exportable(unit: Unit, month: date, today: date | None = None) -> None:
    """Raise ExportRefused unless `month` may be exported now: it has ended,
    and it is locked already or the first month after the last locked one."""
    today = today or timezone.localdate()
    month = periods.month_of(month)
    if month >= periods.month_of(today):
        raise ExportRefused("not_ended")
    last = periods.last_locked_month(unit.pk)
    if last is not None and month > last + relativedelta(months=1):
        raise ExportRefused("gap")


@transaction.atomic
def _record(ctx: AuditContext, unit: Unit, month: date, fmt: str, content: bytes, count: int) -> FinanceExport:
    digest = hashlib.sha256(content).hexdigest()
    existing = FinanceExport.objects.filter(unit=unit, month=month, format=fmt, sha256=digest).first()
    made = existing or FinanceExport.objects.create(
        unit=unit, month=month, format=fmt, sha256=digest, vouchers=count, exported_by=ctx.user,
    )
    log_access(ctx, AccessAction.EXPORT, made, note=f"{fmt} {month:%Y-%m}: {count} vouchers"
               + (" (again)" if existing else ""))
    return made


def export_sie(ctx: AuditContext, unit: Unit, month: date) -> bytes:
    """The month's SIE 4I file (cp437), recorded and the month locked."""
    month = periods.month_of(month)
    exportable(unit, month)
    text, count = sie_text(unit, month, _generated_on(unit, month))
    content = text.encode("cp437", errors="replace")
    _record(ctx, unit, month, ExportFormat.SIE, content, count)
    return content


def export_csv(ctx: AuditContext, unit: Unit, month: date) -> bytes:
    """The same rows as CSV (core.exports: Swedish Excel dialect)."""
    month = periods.month_of(month)
    exportable(unit, month)
    rows = csv_rows(unit, month)
    content = csv_text(CSV_HEADER, rows).encode("utf-8")
    _record(ctx, unit, month, ExportFormat.CSV, content, len({row[0] for row in rows}))
    return content
