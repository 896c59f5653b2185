"""Reading the register file: XLSX or CSV bytes into numbered rows of cell
values, within limits that keep a mistaken upload (or a zip bomb) from tying
up a web process. A file that is not a readable spreadsheet raises
ImportFileError with a Swedish message."""

import csv
import io
import logging
import zipfile
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _

from .cells import cell_text
from .results import ImportFileError

logger = logging.getLogger(__name__)

# [(row number as the spreadsheet shows it, [cell values])], the header first.
Table = list[tuple[int, list[object]]]

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


XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_table(data: bytes) -> Table:
    """[(row number, [cell values])] from XLSX or CSV bytes, header first."""
    if not data or not data.strip():
        raise ImportFileError(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(_("The file is larger than %(mb)s MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)})
    if data.startswith(XLS_MAGIC):
        raise ImportFileError(_("Old Excel files (.xls) cannot be read. Save the file as an Excel workbook (.xlsx) "
                                "or as “CSV UTF-8” and try again."))
    return _read_xlsx(data) if data.startswith(XLSX_MAGIC) else _read_csv(data)


def _kept_rows(numbered: Iterable[tuple[int, Iterable[object]]]) -> Table:
    """The header and the rows with a value, with their numbers; refuses a
    file with more rows than an import takes (sheets formatted far down
    have empty rows, which do not count)."""
    rows = []
    for number, values in numbered:
        values = list(values)
        if number > 1 and not any(cell_text(value) for value in values):
            continue
        if len(rows) > MAX_DATA_ROWS:
            raise ImportFileError(_("The file has more than %(n)s rows; split it into smaller files.")
                                  % {"n": MAX_DATA_ROWS})
        rows.append((number, values))
    return rows


def _check_archive(data: bytes, unreadable: str) -> None:
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


def _check_sheet_size(sheet: object) -> None:
    """The sheet's declared size (A1:XFD1048576 is a hostile or broken
    file: refused; a smaller wrong size is reset and the rows counted)."""
    try:
        max_row, max_column = sheet.max_row or 0, sheet.max_column or 0
    except Exception:  # a dimension openpyxl cannot read: counted while streaming instead
        return
    if max_row > MAX_SHEET_ROWS or max_column > MAX_SHEET_COLUMNS:
        raise ImportFileError(_("The sheet has more than %(rows)s rows or %(columns)s columns; split it into "
                                "smaller files.") % {"rows": MAX_SHEET_ROWS, "columns": MAX_SHEET_COLUMNS})


def _counted(rows: Iterable[tuple[int, tuple]]) -> Iterator[tuple[int, tuple]]:
    """Every row the sheet streams, empty ones included, up to MAX_SHEET_ROWS."""
    for number, values in rows:
        if number > MAX_SHEET_ROWS:
            raise ImportFileError(_("The sheet has more than %(rows)s rows or %(columns)s columns; split it "
                                    "into smaller files.") % {"rows": MAX_SHEET_ROWS, "columns": MAX_SHEET_COLUMNS})
        yield number, values


def _read_xlsx(data: bytes) -> Table:
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


def _read_csv(data: bytes) -> Table:
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
