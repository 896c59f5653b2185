"""Import of a unit's existing apartment and tenancy register from one XLSX
or CSV file. docs/import.md describes the columns; COLUMNS below is the
single source for the page's column help, the template and the parser.

Three steps, so that nothing is ever half-imported:

1. read_table(): the file into rows of cell values. A file that is not a
   readable spreadsheet raises ImportFileError with a Swedish message.
2. plan_import(): every row parsed, checked and matched against the
   database, without writing. Every problem becomes a RowError naming the
   row as the spreadsheet shows it (header = row 1) and the column.
3. apply: only when no row has an error, in the same transaction as the
   planning (run_import), so a concurrent change cannot slip in between.

A dry run stops after step 2. What an empty optional cell means: "keep what
the register holds". Importing an old file again therefore never erases
or re-opens what was registered since (a move-out registered in the app
stays), and importing the same file twice finds everything unchanged.

Matching: apartments on (unit, object number, ignoring case, as the
apartment register does), clients on the personal identity number among the
unit's clients, tenancies on (apartment, client, move-in date).
"""

import csv
import io
import logging
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import AccessAction
from audit.services import Change, diff_fields, log_access, record_changes
from audit.versioning import ConcurrentEditError, claim_version
from core import personnummer
from core.dates import check_date
from core.formatting import kr
from referrals import protection
from referrals.models import Client

from .models import Apartment, ApartmentKind, ApartmentStatus, EndReason, Tenancy, Tenure
from .services.apartments import TRACKED_FIELDS as APARTMENT_TRACKED_FIELDS
from .services.apartments import display_snapshot
from .services.tenancies import derive_programme_fields

logger = logging.getLogger(__name__)

# An import is a unit's register: thousands of rows at most. The limits keep
# a mistaken upload (or a zip bomb) from tying up a web process.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DATA_ROWS = 10_000
MAX_COLUMNS = 60
# An XLSX file is a zip archive: 1 MB of it can inflate to gigabytes, and
# openpyxl reads the shared strings whole. So the archive's own directory is
# checked before openpyxl sees it (zipfile never inflates a member beyond the
# size the directory declares, so the declared sizes are a real bound), and
# the sheet's rows are counted as they stream, empty ones included.
MAX_XLSX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_XLSX_MEMBERS = 500
MAX_SHEET_ROWS = 100_000
MAX_SHEET_COLUMNS = 1_000
# No number in a register comes near this (rent in kronor, rooms, area,
# floor); bigger ones are typos or hostile, and Decimal arithmetic on 1e309
# raised instead of giving the row an error.
MAX_NUMBER = Decimal(10) ** 12

OBJECT_TYPE = "tenancies.import"


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is Swedish, for the user."""


@dataclass(frozen=True)
class RowError:
    row: int | None  # as the spreadsheet shows it: the header is row 1 (None: the file as a whole)
    column: str  # the column's header ("" when the problem is the whole row)
    message: str  # Swedish, for the user

    def __str__(self):
        if self.row is None:
            return self.message
        if self.column:
            return _("Row %(row)s, column “%(column)s”: %(message)s") % {
                "row": self.row, "column": self.column, "message": self.message,
            }
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


# --- Cell values -----------------------------------------------------------------


class _Invalid(Exception):
    """A cell's value is refused; the message is for the user."""


