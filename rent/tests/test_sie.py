"""The SIE 4I export read back field by field: the header, code page 437,
the objects (cost centre and apartment numbers, never a person), each
voucher's #TRANS lines balancing; notices, payments, credit notes and
write-offs booked on the right accounts; the locked month and the booking
of a later correction in the next month; exporting again is idempotent."""

import re
import shlex
from datetime import date

import pytest
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry
from rent.models import ExportFormat, FinanceExport, LineKind, NoticeKind, RentSettings
from rent.services import finance_export, periods
from rent.services.finance_export import ExportRefused, export_csv, export_sie, quote
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

from .overdue_factories import credited, notice, paid, written_off

pytestmark = pytest.mark.django_db

NOV = date(2026, 11, 1)


def parse(content: bytes):
    """The file as (label, fields) and vouchers [(fields, [trans fields])],
    read the way a SIE reader does: cp437, quoted fields with \\" escapes,
    {…} object lists kept whole."""
    text = content.decode("cp437")
    assert text.endswith("\r\n")
    records, vouchers, current = [], [], None
    for line in text.split("\r\n")[:-1]:
        line = line.strip()
        if line == "{":
            continue
        if line == "}":
            vouchers.append(current)
            current = None
            continue
        objects = re.search(r"\{(.*?)\}", line)
        plain = re.sub(r"\{.*?\}", "OBJ", line) if objects else line
        lexer = shlex.shlex(plain, posix=True)
        lexer.whitespace_split = True
        lexer.commenters = ""
        lexer.escapedquotes = '"'
        fields = list(lexer)
        if objects:
            fields[fields.index("OBJ")] = shlex.split(objects.group(1))
        if fields[0] == "#VER":
            current = (fields, [])
        elif fields[0] == "#TRANS":
            current[1].append(fields)
        else:
            records.append(fields)
    return records, vouchers


@pytest.fixture
def setup(unit):
    return RentSettings.objects.create(
        unit=unit, payee_name='Vallentuna kommun "Socialtjänsten"', organisation_number="212000-2882",
        cost_centre="7310", bankgiro="9912346",
    )


@pytest.fixture
def ctx(request, housing_admin):
    from audit.context import AuditContext

    return AuditContext.system(housing_admin, "test")


@pytest.fixture
def tenancy(unit):
    return TenancyFactory(apartment=ApartmentFactory(unit=unit, object_number="LGH 1101"),
                          client__first_name="Åsa", client__last_name="Ödmansson")


@pytest.fixture
def month_of_entries(tenancy, housing_admin):
    rent = notice(tenancy, date(2026, 11, 30), lines=[(LineKind.RENT, "Hyra november", 450_000),
                                                     (LineKind.CHARGE, "Ny nyckel", 35_050),
                                                     (LineKind.INSTALMENT, "Avbetalning", 50_000)],
                  issued_on=date(2026, 11, 5), booked_month=NOV)
    paid(rent, 300_000, date(2026, 11, 28))
    credited(rent, 35_050, date(2026, 11, 29), housing_admin)
    old = notice(tenancy, date(2026, 10, 31), 200_000, kind=NoticeKind.CHARGE,
                 lines=[(LineKind.CHARGE, "Skada", 200_000)], booked_month=date(2026, 10, 1))
    written_off(old, 200_000, date(2026, 11, 20), housing_admin, booked_month=NOV)
    return rent


