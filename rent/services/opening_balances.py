"""The import of opening balances (ingående skulder): the debts a unit's
tenants have when it starts with the ledger, from a CSV or XLSX file, with
the register import's conventions (docs/import.md): the file is read with
tenancies.importer's reader and its limits, every cell is checked with a
Swedish message naming the row and column, a dry run shows what would be
made, and nothing at all is saved when any row is wrong.

One row per tenant: the identity number (personnummer), the amount in
kronor (decimal comma), the date the debt is as of, and a note. The
tenancy is the tenant's current one in the unit, or their latest ended one
(a tenant who moved out with a debt still owes it). Each row becomes a
RentNotice of kind opening_balance (an OCR reference, due on the as-of
date) with one NoticeLine "debt brought forward", pointing at the
OpeningBalanceImport. Refused: a file imported before (its SHA-256), a
tenancy that has an opening balance already, a tenant twice in the file.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _

from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from core import personnummer
from referrals import protection
from rent.models import LineKind, NoticeKind, NoticeLine, OpeningBalanceImport, RentNotice
from rent.ocr import notice_reference
from rent.services.allocation import allocate_tenancy
from rent.services.periods import booking_month
from tenancies.importer.cells import (
    InvalidCell,
    cell_text,
    fold,
    parse_date,
    parse_money,
    parse_personal_number,
    parse_text,
)
from tenancies.importer.reading import read_table
from tenancies.importer.results import ImportFileError, RowError
from tenancies.models import Tenancy

TEMPLATE_FILENAME = "importmall-ingaende-skulder.xlsx"
MATCH_NOTE = "opening_balance_match"
NOTE_MAX = 200


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # Swedish, as the template writes it
    aliases: tuple[str, ...]


# The file's columns, in the template's order. Headers are matched without
# regard to case and spaces; the aliases are what people write by hand.
COLUMNS = [
    Column("personal_number", "Personnummer", ("personnummer", "personnr", "samordningsnummer")),
    Column("amount", "Belopp (kr)", ("belopp (kr)", "belopp", "skuld", "skuld (kr)")),
    Column("as_of", "Per datum", ("per datum", "datum")),
    Column("note", "Anteckning", ("anteckning", "kommentar")),
]
REQUIRED = ("personal_number", "amount", "as_of")


@dataclass
class OpeningRow:
    row: int
    personal_number: str
    amount: int
    as_of: date
    note: str
    tenancy: Tenancy | None = None


@dataclass
class OpeningResult:
    rows: list[OpeningRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = True
    applied: bool = False
    record: OpeningBalanceImport | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total(self) -> int:
        return sum(row.amount for row in self.rows)


def _header_map(header: list[object]) -> tuple[dict[str, int], list[RowError]]:
    positions: dict[str, int] = {}
    by_alias = {alias: column for column in COLUMNS for alias in column.aliases}
    for index, value in enumerate(header):
        column = by_alias.get(fold(cell_text(value)))
        if column is not None and column.key not in positions:
            positions[column.key] = index
    errors = [
        RowError(None, "", _("The column “%(column)s” is missing. Use the template's header row.")
                 % {"column": column.header})
        for column in COLUMNS if column.key in REQUIRED and column.key not in positions
    ]
    return positions, errors


def _cell(values: list[object], positions: dict[str, int], key: str) -> object:
    index = positions.get(key)
    return values[index] if index is not None and index < len(values) else None


def _parse_rows(table, positions) -> tuple[list[OpeningRow], list[RowError]]:
    rows, errors = [], []
    headers = {column.key: column.header for column in COLUMNS}
    for number, values in table[1:]:
        parsed, row_errors = {}, []
        for key, parser in (("personal_number", parse_personal_number), ("amount", parse_money),
                            ("as_of", parse_date), ("note", parse_text(NOTE_MAX))):
            value = _cell(values, positions, key)
            if not cell_text(value):
                if key in REQUIRED:
                    row_errors.append(RowError(number, headers[key], _("The value is missing.")))
                parsed[key] = ""
                continue
            try:
                parsed[key] = parser(value)
            except InvalidCell as error:
                row_errors.append(RowError(number, headers[key], str(error)))
        if not row_errors and parsed["amount"] <= 0:
            row_errors.append(RowError(number, headers["amount"], _("The amount must be greater than 0.")))
        if row_errors:
            errors.extend(row_errors)
            continue
        rows.append(OpeningRow(number, parsed["personal_number"], parsed["amount"], parsed["as_of"], parsed["note"]))
    return rows, errors


def _match(ctx: AuditContext, rows: list[OpeningRow], unit) -> list[RowError]:
    """Each row's tenancy: the tenant's current one in the unit, else their
    latest. One query for the tenancies and one for existing balances."""
    header = COLUMNS[0].header
    numbers = {row.personal_number for row in rows}
    candidates: dict[str, Tenancy] = {}
    tenancies = (
        Tenancy.objects.visible_to(ctx.user).filter(apartment__unit=unit, client__personal_number__in=numbers)
        .select_related("client", "apartment")
        .order_by(F("end_date").desc(nulls_first=True), "-start_date", "-id")
    )
    for tenancy in tenancies:
        candidates.setdefault(tenancy.client.personal_number, tenancy)
    already = set(
        RentNotice.objects.filter(kind=NoticeKind.OPENING_BALANCE, tenancy__in=list(candidates.values()))
        .values_list("tenancy_id", flat=True)
    )
    errors, seen = [], {}
    for row in rows:
        tenancy = candidates.get(row.personal_number)
        if tenancy is None:
            errors.append(RowError(row.row, header, _("No tenancy in the unit has a tenant with this identity number.")))
            continue
        row.tenancy = tenancy
        # The tenant was found by the number in the file: a read of the client.
        log_access(ctx, AccessAction.VIEW, tenancy, note=MATCH_NOTE)
        if tenancy.pk in already:
            errors.append(RowError(row.row, header, _("The tenancy already has an opening balance.")))
        elif tenancy.pk in seen:
            errors.append(RowError(row.row, header, _("The same tenant is on row %(row)s too.") % {"row": seen[tenancy.pk]}))
        else:
            seen[tenancy.pk] = row.row
    return errors


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def run_import(ctx: AuditContext, data: bytes, filename: str, unit, *, dry_run: bool = True) -> OpeningResult:
    """Check the file and, unless `dry_run` or any row is wrong, make its
    notices in one transaction. Raises ImportFileError for a file that
    cannot be read at all."""
    table = read_table(data)
    result = OpeningResult(dry_run=dry_run)
    sha256 = file_hash(data)
    earlier = OpeningBalanceImport.objects.filter(unit=unit, sha256=sha256).first()
    if earlier is not None:
        result.errors.append(RowError(None, "", _("This file was imported on %(day)s; it is not imported twice.")
                                      % {"day": earlier.imported_at.date().isoformat()}))
        return result
    positions, header_errors = _header_map(table[0][1] if table else [])
    if header_errors:
        result.errors.extend(header_errors)
        return result
    result.rows, result.errors = _parse_rows(table, positions)
    if not result.rows and not result.errors:
        result.errors.append(RowError(None, "", _("The file has no rows below the header.")))
        return result
    result.errors.extend(_match(ctx, result.rows, unit))
    result.errors.sort(key=lambda error: (error.row or 0))
    if result.errors or dry_run:
        return result
    result.record = _apply(ctx, result.rows, unit, filename, sha256)
    result.applied = True
    return result


@transaction.atomic
def _apply(ctx: AuditContext, rows: list[OpeningRow], unit, filename: str, sha256: str) -> OpeningBalanceImport:
    record = OpeningBalanceImport.objects.create(
        unit=unit, filename=filename[:255], sha256=sha256, rows=len(rows), total=sum(row.amount for row in rows),
        imported_by=ctx.user,
    )
    notices = RentNotice.objects.bulk_create([
        RentNotice(
            tenancy=row.tenancy, kind=NoticeKind.OPENING_BALANCE, issued_on=row.as_of, due_date=row.as_of,
            amount=row.amount, opening_import=record, booked_month=booking_month(unit.pk, row.as_of),
            created_by=ctx.user,
        )
        for row in rows
    ])
    with translation.override("sv"):
        default_text = str(LineKind.OPENING_BALANCE.label)
    for notice in notices:
        notice.ocr = notice_reference(notice.pk)
    RentNotice.objects.bulk_update(notices, ["ocr"])
    NoticeLine.objects.bulk_create([
        NoticeLine(notice=notice, kind=LineKind.OPENING_BALANCE, text=(row.note or default_text)[:200],
                   amount=row.amount)
        for notice, row in zip(notices, rows, strict=True)
    ])
    for notice, row in zip(notices, rows, strict=True):
        notice.tenancy = row.tenancy
        log_access(ctx, AccessAction.CREATE, notice, client=row.tenancy.client)
    # A payment made before the import (the tenant's credit) settles the debt.
    for tenancy_id in sorted({row.tenancy.pk for row in rows}):
        allocate_tenancy(tenancy_id)
    log_access(ctx, AccessAction.CREATE, record)
    return record


def preview_rows(user, result: OpeningResult) -> list[dict]:
    """The preview's rows, the tenant as the user may see them (a protected
    tenant is named only to those who may; no apartment is shown)."""
    out = []
    for row in result.rows:
        tenancy = row.tenancy
        if tenancy is None:
            continue
        hidden = protection.tenant_hidden(user, tenancy) or protection.apartment_hidden(user, tenancy)
        out.append({
            "row": row.row,
            "tenant": protection.PROTECTED_TENANT_LABEL if hidden else tenancy.client.full_name,
            "amount": row.amount,
            "as_of": row.as_of,
            "note": row.note,
        })
    return out


def build_template() -> bytes:
    """The template: the header row and one fictional example row."""
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Ingående skulder"
    sheet.append([column.header for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    example = personnummer.format_digits(personnummer.make_number(date(1985, 3, 14), 238))
    sheet.append([example, "4500,50", date(2026, 12, 31), "Påhittat exempel: hyresskuld enligt tidigare reskontra."])
    sheet.cell(row=2, column=3).number_format = "yyyy-mm-dd"
    for letter, width in zip("ABCD", (18, 14, 14, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


__all__ = ["COLUMNS", "ImportFileError", "OpeningResult", "build_template", "preview_rows", "run_import"]