def _text(value):
    """A cell as text: Excel gives numbers and dates, CSV gives text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())


def _fold(text):
    """For comparing headers and labels: case, spaces and ² do not matter."""
    return " ".join(text.replace("²", "2").split()).casefold()


def _long_text(value):
    """Multi-line text (notes) keeps its line breaks."""
    if not isinstance(value, str):
        return _text(value)
    return "\n".join(" ".join(line.split()) for line in value.strip().splitlines())


def parse_text(max_length, multiline=False):
    def parse(value):
        text = _long_text(value) if multiline else _text(value)
        if len(text) > max_length:
            raise _Invalid(_("At most %(n)s characters.") % {"n": max_length})
        return text
    return parse


def parse_date(value):
    day = _parse_date(value)
    try:
        check_date(day)
    except ValidationError as error:
        raise _Invalid(error.messages[0]) from None
    return day


def _parse_date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?", text)
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            raise _Invalid(_("The date %(value)s does not exist.") % {"value": text}) from None
    raise _Invalid(_("Write the date as 2026-11-22 (year-month-day); “%(value)s” is not a date.") % {"value": text[:40]})


def _number(value):
    if isinstance(value, bool):
        raise _Invalid(_("Write a number."))
    if isinstance(value, int | float):
        return _bounded(Decimal(str(value)), value)
    text = _text(value).replace("\xa0", "").replace(" ", "").replace("−", "-")
    if "," in text and "." in text:
        raise _Invalid(_("Write the number without thousands separators, with a decimal comma: 1234,5."))
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise _Invalid(_("“%(value)s” is not a number.") % {"value": _text(value)[:40]}) from None
    return _bounded(number, value)


def _bounded(number, value):
    # NaN and infinity (a CSV "nan", "inf", or an XLSX cell of 1e309, which
    # openpyxl reads as float infinity) compare and quantize only by raising.
    if not number.is_finite():
        raise _Invalid(_("“%(value)s” is not a number.") % {"value": _text(value)[:40]})
    if abs(number) >= MAX_NUMBER:
        raise _Invalid(_("The number is too large."))
    return number


def parse_decimal(places, maximum):
    def parse(value):
        number = _number(value)
        if number != number.quantize(Decimal(1).scaleb(-places)):
            raise _Invalid(_("At most %(n)s decimal(s).") % {"n": places})
        if number <= 0 or number > maximum:
            raise _Invalid(_("Write a number greater than 0 and at most %(max)s.") % {"max": maximum})
        return number.quantize(Decimal(1).scaleb(-places))
    return parse


def parse_integer(value):
    number = _number(value)
    if number != number.to_integral_value() or not -10 <= number <= 200:
        raise _Invalid(_("Write a whole number, e.g. 3 (0 for the ground floor, -1 below)."))
    return int(number)


def parse_money(value):
    """Kronor as written (6 500, 6500,50, 6 500 kr) to öre."""
    if isinstance(value, str):
        value = re.sub(r"\s*kr\.?$", "", value.strip(), flags=re.IGNORECASE)
    number = _number(value)
    if number < 0:
        raise _Invalid(_("The amount cannot be negative."))
    if number != number.quantize(Decimal("0.01")):
        raise _Invalid(_("Write the amount in kronor with at most two decimals (öre)."))
    ore = int(number * 100)
    if ore > 2_000_000_000:
        raise _Invalid(_("The amount is too large."))
    return ore


def parse_yes_no(value):
    if isinstance(value, bool):
        return value
    folded = _fold(_text(value))
    if folded in ("ja", "j", "x", "1", _fold(_("Yes"))):
        return True
    if folded in ("nej", "n", "0", _fold(_("No"))):
        return False
    raise _Invalid(_("Write “Ja” or “Nej”."))


def parse_personal_number(value):
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Excel stores a number typed without a hyphen as a number and drops
        # a leading zero (people born 2000–2009): put it back.
        digits = _text(value)
        value = digits.zfill(10) if len(digits) < 10 else digits
    try:
        return personnummer.parse(_text(value)).digits
    except personnummer.InvalidPersonalNumber as error:
        raise _Invalid(str(error)) from None


def labels_of(choices):
    """The Swedish labels the UI shows, which the file uses: {folded label: value}."""
    with translation.override("sv"):
        return {_fold(str(label)): value for value, label in choices.choices}


def label_list(choices):
    with translation.override("sv"):
        return [str(label) for label in choices.labels]


def parse_choice(choices):
    def parse(value):
        text = _text(value)
        found = labels_of(choices).get(_fold(text))
        if found is None:
            raise _Invalid(
                _("Unknown value “%(value)s”. Allowed: %(allowed)s.")
                % {"value": text[:60], "allowed": "; ".join(label_list(choices))}
            )
        return found
    return parse


# --- The columns -------------------------------------------------------------------

# Who must fill a column in.
ALWAYS = "always"  # header and a value on every row
TENANT = "tenant"  # header always; a value on every row with a tenant
HEADER = "header"  # header always; the value may be empty
OPTIONAL = "optional"  # may be left out of the file altogether


@dataclass(frozen=True)
class Column:
    key: str  # the model field it fills
    header: str  # Swedish, as in the file (not translated: the file format must not change with the UI language)
    level: str  # "apartment" or "tenancy"
    required: str
    parse: object
    meaning: str  # lazy translation
    format: str  # lazy translation
    choices: object = None  # TextChoices whose Swedish labels are the allowed values

    @property
    def allowed(self):
        return label_list(self.choices) if self.choices else []


def _max(model, name):
    return model._meta.get_field(name).max_length


A, T = "apartment", "tenancy"
TEXT = gettext_lazy("Text")
DATE = gettext_lazy("Date, e.g. 2026-11-22")
MONEY = gettext_lazy("Kronor per month, e.g. 6 500 or 6500,50")
CHOICE = gettext_lazy("One of the values listed")

COLUMNS = [
    Column("object_number", "Objektsnummer", A, ALWAYS, parse_text(_max(Apartment, "object_number")),
           gettext_lazy("The apartment's object number, unique within the unit. Apartments are matched on it."), TEXT),
    Column("street_address", "Adress", A, ALWAYS, parse_text(_max(Apartment, "street_address")),
           gettext_lazy("Street address with number (and flat number)."), TEXT),
    Column("postal_code", "Postnummer", A, OPTIONAL, parse_text(_max(Apartment, "postal_code")),
           gettext_lazy("Postal code."), gettext_lazy("Text, e.g. 186 30")),
    Column("area", "Område", A, OPTIONAL, parse_text(_max(Apartment, "area")),
           gettext_lazy("District or part of the municipality."), TEXT),
    Column("rooms", "Antal rum", A, ALWAYS, parse_decimal(1, Decimal("99.9")),
           gettext_lazy("Number of rooms (kitchen not counted)."), gettext_lazy("Number, e.g. 2 or 1,5")),
    Column("size_m2", "Yta (m²)", A, ALWAYS, parse_decimal(1, Decimal("99999.9")),
           gettext_lazy("Living area in square metres."), gettext_lazy("Number, e.g. 48 or 48,5")),
    Column("floor", "Våning", A, OPTIONAL, parse_integer,
           gettext_lazy("Floor; 0 is the ground floor."), gettext_lazy("Whole number")),
    Column("has_lift", "Hiss", A, OPTIONAL, parse_yes_no,
           gettext_lazy("Whether the building has a lift."), gettext_lazy("Ja or Nej")),
    Column("accessibility_notes", "Tillgänglighet", A, OPTIONAL, parse_text(2000, multiline=True),
           gettext_lazy("Accessibility: steps, door widths, adaptations."), TEXT),
    Column("kind", "Lägenhetstyp", A, ALWAYS, parse_choice(ApartmentKind),
           gettext_lazy("Kind of apartment."), CHOICE, ApartmentKind),
    Column("tenure", "Upplåtelseform", A, ALWAYS, parse_choice(Tenure),
           gettext_lazy("Tenure."), CHOICE, Tenure),
    Column("landlord", "Hyresvärd", A, ALWAYS, parse_text(_max(Apartment, "landlord")),
           gettext_lazy("The first-hand landlord (or the housing association)."), TEXT),
    Column("lease_start", "Förstahandskontrakt från", A, OPTIONAL, parse_date,
           gettext_lazy("Start of the first-hand lease."), DATE),
    Column("lease_end", "Förstahandskontrakt till", A, OPTIONAL, parse_date,
           gettext_lazy("End of the first-hand lease, when it has one."), DATE),
    Column("monthly_cost", "Kostnad per månad (kr)", A, OPTIONAL, parse_money,
           gettext_lazy("What the apartment costs the social services a month."), MONEY),
    Column("rent", "Hyra per månad (kr)", A, OPTIONAL, parse_money,
           gettext_lazy("The rent charged to the tenant a month."), MONEY),
    Column("status", "Lägenhetsstatus", A, OPTIONAL, parse_choice(ApartmentStatus),
           gettext_lazy("Only needed for an apartment under repair, being returned or that has left the programme: "
                        "vacant and occupied follow from the tenancies."), CHOICE, ApartmentStatus),
    Column("notes", "Anteckningar", A, OPTIONAL, parse_text(2000, multiline=True),
           gettext_lazy("Notes on the apartment."), TEXT),
    Column("personal_number", "Personnummer", T, HEADER, parse_personal_number,
           gettext_lazy("The tenant's personal identity or coordination number. Empty on a row for an apartment "
                        "that has never been let."),
           gettext_lazy("YYYYMMDD-NNNN, YYMMDD-NNNN or without hyphen")),
    Column("first_name", "Förnamn", T, TENANT, parse_text(_max(Client, "first_name")),
           gettext_lazy("The tenant's first name; used when the client is created."), TEXT),
    Column("last_name", "Efternamn", T, TENANT, parse_text(_max(Client, "last_name")),
           gettext_lazy("The tenant's last name; used when the client is created."), TEXT),
    Column("start_date", "Inflyttningsdatum", T, TENANT, parse_date,
           gettext_lazy("Move-in date. Tenancies are matched on apartment, tenant and move-in date."), DATE),
    Column("end_date", "Utflyttningsdatum", T, HEADER, parse_date,
           gettext_lazy("Move-out date (the last day); empty while the tenancy runs."), DATE),
    Column("end_reason", "Avslutsorsak", T, HEADER, parse_choice(EndReason),
           gettext_lazy("Why the tenancy ended; required when there is a move-out date."), CHOICE, EndReason),
    Column("end_note", "Anteckning om avslutet", T, OPTIONAL, parse_text(_max(Tenancy, "end_note")),
           gettext_lazy("Note on the ending."), TEXT),
    Column("tenancy_rent", "Hyresgästens hyra (kr)", T, OPTIONAL, parse_money,
           gettext_lazy("The rent in this tenant's contract; empty: the apartment's rent."), MONEY),
]
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
APARTMENT_KEYS = [column.key for column in COLUMNS if column.level == A]
TENANCY_KEYS = [column.key for column in COLUMNS if column.level == T and column.key != "personal_number"]


def header(key):
    return COLUMN_BY_KEY[key].header


# --- Reading the file ----------------------------------------------------------------


XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_table(data):
    """[(row number, [cell values])] from XLSX or CSV bytes, header first."""
    if not data or not data.strip():
        raise ImportFileError(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(_("The file is larger than %(mb)s MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)})
    if data.startswith(XLS_MAGIC):
        raise ImportFileError(_("Old Excel files (.xls) cannot be read. Save the file as an Excel workbook (.xlsx) "
                                "or as “CSV UTF-8” and try again."))
    return _read_xlsx(data) if data.startswith(XLSX_MAGIC) else _read_csv(data)


def _kept_rows(numbered):
    """The header and the rows with a value, with their numbers; refuses a
    file with more rows than an import takes (sheets formatted far down
    have empty rows, which do not count)."""
    rows = []
    for number, values in numbered:
        values = list(values)
        if number > 1 and not any(_text(value) for value in values):
            continue
        if len(rows) > MAX_DATA_ROWS:
            raise ImportFileError(_("The file has more than %(n)s rows; split it into smaller files.")
                                  % {"n": MAX_DATA_ROWS})
        rows.append((number, values))
    return rows


def _check_archive(data, unreadable):
    """Refuses an XLSX archive too large when unpacked, before parsing it."""
    too_large = _("The workbook is too large when unpacked (more than %(mb)s MB or %(n)s parts). Save only the "
                  "register's sheet, or save it as “CSV UTF-8”, and try again.") % {
        "mb": MAX_XLSX_UNCOMPRESSED_BYTES // (1024 * 1024), "n": MAX_XLSX_MEMBERS}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportFileError(unreadable) from None
    if len(members) > MAX_XLSX_MEMBERS or sum(m.file_size for m in members) > MAX_XLSX_UNCOMPRESSED_BYTES:
        raise ImportFileError(too_large)


def _check_sheet_size(sheet):
    """The sheet's declared size (A1:XFD1048576 is a hostile or broken
    file: refused; a smaller wrong size is reset and the rows counted)."""
    try:
        max_row, max_column = sheet.max_row or 0, sheet.max_column or 0
    except Exception:  # a dimension openpyxl cannot read: counted while streaming instead
        return
    if max_row > MAX_SHEET_ROWS or max_column > MAX_SHEET_COLUMNS:
        raise ImportFileError(_("The sheet has more than %(rows)s rows or %(columns)s columns; split it into "
                                "smaller files.") % {"rows": MAX_SHEET_ROWS, "columns": MAX_SHEET_COLUMNS})


def _counted(rows):
    """Every row the sheet streams, empty ones included, up to MAX_SHEET_ROWS."""
    for number, values in rows:
        if number > MAX_SHEET_ROWS:
            raise ImportFileError(_("The sheet has more than %(rows)s rows or %(columns)s columns; split it "
                                    "into smaller files.") % {"rows": MAX_SHEET_ROWS, "columns": MAX_SHEET_COLUMNS})
        yield number, values


def _read_xlsx(data):
    import openpyxl

    unreadable = _("The file could not be read as an Excel workbook (.xlsx). Check that it is not damaged or "
                   "password protected, or save it as “CSV UTF-8” and try again.")
    _check_archive(data, unreadable)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        logger.info("import: unreadable xlsx", exc_info=True)
        raise ImportFileError(unreadable) from None
    try:
        sheet = workbook.worksheets[0]
        _check_sheet_size(sheet)
        # Some programs write a wrong sheet size; read every row there is.
        sheet.reset_dimensions()
        return _kept_rows(_counted(enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1)))
    except ImportFileError:
        raise
    except Exception:
        logger.info("import: unreadable xlsx sheet", exc_info=True)
        raise ImportFileError(unreadable) from None
    finally:
        workbook.close()


def _read_csv(data):
    not_text = _("The file is neither an Excel workbook (.xlsx) nor a CSV file in UTF-8. Save it as .xlsx or "
                 "as “CSV UTF-8” and try again.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(not_text) from None
    if "\x00" in text:
        raise ImportFileError(not_text)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    # The header holds no decimal commas, so its separators tell which one
    # the file uses (Excel writes ";" in Swedish settings, others ",").
    delimiter = ";" if first_line.count(";") >= first_line.count(",") and ";" in first_line else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return _kept_rows((number, values[:MAX_COLUMNS]) for number, values in enumerate(reader, start=1))
    except csv.Error:
        raise ImportFileError(_("The CSV file could not be read: check the quotation marks.")) from None


# --- Planning ----------------------------------------------------------------------------


@dataclass
class Counts:
    create: int = 0
    update: int = 0
    unchanged: int = 0

    def add(self, action):
        setattr(self, action, getattr(self, action) + 1)

    def as_dict(self):
        return {"create": self.create, "update": self.update, "unchanged": self.unchanged}


@dataclass
class ImportResult:
    """What an import did (or, for a dry run or a bad file, would do)."""

    apartments: Counts = field(default_factory=Counts)
    clients: Counts = field(default_factory=Counts)
    tenancies: Counts = field(default_factory=Counts)
    errors: list = field(default_factory=list)
    dry_run: bool = True
    applied: bool = False

    @property
    def ok(self):
        return not self.errors

    def counts(self):
        return {"apartments": self.apartments.as_dict(), "clients": self.clients.as_dict(),
                "tenancies": self.tenancies.as_dict()}

    def summary(self):
        """The counts in a sentence without personal data (for the log and the command)."""
        def part(label, counts):
            return _("%(label)s: %(create)s new, %(update)s changed, %(unchanged)s unchanged") % {
                "label": label, **counts.as_dict()}
        return "; ".join([part(_("apartments"), self.apartments), part(_("clients"), self.clients),
                          part(_("tenancies"), self.tenancies)])


@dataclass
class _Row:
    number: int
    apartment: dict  # field -> parsed value, for the apartment columns given a value
    tenant: dict | None  # None on an apartment-only row
    ok: bool = True


@dataclass
class _ApartmentPlan:
    key: str
    row: int  # the first row naming it
    values: dict
    existing: Apartment | None
    status: str = ""  # the status it will have
    action: str = "unchanged"
    instance: Apartment | None = None


@dataclass
class _ClientPlan:
    digits: str
    row: int
    first_name: str
    last_name: str
    existing: Client | None
    action: str = "unchanged"
    instance: Client | None = None


@dataclass
class _TenancyPlan:
    row: int
    apartment: _ApartmentPlan
    client: _ClientPlan
    start: date
    end: date | None
    end_reason: str
    end_note: str | None  # None: keep
    rent: int | None  # None: keep (or the apartment's rent for a new one)
    existing: Tenancy | None
    action: str = "unchanged"
    changes: dict = field(default_factory=dict)


@dataclass
class _Period:
    """A tenancy as it will be after the import, for the overlap checks."""

    start: date
    end: date | None
    end_reason: str
    plan: _TenancyPlan | None = None  # None: already in the register, not in the file
    # A registered tenancy of a tenant with protected personal data: its
    # dates beside the file's apartment would say when they moved in there
    # (referrals.protection), so the message does not give them.
    protected: bool = False

    def where(self):
        if self.plan is not None:
            return _("row %(row)s") % {"row": self.plan.row}
        if self.protected:
            return _("a tenancy already registered for a tenant with protected personal data")
        return _("the tenancy already registered %(start)s – %(end)s") % {
            "start": self.start.isoformat(), "end": self.end.isoformat() if self.end else _("until further notice")}


class _Planner:
    def __init__(self, table, unit, today):
        self.table = table
        self.unit = unit
        self.today = today
        self.errors = []
        self.positions = {}

    def error(self, row, key_or_header, message):
        column = COLUMN_BY_KEY[key_or_header].header if key_or_header in COLUMN_BY_KEY else key_or_header
        self.errors.append(RowError(row, column, message))

    # --- header and cells ---

    def read_header(self):
        if not self.table:
            raise ImportFileError(_("The file is empty."))
        _number, values = self.table[0]
        if not any(_text(value) for value in values):
            raise ImportFileError(_("The first row must hold the column headers (see the template)."))
        by_folded = {_fold(column.header): column for column in COLUMNS}
        for index, value in enumerate(values):
            text = _text(value)
            if not text:
                continue
            column = by_folded.get(_fold(text))
            if column is None:
                self.error(1, text, _("Unknown column. Use the headers of the template (see the column list); "
                                      "remove columns the import does not know."))
            elif column.key in self.positions:
                self.error(1, text, _("The column appears twice."))
            else:
                self.positions[column.key] = index
        for column in COLUMNS:
            if column.required != OPTIONAL and column.key not in self.positions:
                self.error(1, column.header, _("The column is missing; it is required."))
        return not self.errors

    def parse_rows(self):
        rows = []
        for number, values in self.table[1:]:
            cells = {key: values[index] if index < len(values) else None for key, index in self.positions.items()}
            if all(_text(value) == "" for value in cells.values()):
                continue  # blank rows, common at the end of a sheet
            rows.append(self.parse_row(number, cells))
        if not rows:
            raise ImportFileError(_("The file has no rows under the header row."))
        return rows

    def parse_row(self, number, cells):
        row = _Row(number, {}, None)
        parsed = {}
        for key, value in cells.items():
            if _text(value) == "":
                continue
            try:
                parsed[key] = COLUMN_BY_KEY[key].parse(value)
            except _Invalid as invalid:
                self.error(number, key, str(invalid))
                row.ok = False
        failed = {error.column for error in self.errors if error.row == number}
        for column in COLUMNS:
            if column.required == ALWAYS and column.key not in parsed and column.header not in failed:
                self.error(number, column.key, _("A value is required."))
                row.ok = False
        row.apartment = {key: value for key, value in parsed.items() if key in APARTMENT_KEYS}
        if "lease_start" in parsed and "lease_end" in parsed and parsed["lease_end"] < parsed["lease_start"]:
            self.error(number, "lease_end", _("The lease cannot end before it starts."))
            row.ok = False

        tenant_values = {key: value for key, value in parsed.items() if key in TENANCY_KEYS}
        tenant_given = any(_text(cells.get(key)) for key in TENANCY_KEYS)
        if "personal_number" not in parsed:
            if header("personal_number") in failed:
                return row
            if tenant_given:
                self.error(number, "personal_number", _("The tenant's personal identity number is missing. "
                                                        "Leave every tenant column empty on a row for an "
                                                        "apartment without tenant."))
                row.ok = False
            return row
        row.tenant = {"personal_number": parsed["personal_number"], **tenant_values}
        for key in ("first_name", "last_name", "start_date"):
            if key not in parsed and header(key) not in failed:
                self.error(number, key, _("A value is required on a row with a tenant."))
                row.ok = False
        start, end = parsed.get("start_date"), parsed.get("end_date")
        if start and start > self.today:
            self.error(number, "start_date", _("The move-in date is in the future. Register coming move-ins in "
                                               "the application, with the decision they execute."))
            row.ok = False
        if start and end and end < start:
            self.error(number, "end_date", _("The move-out date is before the move-in date."))
            row.ok = False
        if end and "end_reason" not in parsed and header("end_reason") not in failed:
            self.error(number, "end_reason", _("An ended tenancy must have an end reason."))
            row.ok = False
        if "end_reason" in parsed and "end_date" not in parsed and header("end_date") not in failed:
            self.error(number, "end_reason", _("An end reason needs a move-out date."))
            row.ok = False
        return row

    # --- matching ---

    def plan(self):
        rows = self.parse_rows()
        apartments = self.plan_apartments(rows)
        clients = self.plan_clients(rows)
        tenancies = self.plan_tenancies(rows, apartments, clients)
        self.check_periods(apartments, clients, tenancies)
        # An apartment with a bad row may miss tenancies: its status would
        # be judged on half the facts.
        bad = {_fold(row.apartment.get("object_number", "")) for row in rows if not row.ok}
        good = {key: plan for key, plan in apartments.items() if key not in bad}
        self.plan_statuses(good)
        self.check_leases(good)
        if self.errors:
            return None
        self.decide_actions(apartments, clients, tenancies)
        return apartments, clients, tenancies

    def plan_apartments(self, rows):
        existing = {_fold(a.object_number): a for a in Apartment.objects.filter(unit=self.unit)}
        plans = {}
        for row in rows:
            number = row.apartment.get("object_number")
            if number is None:
                continue
            key = _fold(number)
            plan = plans.get(key)
            if plan is None:
                plans[key] = _ApartmentPlan(key, row.number, dict(row.apartment), existing.get(key))
                continue
            for name, value in row.apartment.items():
                if name == "object_number":
                    continue
                if name in plan.values and plan.values[name] != value:
                    self.error(row.number, name, _("Differs from row %(row)s for the same object number; "
                                                   "an apartment's columns must agree on all its rows.")
                               % {"row": plan.row})
                    row.ok = False
                elif name not in plan.values:
                    plan.values[name] = value
        return plans

    def plan_clients(self, rows):
        numbers = {row.tenant["personal_number"] for row in rows if row.tenant}
        found = {c.personal_number: c for c in Client.objects.filter(personal_number__in=numbers)}
        plans = {}
        for row in rows:
            if not row.tenant:
                continue
            digits = row.tenant["personal_number"]
            client = found.get(digits)
            if client is not None and client.unit_id != self.unit.pk:
                # Matching only within the unit: another unit's client is not
                # the importer's to see, nor to file tenancies on.
                self.error(row.number, "personal_number", _(
                    "The number belongs to a client your unit does not have access to. Nothing can be imported "
                    "for this person; contact the system administrator."))
                row.ok = False
                continue
            first, last = row.tenant.get("first_name", ""), row.tenant.get("last_name", "")
            plan = plans.get(digits)
            if plan is None:
                plans[digits] = _ClientPlan(digits, row.number, first, last, client)
            elif client is None and (first, last) != (plan.first_name, plan.last_name):
                self.error(row.number, "first_name", _(
                    "The name differs from row %(row)s for the same personal identity number.") % {"row": plan.row})
                row.ok = False
        return plans

    def plan_tenancies(self, rows, apartments, clients):
        matched_apartments = [p.existing for p in apartments.values() if p.existing is not None]
        matched_clients = [p.existing for p in clients.values() if p.existing is not None]
        existing = Tenancy.objects.filter(
            Q(apartment__in=matched_apartments) | Q(client__in=matched_clients)
        ).select_related("apartment", "client")
        self.registered = list(existing)
        by_key = {(t.apartment_id, t.client_id, t.start_date): t for t in self.registered}
        plans = []
        seen = {}
        for row in rows:
            if not row.tenant or not row.ok:
                continue
            apartment = apartments.get(_fold(row.apartment.get("object_number", "")))
            client = clients.get(row.tenant["personal_number"])
            if apartment is None or client is None:
                continue
            start = row.tenant["start_date"]
            key = (apartment.key, client.digits, start)
            if key in seen:
                self.error(row.number, "start_date", _("The same tenancy (apartment, tenant and move-in date) is "
                                                       "already on row %(row)s.") % {"row": seen[key]})
                continue
            seen[key] = row.number
            current = None
            if apartment.existing is not None and client.existing is not None:
                current = by_key.get((apartment.existing.pk, client.existing.pk, start))
            end = row.tenant.get("end_date")
            reason = row.tenant.get("end_reason", "")
            if current is not None and end is None:
                # An empty move-out date keeps a move-out registered since the
                # file was made.
                end, reason = current.end_date, current.end_reason
            plans.append(_TenancyPlan(
                row.number, apartment, client, start, end, reason,
                row.tenant.get("end_note") if "end_note" in row.tenant else None,
                row.tenant.get("tenancy_rent"), current,
            ))
        return plans

    def check_periods(self, apartments, clients, tenancies):
        """On the state the register will have (the file's tenancies plus
        those it leaves as they are): no overlap within an apartment, a
        client in one apartment at a time (so never two active tenancies),
        nothing after a first-hand takeover. Rows that had errors are left
        out, which can only hide a clash, never invent one."""
        in_file = {t.existing.pk for t in tenancies if t.existing is not None}
        apartment_keys = {p.existing.pk: key for key, p in apartments.items() if p.existing is not None}
        client_keys = {p.existing.pk: digits for digits, p in clients.items() if p.existing is not None}
        by_apartment = defaultdict(list)
        by_client = defaultdict(list)
        for plan in tenancies:
            period = _Period(plan.start, plan.end, plan.end_reason, plan)
            by_apartment[plan.apartment.key].append(period)
            by_client[plan.client.digits].append(period)
        for tenancy in self.registered:
            if tenancy.pk in in_file:
                continue
            period = _Period(tenancy.start_date, tenancy.end_date, tenancy.end_reason,
                             protected=protection.is_protected(tenancy.client))
            if tenancy.apartment_id in apartment_keys:
                by_apartment[apartment_keys[tenancy.apartment_id]].append(period)
            if tenancy.client_id in client_keys:
                by_client[client_keys[tenancy.client_id]].append(period)
        self.periods = by_apartment
        for periods in by_apartment.values():
            self._check_overlaps(periods, _(
                "The tenancy overlaps %(other)s in the same apartment; tenancies of one apartment cannot overlap."))
            self._check_after_takeover(periods)
        for periods in by_client.values():
            self._check_overlaps(periods, _(
                "The tenant lives in another apartment at the same time (%(other)s); a client lives in one "
                "apartment at a time."), both_open=_(
                "The tenant would have two tenancies without a move-out date (also %(other)s); a client has one "
                "active tenancy at a time."))

    def _check_overlaps(self, periods, message, both_open=None):
        periods.sort(key=lambda p: (p.start, p.plan is None))
        reach = None  # the period reaching furthest so far
        for period in periods:
            if reach is not None and (reach.end is None or reach.end >= period.start):
                text = both_open if both_open and reach.end is None and period.end is None else message
                if period.plan is not None:
                    self.error(period.plan.row, "start_date" if text is message else "end_date",
                               text % {"other": reach.where()})
                elif reach.plan is not None:
                    self.error(reach.plan.row, "end_date", text % {"other": period.where()})
            if reach is None or (reach.end is not None and (period.end is None or period.end > reach.end)):
                reach = period

    def _check_after_takeover(self, periods):
        message = _("The apartment left the programme when the tenant of %(other)s took over the first-hand "
                    "contract; it cannot have later tenancies.")
        for takeover in periods:
            if takeover.end_reason != EndReason.FIRST_HAND_TAKEOVER or takeover.end is None:
                continue
            for later in periods:
                if later.start <= takeover.end:
                    continue
                if later.plan is not None:
                    self.error(later.plan.row, "start_date", message % {"other": takeover.where()})
                elif takeover.plan is not None:
                    self.error(takeover.plan.row, "end_reason", message % {"other": later.where()})

    def plan_statuses(self, apartments):
        """The status each apartment will have, from its tenancies after the
        import; the file's status only for what tenancies cannot tell."""
        labels = dict(zip(ApartmentStatus.values, label_list(ApartmentStatus), strict=True))
        for key, plan in apartments.items():
            periods = sorted(self.periods.get(key, []), key=lambda p: p.start)
            let_now = any(p.end is None or p.end >= self.today for p in periods)
            taken_over = bool(periods) and periods[-1].end_reason == EndReason.FIRST_HAND_TAKEOVER and not let_now
            wanted = plan.values.get("status")
            stored = plan.existing.status if plan.existing is not None else ApartmentStatus.VACANT

            def refuse(reason, wanted=wanted, plan=plan):
                self.error(plan.row, "status", _("“%(status)s” does not fit: %(reason)s")
                           % {"status": labels[wanted], "reason": reason})

            if let_now:
                if wanted in (ApartmentStatus.VACANT, ApartmentStatus.REPAIR, ApartmentStatus.LEFT_PROGRAMME):
                    refuse(_("a tenancy runs today (register the move-out date first)."))
                # Being returned may be decided while the tenant still lives
                # there, as on the apartment page; otherwise occupied.
                plan.status = (ApartmentStatus.BEING_RETURNED if (wanted or stored) == ApartmentStatus.BEING_RETURNED
                               else ApartmentStatus.OCCUPIED)
            elif taken_over:
                if wanted not in (None, ApartmentStatus.LEFT_PROGRAMME):
                    refuse(_("the last tenant took over the first-hand contract, so the apartment has left the "
                             "programme."))
                plan.status = ApartmentStatus.LEFT_PROGRAMME
            elif wanted == ApartmentStatus.OCCUPIED:
                refuse(_("no tenancy runs today."))
            elif wanted is not None:
                plan.status = wanted
            elif stored in (ApartmentStatus.REPAIR, ApartmentStatus.BEING_RETURNED, ApartmentStatus.LEFT_PROGRAMME):
                plan.status = stored  # an empty cell keeps what the register holds
            else:
                plan.status = ApartmentStatus.VACANT

    def check_leases(self, apartments):
        """The lease's dates as they will be, one of them perhaps from the
        register (an empty cell keeps it)."""
        for plan in apartments.values():
            stored = plan.existing
            start = plan.values.get("lease_start", stored.lease_start if stored else None)
            end = plan.values.get("lease_end", stored.lease_end if stored else None)
            if start and end and end < start and not ("lease_start" in plan.values and "lease_end" in plan.values):
                self.error(plan.row, "lease_end" if "lease_end" in plan.values else "lease_start",
                           _("The lease cannot end before it starts."))

    def decide_actions(self, apartments, clients, tenancies):
        for plan in apartments.values():
            if plan.existing is None:
                plan.action = "create"
            else:
                plan.action = "update" if _apartment_changes(plan) else "unchanged"
        for plan in tenancies:
            if plan.existing is None:
                plan.action = "create"
                continue
            current = plan.existing
            wanted = {"end_date": plan.end, "end_reason": plan.end_reason}
            if plan.end_note is not None:
                wanted["end_note"] = plan.end_note
            if plan.rent is not None:
                wanted["rent"] = plan.rent
            plan.changes = {name: value for name, value in wanted.items() if getattr(current, name) != value}
            plan.action = "update" if plan.changes else "unchanged"
        touched = {t.client.digits for t in tenancies if t.action != "unchanged"}
        for plan in clients.values():
            if plan.existing is None:
                plan.action = "create"
            else:
                plan.action = "update" if plan.digits in touched else "unchanged"


