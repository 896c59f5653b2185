"""Hostile import files: numbers that Decimal cannot compare (1e309, nan,
inf) get a row-level Swedish error instead of a 500, and an XLSX zip bomb is
refused from the archive's directory before openpyxl inflates it."""

import io
import tracemalloc
import zipfile

import pytest
from django.urls import reverse

from tenancies import importer
from tenancies.importer import ImportFileError, read_table, reading, run_import
from tenancies.models import Apartment

from .factories import import_rows, register_csv, register_xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("housing_admin", path="test")]

HEADER = [column.header for column in importer.COLUMNS]
NUMBER_COLUMNS = ["Antal rum", "Yta (m²)", "Våning", "Hyra per månad (kr)", "Kostnad per månad (kr)",
                  "Hyresgästens hyra (kr)"]
HOSTILE_NUMBERS = ["1e309", "-1e309", "nan", "NaN", "inf", "-Infinity", "sNaN", "1e30", "9" * 400, "1e-999999"]



def good_rows():
    return import_rows("register_good.csv")


def with_cell(rows, title, value):
    copy = [list(row) for row in rows]
    copy[1][copy[0].index(title)] = value
    return copy


@pytest.mark.parametrize("title", NUMBER_COLUMNS)
@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
def test_a_hostile_number_is_an_error_of_its_row(ctx, unit, title, value):
    rows = with_cell(good_rows(), title, value)
    if title not in rows[0]:
        pytest.fail(f"the good register has no column {title}")

    result = run_import(ctx, register_csv(rows), unit, dry_run=False)

    assert not result.applied
    assert (2, title) in [(error.row, error.column) for error in result.errors]
    assert not Apartment.objects.exists()


def test_an_infinite_xlsx_cell_is_an_error_of_its_row(ctx, unit):
    # openpyxl reads a numeric cell <v>1e309</v> as float infinity.
    data = register_xlsx(with_cell(good_rows(), "Antal rum", "7,5"))
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                assert b"<v>7.5</v>" in content
                content = content.replace(b"<v>7.5</v>", b"<v>1e309</v>")
            target.writestr(member, content)

    result = run_import(ctx, output.getvalue(), unit, dry_run=False)

    assert [(error.row, error.column) for error in result.errors] == [(2, "Antal rum")]
    assert result.errors[0].message == "”inf” är inget tal."


def test_dates_out_of_bounds_are_errors_of_their_row(ctx, unit):
    rows = with_cell(good_rows(), "Förstahandskontrakt till", "9999-12-31")
    result = run_import(ctx, register_csv(rows), unit, dry_run=False)
    assert [(e.row, e.column) for e in result.errors] == [(2, "Förstahandskontrakt till")]
    assert result.errors[0].message.startswith("Datumet kan inte vara senare än")


def bomb(member="xl/sharedStrings.xml", size=200 * 1024 * 1024, members=1):
    """A small archive that inflates to `size` bytes (zeros compress ~1000:1),
    written in chunks so that the test itself stays small in memory."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for index in range(members - 1):
            archive.writestr(f"xl/part{index}.xml", "")
        if size:
            with archive.open(member, "w", force_zip64=True) as stream:
                chunk = b"0" * (1024 * 1024)
                for _ in range(size // len(chunk)):
                    stream.write(chunk)
    return output.getvalue()


def test_a_zip_bomb_is_refused_before_parsing_and_costs_little_memory():
    data = bomb()
    assert len(data) < importer.MAX_FILE_BYTES, "small enough to pass the upload limit"

    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError) as error:
            read_table(data)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert "för stor uppackad" in str(error.value)
    assert peak < 20 * 1024 * 1024, peak


def test_an_archive_with_too_many_parts_is_refused():
    with pytest.raises(ImportFileError) as error:
        read_table(bomb(size=0, members=reading.MAX_XLSX_MEMBERS + 1))
    assert "för stor uppackad" in str(error.value)


def sheet_with_rows(rows):
    """An XLSX whose sheet has `rows` empty-but-present rows under a header."""
    data = register_xlsx([HEADER])
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                filler = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t> </t></is></c></row>'
                                 for n in range(2, rows + 2)).encode()
                content = content.replace(b"</sheetData>", filler + b"</sheetData>")
                content = content.replace(b'<dimension ref="A1:AB1"/>', b"")
            target.writestr(member, content)
    return output.getvalue()


def test_a_sheet_with_more_rows_than_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_SHEET_ROWS", 50)
    with pytest.raises(ImportFileError) as error:
        read_table(sheet_with_rows(60))
    assert "fler än 50 rader" in str(error.value)


def test_a_sheet_declaring_a_huge_size_is_refused():
    data = register_xlsx([HEADER])
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                start = content.index(b"<dimension")
                end = content.index(b"/>", start) + 2
                content = content[:start] + b'<dimension ref="A1:XFD1048576"/>' + content[end:]
            target.writestr(member, content)
    with pytest.raises(ImportFileError) as error:
        read_table(output.getvalue())
    assert "1000 kolumner" in str(error.value) or "1 000 kolumner" in str(error.value)


def test_the_upload_page_shows_the_refusal_in_swedish(client, housing_admin):
    client.force_login(housing_admin)
    upload = io.BytesIO(bomb(size=60 * 1024 * 1024))
    upload.name = "register.xlsx"
    response = client.post(reverse("tenancies:import_register"), {"file": upload, "action": "preview"})
    assert response.status_code == 200
    assert "för stor uppackad" in response.content.decode()