def test_the_file_reads_back_as_sie_4i(setup, tenancy, month_of_entries, ctx, unit):
    content = export_sie(ctx, unit, NOV)

    records, vouchers = parse(content)
    labels = [fields[0] for fields in records]
    assert labels[:6] == ["#FLAGGA", "#FORMAT", "#SIETYP", "#PROGRAM", "#GEN", "#FNAMN"]
    head = {fields[0]: fields[1:] for fields in records}
    assert head["#FLAGGA"] == ["0"] and head["#FORMAT"] == ["PC8"] and head["#SIETYP"] == ["4"]
    assert head["#PROGRAM"][0] == "Bolots"
    assert head["#GEN"] == [f"{timezone.localdate():%Y%m%d}"]
    assert head["#FNAMN"] == ['Vallentuna kommun "Socialtjänsten"'], "quotes escaped, å through cp437"
    assert b'\\"Socialtj\x84nsten\\"' in content, "ä is 0x84 in code page 437"
    assert head["#ORGNR"] == ["212000-2882"]
    dims = [fields[1:] for fields in records if fields[0] == "#DIM"]
    assert dims == [["1", "Kostnadsställe"], ["6", "Lägenhet"]]
    objects = [fields[1:] for fields in records if fields[0] == "#OBJEKT"]
    assert objects == [["1", "7310", unit.name], ["6", "LGH 1101", "LGH 1101"]]
    accounts = {fields[1] for fields in records if fields[0] == "#KONTO"}
    assert accounts == {"1510", "3911", "3990", "1930", "6351"}

    # Every voucher balances; every TRANS names the cost centre and the apartment.
    assert len(vouchers) == 4
    booked = {}
    for ver, trans in vouchers:
        assert ver[1:3] == ["", ""] and ver[3].startswith("202611")
        total = 0
        for fields in trans:
            assert fields[2] == ["1", "7310", "6", "LGH 1101"]
            assert re.fullmatch(r"-?\d+\.\d\d", fields[3])
            total += round(float(fields[3]) * 100)
            booked.setdefault(ver[4], []).append((fields[1], fields[3]))
        assert total == 0
    ocr = month_of_entries.ocr
    assert booked[f"Avi {ocr}"] == [("1510", "4850.50"), ("3911", "-4500.00"), ("3990", "-350.50")], \
        "the instalment line is an old debt, not booked again"
    assert booked[f"Inbetalning {ocr}"] == [("1930", "3000.00"), ("1510", "-3000.00")]
    assert booked[f"Kredit avi {ocr}"] == [("3911", "350.50"), ("1510", "-350.50")]
    assert [text for text in booked if text.startswith("Avskrivning")] and \
        list(booked.values())[-1] == [("6351", "2000.00"), ("1510", "-2000.00")]

    # No personal data: no name, no personnummer.
    text = content.decode("cp437")
    for secret in ("Åsa", "Ödmansson", tenancy.client.personal_number, tenancy.apartment.street_address):
        assert secret not in text


def test_exporting_locks_the_month_and_a_later_credit_goes_to_the_next(setup, tenancy, month_of_entries, ctx,
                                                                      unit, housing_admin):
    first = export_sie(ctx, unit, NOV)
    assert periods.is_locked(unit.pk, NOV)
    record = FinanceExport.objects.get()
    assert (record.month, record.format, record.vouchers, record.exported_by) == (NOV, "sie", 4, housing_admin)
    assert AccessLogEntry.objects.filter(action=AccessAction.EXPORT, object_type="rent.financeexport").exists()

    # A credit note dated in November, made after the export: booked in December.
    late = date(2026, 11, 30)
    credited(month_of_entries, 10_000, late, housing_admin, booked_month=periods.booking_month(unit.pk, late))

    again = export_sie(ctx, unit, NOV)
    assert again == first, "November again: the same bytes"
    assert FinanceExport.objects.count() == 1, "nothing new recorded"
    _, vouchers = parse(finance_export.sie_text(unit, date(2026, 12, 1), date(2027, 1, 2))[0].encode("cp437"))
    assert [(ver[3], ver[4]) for ver, _ in vouchers] == [("20261201", f"Kredit avi {month_of_entries.ocr}")]


def test_months_are_exported_in_order_once_ended(setup, unit, ctx):
    today = timezone.localdate()
    this_month = today.replace(day=1)
    with pytest.raises(ExportRefused):
        export_sie(ctx, unit, this_month)
    earlier = (this_month - timezone.timedelta(days=70)).replace(day=1)
    export_csv(ctx, unit, earlier)
    with pytest.raises(ExportRefused):
        export_sie(ctx, unit, (this_month - timezone.timedelta(days=1)).replace(day=1))


def test_the_csv_has_the_same_rows(setup, tenancy, month_of_entries, ctx, unit):
    content = export_csv(ctx, unit, NOV).decode("utf-8")
    lines = content.lstrip("\ufeff").split("\r\n")
    assert lines[0] == "Verifikation;Datum;Text;Konto;Kostnadsställe;Lägenhet;Belopp"
    assert f"1;2026-11-05;Avi {month_of_entries.ocr};1510;7310;LGH 1101;4850,50" in lines
    assert len([line for line in lines[1:] if line]) == 9
    assert FinanceExport.objects.get().format == ExportFormat.CSV


def test_quoting():
    assert quote('Kalle "K" Anka') == '"Kalle \\"K\\" Anka"'
    assert quote("a\\b") == '"a\\\\b"'