def _apartment_changes(plan):
    current = plan.existing
    changed = [name for name, value in plan.values.items()
               if name not in ("object_number", "status") and getattr(current, name) != value]
    if current.status != plan.status:
        changed.append("status")
    return changed


# --- Applying -----------------------------------------------------------------------


def _import_note(today):
    return _("Created by the import of the apartment register on %(date)s.") % {"date": today.isoformat()}


def _apply(ctx, unit, apartments, clients, tenancies, today):
    for plan in apartments.values():
        if plan.action == "create":
            values = {k: v for k, v in plan.values.items() if k != "status"}
            apartment = Apartment(unit=unit, status=plan.status, **values)
            apartment.save()
            plan.instance = apartment
        else:
            plan.instance = plan.existing
            if plan.action == "update":
                _update_apartment(ctx, plan)

    for plan in clients.values():
        if plan.action == "create":
            client = Client(unit=unit, first_name=plan.first_name, last_name=plan.last_name,
                            personal_number=plan.digits, notes=_import_note(today))
            client.save()
            log_access(ctx, AccessAction.CREATE, client, note="import")
            plan.instance = client
        else:
            plan.instance = plan.existing

    # Changes to registered tenancies first, ending ones before the others,
    # then the new ones by date: every state in between is one the
    # database's own rules accept (see the no-overlap constraint).
    updates = sorted((t for t in tenancies if t.action == "update"), key=lambda t: t.existing.end_date is not None)
    for plan in updates:
        _update_tenancy(ctx, plan)
    for plan in sorted((t for t in tenancies if t.action == "create"), key=lambda t: t.start):
        apartment = plan.apartment.instance
        Tenancy(
            apartment=apartment, client=plan.client.instance, start_date=plan.start, end_date=plan.end,
            end_reason=plan.end_reason, end_note=plan.end_note or "",
            rent=plan.rent if plan.rent is not None else apartment.rent,
            created_by=ctx.user, continuous_since=plan.start,
        ).save()

    changed_clients = [p.instance for p in clients.values() if p.action != "unchanged"]
    for client in changed_clients:
        _derive_in_order(client)
    for plan in clients.values():
        if plan.action == "update":
            log_access(ctx, AccessAction.UPDATE, plan.instance, note="import")


def _update_apartment(ctx, plan):
    apartment = plan.existing
    before = display_snapshot(apartment)
    claim_version(apartment, apartment.version)
    for name, value in plan.values.items():
        if name not in ("object_number", "status"):
            setattr(apartment, name, value)
    apartment.status = plan.status
    apartment.save()
    record_changes(ctx, apartment, diff_fields(before, display_snapshot(apartment), APARTMENT_TRACKED_FIELDS))


def _display(tenancy, name):
    value = getattr(tenancy, name)
    if name == "end_reason":
        return tenancy.get_end_reason_display() if value else ""
    if name == "rent":
        return "" if value is None else kr(value)
    if isinstance(value, date):
        return value.isoformat()
    return value or ""


def _update_tenancy(ctx, plan):
    tenancy = plan.existing
    before = {name: _display(tenancy, name) for name in plan.changes}
    claim_version(tenancy, tenancy.version)
    for name, value in plan.changes.items():
        setattr(tenancy, name, value)
    tenancy.save(update_fields=[*plan.changes, "version"])
    record_changes(ctx, tenancy, [
        Change(name, str(Tenancy._meta.get_field(name).verbose_name), before[name], _display(tenancy, name))
        for name in plan.changes
    ])


def _derive_in_order(client):
    """is_internal_move and continuous_since of every tenancy of `client`,
    in move-in order, each from the one before it (as the services do)."""
    for tenancy in Tenancy.objects.filter(client=client).order_by("start_date", "pk"):
        before = (tenancy.is_internal_move, tenancy.continuous_since)
        derive_programme_fields(tenancy)
        if (tenancy.is_internal_move, tenancy.continuous_since) != before:
            Tenancy.objects.filter(pk=tenancy.pk).update(
                is_internal_move=tenancy.is_internal_move, continuous_since=tenancy.continuous_since)


# --- The one entry point ----------------------------------------------------------------


def run_import(ctx, data, unit, *, dry_run, today=None):
    """Import the register in `data` (XLSX or CSV bytes) into `unit`.

    Returns an ImportResult: the counts, and the errors when any row is bad
    (then nothing is written). A dry run only plans. Raises ImportFileError
    when the file cannot be read at all.

    The clients the file's numbers match are read (and may be named in the
    preview or the errors): on the import page the read recorder logs them
    (audit.reads), from the command line the command records them.
    """
    today = today or timezone.localdate()
    table = read_table(data)
    result = ImportResult(dry_run=dry_run)
    try:
        with transaction.atomic():
            planner = _Planner(table, unit, today)
            if not planner.read_header():
                result.errors = planner.errors
                return result
            planned = planner.plan()
            if planned is None:
                result.errors = sorted(planner.errors, key=lambda e: (e.row, COLUMN_ORDER.get(e.column, 99)))
                return result
            apartments, clients, tenancies = planned
            for plan in apartments.values():
                result.apartments.add(plan.action)
            for plan in clients.values():
                result.clients.add(plan.action)
            for plan in tenancies:
                result.tenancies.add(plan.action)
            if dry_run:
                return result
            _apply(ctx, unit, apartments, clients, tenancies, today)
            log_access(ctx, AccessAction.CREATE, object_type=OBJECT_TYPE, note=result.summary())
            result.applied = True
    except (IntegrityError, ConcurrentEditError):
        # Someone changed the register between our reading and writing
        # (the database's constraints or the version check caught it).
        logger.info("import: conflict with a concurrent change", exc_info=True)
        result.applied = False
        result.errors = [RowError(None, "", _("The register was changed by someone else during the import. Nothing "
                                           "was imported; try again."))]
    return result


COLUMN_ORDER = {column.header: index for index, column in enumerate(COLUMNS)}


# --- The template ------------------------------------------------------------------------

TEMPLATE_FILENAME = "importmall-lagenhetsregister.xlsx"
FICTIONAL = "Fiktiv"


def template_rows():
    """Two example rows, fictional: one apartment, an ended and a current
    tenancy. The identity numbers are made up (valid check digit) and
    marked as fictional in the names and the notes."""
    with translation.override("sv"):
        apartment = {
            "object_number": "EX-1001", "street_address": "Exempelgatan 1, lgh 1101", "postal_code": "186 30",
            "area": "Centrum", "rooms": Decimal("2"), "size_m2": Decimal("48.5"), "floor": 2, "has_lift": "Ja",
            "accessibility_notes": "", "kind": str(ApartmentKind.TRAINING.label), "tenure": str(Tenure.RENTAL.label),
            "landlord": "Fiktiva Bostäder AB", "lease_start": date(2019, 1, 1), "lease_end": None,
            "monthly_cost": 7200, "rent": 6500, "status": "",
            "notes": "Exempelrad med påhittade uppgifter.",
        }
        first = {
            "personal_number": personnummer.format_digits(personnummer.make_number(date(1985, 3, 14), 238)),
            "first_name": FICTIONAL, "last_name": "Exempelsson", "start_date": date(2020, 2, 1),
            "end_date": date(2023, 1, 31), "end_reason": str(EndReason.OWN_HOUSING.label),
            "end_note": "Påhittat personnummer (exempel).", "tenancy_rent": 6200,
        }
        second = {
            "personal_number": personnummer.format_digits(personnummer.make_number(date(1992, 7, 2), 462)),
            "first_name": FICTIONAL, "last_name": "Provsdotter", "start_date": date(2023, 3, 1),
            "end_date": None, "end_reason": "", "end_note": "Påhittat personnummer (exempel).", "tenancy_rent": None,
        }
    return [{**apartment, **first}, {**apartment, **second}]


def build_template():
    """The import template as XLSX bytes: the header row and two example
    rows on the first sheet, the column list and allowed values on the
    second; the value columns have drop-down lists."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    with translation.override("sv"):
        sheet.title = str(_("Apartment register"))
        sheet.append([column.header for column in COLUMNS])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for values in template_rows():
            sheet.append([values.get(column.key) for column in COLUMNS])
        for row in (2, 3):
            for index, column in enumerate(COLUMNS, start=1):
                cell = sheet.cell(row=row, column=index)
                if column.parse is parse_date:
                    cell.number_format = "yyyy-mm-dd"
            number_cell = sheet.cell(row=row, column=_position("personal_number"))
            number_cell.comment = Comment(str(_("Fictional identity number: an example only.")), "Bolots")
        for index, column in enumerate(COLUMNS, start=1):
            sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = max(12, len(column.header) + 4)
        sheet.freeze_panes = "A2"

        help_sheet = workbook.create_sheet(str(_("Instructions")))
        help_sheet.append([str(_("Column")), str(_("Required")), str(_("Meaning")), str(_("Format")),
                           str(_("Allowed values"))])
        for cell in help_sheet[1]:
            cell.font = Font(bold=True)
        for column in COLUMNS:
            help_sheet.append([column.header, str(required_text(column)), str(column.meaning), str(column.format),
                               "; ".join(column.allowed)])
        for letter, width in zip("ABCDE", (28, 30, 60, 30, 60), strict=True):
            help_sheet.column_dimensions[letter].width = width

        lists = workbook.create_sheet(str(_("Values")))
        choice_columns = [column for column in COLUMNS if column.choices]
        for list_index, column in enumerate(choice_columns, start=1):
            letter = openpyxl.utils.get_column_letter(list_index)
            lists.cell(row=1, column=list_index, value=column.header).font = Font(bold=True)
            for value_index, label in enumerate(column.allowed, start=2):
                lists.cell(row=value_index, column=list_index, value=label)
            validation = DataValidation(
                type="list", formula1=f"'{lists.title}'!${letter}$2:${letter}${len(column.allowed) + 1}",
                allow_blank=True, showErrorMessage=False,
            )
            target = openpyxl.utils.get_column_letter(_position(column.key))
            validation.add(f"{target}2:{target}{MAX_DATA_ROWS + 1}")
            sheet.add_data_validation(validation)
    workbook.active = 0
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _position(key):
    return [column.key for column in COLUMNS].index(key) + 1


def required_text(column):
    return {
        ALWAYS: gettext_lazy("Yes, on every row"),
        TENANT: gettext_lazy("On rows with a tenant"),
        HEADER: gettext_lazy("The column is required; the value may be empty"),
        OPTIONAL: gettext_lazy("No"),
    }[column.required]
