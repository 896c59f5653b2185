"""The register import (the tenancies.importer package): good, bad and repeated files,
XLSX and CSV, the dry run, matching, the rules on the register's state
after the import, and the audit trail."""

from datetime import date
from decimal import Decimal

import pytest

from audit.models import AccessAction, AccessLogEntry, FieldChange
from core import personnummer
from referrals.models import Client
from referrals.tests.factories import ClientFactory
from tenancies import importer
from tenancies.importer import ImportFileError, cells, planning, run_import
from tenancies.models import Apartment, ApartmentStatus, EndReason, Tenancy

from .factories import (
    IMPORT_DATA,
    ApartmentFactory,
    TenancyFactory,
    import_rows,
    register_csv,
    register_xlsx,
)

GOOD = "register_good.csv"
HEADER = [column.header for column in importer.COLUMNS]
P1, P2, P3, P4, P5 = "198001011231", "197505202346", "199009093452", "196812244561", "200102035672"

pytestmark = pytest.mark.acting_as("housing_admin", path="test")


def good_bytes():
    return (IMPORT_DATA / GOOD).read_bytes()


def run(ctx, data, unit, dry_run=False):
    return run_import(ctx, data, unit, dry_run=dry_run)


def snapshot_counts():
    return {model.__name__: model.objects.count() for model in (Apartment, Client, Tenancy, FieldChange,
                                                                AccessLogEntry)}


def edited(rows, row_number, **values):
    """A copy of `rows` with cells of spreadsheet row `row_number` (header = 1) replaced by header."""
    copy = [list(row) for row in rows]
    for title, value in values.items():
        copy[row_number - 1][HEADER.index(title)] = value
    return copy


# --- A good file ---------------------------------------------------------------------


def assert_good_register_imported(unit):
    # The file: 5 apartments; 6 tenancies of 5 tenants (one of them moved
    # within the programme from TR-102 to TR-103, then took it over).
    apartments = {a.object_number: a for a in Apartment.objects.filter(unit=unit)}
    assert set(apartments) == {"TR-101", "TR-102", "TR-103", "JO-201", "BF-301"}
    tr101 = apartments["TR-101"]
    assert tr101.street_address == "Fiktiva gatan 1, lgh 1001"
    assert (tr101.rooms, tr101.size_m2, tr101.floor, tr101.has_lift) == (Decimal("2"), Decimal("48.5"), 1, True)
    assert (tr101.monthly_cost, tr101.rent) == (720_000, 650_000)
    assert tr101.lease_start == date(2018, 1, 1) and tr101.lease_end is None
    assert apartments["TR-102"].tenure == "municipal_tenant_owner"
    assert apartments["TR-102"].accessibility_notes == "Inga trappsteg"
    assert apartments["JO-201"].kind == "emergency" and apartments["BF-301"].kind == "housing_first"
    # Status from the tenancies: let today → occupied; the last tenant took
    # over → left the programme; the file's repair kept for one never let;
    # the Housing First tenant was evicted → vacant.
    assert {number: a.status for number, a in apartments.items()} == {
        "TR-101": ApartmentStatus.OCCUPIED,
        "TR-102": ApartmentStatus.OCCUPIED,
        "TR-103": ApartmentStatus.LEFT_PROGRAMME,
        "JO-201": ApartmentStatus.REPAIR,
        "BF-301": ApartmentStatus.VACANT,
    }

    clients = {c.personal_number: c for c in Client.objects.all()}
    assert set(clients) == {P1, P2, P3, P4, P5}, "every written form of the number is stored as 12 digits"
    assert all(c.unit_id == unit.pk for c in clients.values())
    assert clients[P2].full_name == "Fiktiv Tvåan"
    assert "import" in clients[P2].notes
    assert clients[P2].birth_date == date(1975, 5, 20)

    tenancies = {(t.apartment.object_number, t.client.personal_number): t
                 for t in Tenancy.objects.select_related("apartment", "client")}
    assert len(tenancies) == 6
    assert all(t.decision_id is None for t in tenancies.values()), "imported history has no decision"
    first = tenancies[("TR-101", P1)]
    assert (first.start_date, first.end_date, first.end_reason) == (
        date(2019, 3, 1), date(2021, 2, 28), EndReason.OWN_HOUSING)
    current = tenancies[("TR-101", P2)]
    assert current.end_date is None and current.end_reason == ""
    assert current.rent == 630_000, "the tenant's own rent"
    assert tenancies[("TR-102", P4)].rent == 480_000, "empty: the apartment's rent"
    assert tenancies[("TR-102", P3)].end_note == "Flyttade till större lägenhet."
    # Derived in move-in order per client: the move within the programme.
    before, after = tenancies[("TR-102", P3)], tenancies[("TR-103", P3)]
    assert not before.is_internal_move and before.continuous_since == date(2018, 1, 15)
    assert after.is_internal_move and after.continuous_since == date(2018, 1, 15)
    assert after.end_reason == EndReason.FIRST_HAND_TAKEOVER
    assert tenancies[("BF-301", P5)].end_reason == EndReason.EVICTED


def test_a_good_csv_file_creates_apartments_clients_and_tenancies(ctx, unit):
    result = run(ctx, good_bytes(), unit)

    assert result.ok and result.applied, result.errors
    assert result.counts() == {
        "apartments": {"create": 5, "update": 0, "unchanged": 0},
        "clients": {"create": 5, "update": 0, "unchanged": 0},
        "tenancies": {"create": 6, "update": 0, "unchanged": 0},
    }
    assert_good_register_imported(unit)


def test_an_xlsx_file_with_date_and_number_cells_gives_the_same_register(ctx, unit):
    result = run(ctx, register_xlsx(import_rows(GOOD)), unit)

    assert result.ok, result.errors
    assert_good_register_imported(unit)


def test_comma_separated_without_bom_and_with_the_columns_in_another_order(ctx, unit):
    data = (IMPORT_DATA / "register_good_comma.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")

    result = run(ctx, data, unit)

    assert result.ok, result.errors
    assert_good_register_imported(unit)


def test_importing_the_same_file_twice_changes_nothing_the_second_time(ctx, unit):
    run(ctx, good_bytes(), unit)
    before = snapshot_counts()
    versions = sorted(Apartment.objects.values_list("pk", "version")) + sorted(
        Tenancy.objects.values_list("pk", "version"))

    # The second time as XLSX: the same register in the other format.
    for data in (good_bytes(), register_xlsx(import_rows(GOOD))):
        result = run(ctx, data, unit)

        assert result.ok
        assert result.counts() == {
            "apartments": {"create": 0, "update": 0, "unchanged": 5},
            "clients": {"create": 0, "update": 0, "unchanged": 5},
            "tenancies": {"create": 0, "update": 0, "unchanged": 6},
        }
    after = snapshot_counts()
    # Only the import's own log rows are new: no records, no field history.
    assert after["AccessLogEntry"] == before["AccessLogEntry"] + 2
    assert {**after, "AccessLogEntry": 0} == {**before, "AccessLogEntry": 0}
    assert sorted(Apartment.objects.values_list("pk", "version")) + sorted(
        Tenancy.objects.values_list("pk", "version")) == versions


def test_a_dry_run_counts_but_writes_nothing(ctx, unit):
    result = run(ctx, good_bytes(), unit, dry_run=True)

    assert result.ok and not result.applied
    assert result.counts()["tenancies"] == {"create": 6, "update": 0, "unchanged": 0}
    assert snapshot_counts() == {"Apartment": 0, "Client": 0, "Tenancy": 0, "FieldChange": 0,
                                 "AccessLogEntry": 0}


# --- Audit -----------------------------------------------------------------------------


def test_the_import_is_logged_without_personal_data_and_each_new_client_once(ctx, unit, housing_admin):
    run(ctx, good_bytes(), unit)

    client_rows = AccessLogEntry.objects.filter(object_type="referrals.client")
    assert client_rows.count() == 5
    assert {row.action for row in client_rows} == {AccessAction.CREATE}
    assert set(client_rows.values_list("client_number", flat=True)) == {P1, P2, P3, P4, P5}
    summary = AccessLogEntry.objects.get(object_type=importer.OBJECT_TYPE)
    assert summary.user == housing_admin and summary.client_id is None and summary.client_label == ""
    assert "5 new" in summary.note or "5 nya" in summary.note
    assert not any(number[2:8] in summary.note for number in (P1, P2, P3, P4, P5))
    assert "Fiktiv" not in summary.note
    assert AccessLogEntry.objects.count() == 6


def test_new_clients_are_registered_through_the_client_service_with_the_import_note(ctx, unit, monkeypatch):
    from referrals.services import clients as client_services

    registered = []
    create_client = client_services.create_client

    def spy(*args, **kwargs):
        registered.append(kwargs.get("note"))
        return create_client(*args, **kwargs)

    monkeypatch.setattr("tenancies.importer.applying.create_client", spy)

    run(ctx, good_bytes(), unit)

    assert registered == ["import"] * 5
    created = AccessLogEntry.objects.filter(object_type="referrals.client", action=AccessAction.CREATE)
    assert set(created.values_list("note", flat=True)) == {"import"}
    assert set(Client.objects.values_list("unit_id", flat=True)) == {unit.pk}


def test_an_import_into_a_unit_the_user_does_not_belong_to_writes_nothing(ctx, other_unit):
    from django.core.exceptions import PermissionDenied

    assert run(ctx, good_bytes(), other_unit, dry_run=True).ok
    with pytest.raises(PermissionDenied):
        run(ctx, good_bytes(), other_unit)

    assert snapshot_counts() == {"Apartment": 0, "Client": 0, "Tenancy": 0, "FieldChange": 0,
                                 "AccessLogEntry": 0}


def test_changed_tenancies_and_apartments_keep_their_history(ctx, unit):
    rows = import_rows(GOOD)
    run(ctx, register_csv(rows), unit)
    # The tenant of TR-101 has moved out since; the apartment got a lift
    # note and a new rent.
    rows = edited(rows, 3, **{"Utflyttningsdatum": "2025-06-30", "Avslutsorsak": "Eget boende på ordinarie "
                              "bostadsmarknad", "Hyresgästens hyra (kr)": "6 400"})
    rows = edited(rows, 2, **{"Hyra per månad (kr)": "6 600"})
    rows = edited(rows, 3, **{"Hyra per månad (kr)": "6 600"})
    logged = AccessLogEntry.objects.count()

    result = run(ctx, register_csv(rows), unit)

    assert result.ok, result.errors
    assert result.counts() == {
        "apartments": {"create": 0, "update": 1, "unchanged": 4},
        "clients": {"create": 0, "update": 1, "unchanged": 4},
        "tenancies": {"create": 0, "update": 1, "unchanged": 5},
    }
    tenancy = Tenancy.objects.get(client__personal_number=P2)
    assert (tenancy.end_date, tenancy.end_reason, tenancy.rent) == (date(2025, 6, 30), EndReason.OWN_HOUSING,
                                                                    640_000)
    changes = {(c.field, c.old_value, c.new_value) for c in FieldChange.objects.filter(
        object_type="tenancies.tenancy", object_id=str(tenancy.pk))}
    assert changes == {
        ("end_date", "", "2025-06-30"),
        ("end_reason", "", "Eget boende på ordinarie bostadsmarknad"),
        ("rent", "6\xa0300\xa0kr", "6\xa0400\xa0kr"),
    }
    assert FieldChange.objects.filter(object_type="tenancies.tenancy", client_id=tenancy.client_id).count() == 3
    apartment = Apartment.objects.get(object_number="TR-101")
    assert apartment.status == ApartmentStatus.VACANT and apartment.rent == 660_000
    apartment_changes = {c.field for c in FieldChange.objects.filter(object_type="tenancies.apartment")}
    assert apartment_changes == {"status", "rent"}
    new_rows = AccessLogEntry.objects.order_by("pk")[logged:]
    assert [(row.object_type, row.action, row.client_number) for row in new_rows] == [
        ("referrals.client", AccessAction.UPDATE, P2),
        (importer.OBJECT_TYPE, AccessAction.CREATE, ""),
    ]


def test_an_empty_move_out_cell_keeps_a_move_out_registered_since(ctx, unit):
    run(ctx, good_bytes(), unit)
    tenancy = Tenancy.objects.get(client__personal_number=P2)
    Tenancy.objects.filter(pk=tenancy.pk).update(end_date=date(2025, 1, 31), end_reason=EndReason.DIED)
    Apartment.objects.filter(object_number="TR-101").update(status=ApartmentStatus.VACANT)

    result = run(ctx, good_bytes(), unit)

    assert result.ok
    assert result.tenancies.unchanged == 6 and result.apartments.unchanged == 5
    tenancy.refresh_from_db()
    assert (tenancy.end_date, tenancy.end_reason) == (date(2025, 1, 31), EndReason.DIED)


def test_changing_an_end_reason_derives_the_next_tenancy_again(ctx, unit):
    rows = import_rows(GOOD)
    run(ctx, register_csv(rows), unit)
    # The move from TR-102 was not within the programme after all.
    rows = edited(rows, 4, Avslutsorsak="Flyttat / okänt", **{"Anteckning om avslutet": ""})

    result = run(ctx, register_csv(rows), unit)

    assert result.ok, result.errors
    later = Tenancy.objects.get(apartment__object_number="TR-103")
    assert not later.is_internal_move and later.continuous_since == date(2020, 6, 1)
    assert Tenancy.objects.get(apartment__object_number="TR-102", client__personal_number=P3).end_note == (
        "Flyttade till större lägenhet."), "an empty note keeps the registered one"


# --- Matching ----------------------------------------------------------------------


def test_clients_are_matched_by_number_in_any_written_form_within_the_unit(ctx, unit):
    existing = ClientFactory(unit=unit, personal_number=P1, first_name="Registrerad", last_name="Redan")

    result = run(ctx, good_bytes(), unit)

    assert result.ok
    assert result.clients.as_dict() == {"create": 4, "update": 1, "unchanged": 0}
    assert Client.objects.filter(personal_number=P1).count() == 1
    existing.refresh_from_db()
    assert existing.full_name == "Registrerad Redan", "the register's name is kept"
    assert Tenancy.objects.get(apartment__object_number="TR-101", start_date=date(2019, 3, 1)).client == existing
    log = AccessLogEntry.objects.get(object_type="referrals.client", client_id=existing.pk)
    assert log.action == AccessAction.UPDATE


def test_apartments_are_matched_on_the_object_number_within_the_unit(ctx, unit, other_unit):
    mine = ApartmentFactory(unit=unit, object_number="tr-101", street_address="Gamla adressen 1")
    theirs = ApartmentFactory(unit=other_unit, object_number="TR-102")

    result = run(ctx, good_bytes(), unit)

    assert result.ok
    assert result.apartments.as_dict() == {"create": 4, "update": 1, "unchanged": 0}
    mine.refresh_from_db()
    assert mine.street_address == "Fiktiva gatan 1, lgh 1001" and mine.object_number == "tr-101"
    assert Apartment.objects.filter(unit=unit, object_number="TR-102").exists()
    theirs.refresh_from_db()
    assert theirs.tenancies.count() == 0


def test_a_client_of_another_unit_cannot_be_imported(ctx, unit, other_unit):
    ClientFactory(unit=other_unit, personal_number=P2)

    result = run(ctx, good_bytes(), unit)

    assert [(e.row, e.column) for e in result.errors] == [(3, "Personnummer")]
    assert "inte har tillgång till" in result.errors[0].message
    assert Apartment.objects.count() == 0


# --- Bad files ------------------------------------------------------------------------


def test_a_bad_file_lists_every_bad_row_and_writes_nothing(ctx, unit):
    result = run(ctx, (IMPORT_DATA / "register_bad.csv").read_bytes(), unit)

    assert not result.applied
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "Lägenhetstyp"),  # unknown kind
        (3, "Personnummer"),  # wrong check digit
        (4, "Antal rum"),  # not a number
        (4, "Inflyttningsdatum"),  # not a date
        (5, "Adress"),  # required value missing
        (5, "Upplåtelseform"),  # unknown tenure
        (6, "Utflyttningsdatum"),  # ends before it starts
        (7, "Avslutsorsak"),  # ended without a reason
        (8, "Lägenhetsstatus"),  # unknown status
        (8, "Avslutsorsak"),  # a reason without a move-out date
        (10, "Inflyttningsdatum"),  # overlaps row 9 in the same apartment
        (12, "Utflyttningsdatum"),  # the client's second active tenancy (row 11)
        (13, "Avslutsorsak"),  # unknown end reason
    ]
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert messages[(2, "Lägenhetstyp")].startswith("Okänt värde ”Träningslgh”. Tillåtna: Träningslägenhet; ")
    assert "Kontrollsiffran" in messages[(3, "Personnummer")]
    assert "2026-11-22" in messages[(4, "Inflyttningsdatum")]
    assert messages[(7, "Avslutsorsak")] == "Ett avslutat hyresförhållande måste ha en avslutsorsak."
    assert "rad 9" in messages[(10, "Inflyttningsdatum")]
    assert "rad 11" in messages[(12, "Utflyttningsdatum")]
    assert str(result.errors[0]).startswith("Rad 2, kolumn ”Lägenhetstyp”: Okänt värde")
    assert snapshot_counts() == {"Apartment": 0, "Client": 0, "Tenancy": 0, "FieldChange": 0,
                                 "AccessLogEntry": 0}


def test_one_bad_row_among_good_ones_aborts_the_whole_import(ctx, unit):
    rows = edited(import_rows(GOOD), 8, Avslutsorsak="")

    result = run(ctx, register_csv(rows), unit)

    assert [(e.row, e.column) for e in result.errors] == [(8, "Avslutsorsak")]
    assert snapshot_counts()["Apartment"] == snapshot_counts()["Tenancy"] == 0


def test_an_overlap_with_a_registered_tenancy_is_an_error(ctx, unit):
    apartment = ApartmentFactory(unit=unit, object_number="TR-101")
    TenancyFactory(apartment=apartment, start_date=date(2020, 1, 1), end_date=date(2021, 5, 31),
                   end_reason=EndReason.OTHER_PLACEMENT)

    result = run(ctx, good_bytes(), unit)

    errors = [(e.row, e.column, e.message) for e in result.errors]
    assert [(row, column) for row, column, _message in errors] == [(2, "Utflyttningsdatum"), (3, "Inflyttningsdatum")]
    assert "redan registrerade hyresförhållandet 2020-01-01 – 2021-05-31" in errors[0][2]
    assert Tenancy.objects.count() == 1


def test_a_client_with_an_active_tenancy_elsewhere_cannot_get_a_second(ctx, unit):
    client = ClientFactory(unit=unit, personal_number=P2)
    TenancyFactory(client=client, apartment=ApartmentFactory(unit=unit, object_number="X-1"),
                   start_date=date(2024, 2, 1))

    result = run(ctx, good_bytes(), unit)

    assert [(e.row, e.column) for e in result.errors] == [(3, "Utflyttningsdatum")]
    assert "två hyresförhållanden utan utflyttningsdatum" in result.errors[0].message


def test_a_client_in_two_apartments_at_once_is_an_error(ctx, unit):
    rows = edited(import_rows(GOOD), 6, Personnummer="19800101-1231", Efternamn="Ettan",
                  Inflyttningsdatum="2020-07-01", Utflyttningsdatum="2020-12-31", Avslutsorsak="Avliden")

    result = run(ctx, register_csv(rows), unit)

    assert [(e.row, e.column) for e in result.errors] == [(6, "Inflyttningsdatum")]
    assert "bor i en annan lägenhet samtidigt" in result.errors[0].message


def test_nothing_after_a_first_hand_takeover(ctx, unit):
    rows = import_rows(GOOD)
    later = edited(rows, 5, Personnummer="19850707-6787", Efternamn="Sexan", Inflyttningsdatum="2024-01-01",
                   Utflyttningsdatum="", Avslutsorsak="")[4]
    result = run(ctx, register_csv(rows + [later]), unit)

    assert [(e.row, e.column) for e in result.errors] == [(9, "Inflyttningsdatum")]
    assert "övertog förstahandskontraktet" in result.errors[0].message


@pytest.mark.parametrize("row, status, fits", [
    (8, "Uthyrd", False),  # nobody lives in BF-301 today
    (3, "Under renovering", False),  # TR-101 is let
    (3, "Ledig", False),
    (5, "Ledig", False),  # TR-103 was taken over: it has left the programme
    (5, "Lämnat verksamheten", True),
    (3, "Återlämnas", True),  # may be decided while the tenant still lives there
    (8, "Återlämnas", True),
    (8, "Ledig", True),
])
def test_the_files_status_must_fit_the_tenancies(ctx, unit, row, status, fits):
    rows = import_rows(GOOD)
    # An apartment's columns are the same on all its rows.
    same = [number for number in range(2, len(rows) + 1) if rows[number - 1][0] == rows[row - 1][0]]
    for number in same:
        rows = edited(rows, number, Lägenhetsstatus=status)

    result = run(ctx, register_csv(rows), unit)

    if fits:
        assert result.ok, result.errors
        expected = {"Lämnat verksamheten": "left_programme", "Återlämnas": "being_returned", "Ledig": "vacant"}
        assert Apartment.objects.get(object_number=rows[row - 1][0]).status == expected[status]
    else:
        assert [(e.row, e.column) for e in result.errors] == [(same[0], "Lägenhetsstatus")]


def test_an_apartments_columns_must_agree_on_all_its_rows(ctx, unit):
    rows = edited(import_rows(GOOD), 3, Adress="Fiktiva gatan 2")

    result = run(ctx, register_csv(rows), unit)

    assert [(e.row, e.column) for e in result.errors] == [(3, "Adress")]
    assert "rad 2" in result.errors[0].message


def test_the_same_tenancy_twice_is_an_error(ctx, unit):
    rows = import_rows(GOOD)

    result = run(ctx, register_csv(rows + [rows[1]]), unit)

    assert [(e.row, e.column) for e in result.errors] == [(9, "Inflyttningsdatum")]


def test_a_move_in_in_the_future_is_an_error(ctx, unit):
    rows = edited(import_rows(GOOD), 3, Inflyttningsdatum="2099-01-01")

    result = run(ctx, register_csv(rows), unit)

    assert [(e.row, e.column) for e in result.errors] == [(3, "Inflyttningsdatum")]


def test_a_tenant_column_without_identity_number_is_an_error(ctx, unit):
    rows = edited(import_rows(GOOD), 7, Inflyttningsdatum="2024-05-01")

    result = run(ctx, register_csv(rows), unit)

    assert [(e.row, e.column) for e in result.errors] == [(7, "Personnummer")]


def test_blank_rows_are_skipped_and_row_numbers_stay_as_in_the_sheet(ctx, unit):
    rows = import_rows(GOOD)
    rows = rows[:3] + [[""] * len(HEADER)] + edited(rows, 4, Avslutsorsak="")[3:]

    result = run(ctx, register_csv(rows), unit)

    assert [(e.row, e.column) for e in result.errors] == [(5, "Avslutsorsak")]


def test_header_problems_are_reported_on_row_1(ctx, unit):
    rows = import_rows(GOOD)
    header = [title for title in rows[0] if title != "Lägenhetstyp"] + ["Personnumer"]
    body = [[value for title, value in zip(rows[0], row, strict=True) if title != "Lägenhetstyp"] + [""]
            for row in rows[1:]]

    result = run(ctx, register_csv([header, *body]), unit)

    assert sorted((e.row, e.column) for e in result.errors) == [(1, "Lägenhetstyp"), (1, "Personnumer")]
    assert {e.message for e in result.errors} == {
        "Kolumnen saknas; den är obligatorisk.",
        "Okänd kolumn. Använd mallens rubriker (se kolumnlistan); ta bort kolumner som importen inte känner till.",
    }


def test_optional_columns_may_be_left_out(ctx, unit):
    rows = import_rows(GOOD)
    keep = [index for index, title in enumerate(rows[0])
            if importer.COLUMN_BY_KEY[next(c.key for c in importer.COLUMNS if c.header == title)].required
            != importer.OPTIONAL]

    result = run(ctx, register_csv([[row[i] for i in keep] for row in rows]), unit)

    assert result.ok, result.errors
    apartment = Apartment.objects.get(object_number="TR-101")
    assert apartment.postal_code == "" and apartment.rent is None and apartment.status == ApartmentStatus.OCCUPIED


# --- Files that are not registers --------------------------------------------------------


@pytest.mark.parametrize("data, words", [
    (b"", "tom"),
    (b"   \r\n", "tom"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
    (b"PK\x03\x04 this is no workbook", "Excelfil"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "UTF-8"),
    ("Objektsnummer;Adress\nTR-1;Gatan 1 är bra".encode("latin-1"), "UTF-8"),
    (";".join(HEADER).encode() + b"\r\n;;\r\n", "inga rader"),
    (b";;;\r\nTR-1;;;\r\n", "rubrik"),
])
def test_a_file_that_is_no_register_gets_a_swedish_message(ctx, unit, data, words):
    with pytest.raises(ImportFileError) as raised:
        run(ctx, data, unit)

    assert words in str(raised.value)


def test_a_damaged_xlsx_gets_a_swedish_message(ctx, unit):
    data = register_xlsx(import_rows(GOOD))

    with pytest.raises(ImportFileError) as raised:
        run(ctx, data[: len(data) // 2], unit)

    assert "Excelfil" in str(raised.value)


# --- Cell formats -----------------------------------------------------------------------


@pytest.mark.parametrize("written, ore", [
    ("6 500", 650_000), ("6500", 650_000), ("6\xa0500 kr", 650_000), ("6500,50", 650_050), ("6500.5", 650_050),
    (6500, 650_000), (6500.5, 650_050), ("0", 0),
])
def test_money_is_read_in_kronor(written, ore):
    assert cells.parse_money(written) == ore


@pytest.mark.parametrize("written", ["-100", "6.500,00", "sex", "6500,505", "12 000 000 000"])
def test_bad_money_is_refused(written):
    with pytest.raises(cells.InvalidCell):
        cells.parse_money(written)


@pytest.mark.parametrize("written, expected", [
    ("2026-11-22", date(2026, 11, 22)), ("2026-11-22 00:00:00", date(2026, 11, 22)), (date(2021, 2, 3), date(2021, 2, 3)),
])
def test_dates_are_read(written, expected):
    assert cells.parse_date(written) == expected


@pytest.mark.parametrize("written", ["22/11/2026", "2026-02-30", "20261122", 45000])
def test_bad_dates_are_refused(written):
    with pytest.raises(cells.InvalidCell):
        cells.parse_date(written)


def test_an_identity_number_typed_as_a_number_in_excel_keeps_its_leading_zero():
    digits = personnummer.make_number(date(2003, 4, 5), 123)
    as_number = int(digits[2:])  # 0304051234 → 304051234

    assert cells.parse_personal_number(as_number) == digits


# --- The template -------------------------------------------------------------------------


def test_the_template_has_the_header_and_two_fictional_rows_that_import_cleanly(ctx, unit):
    import io

    import openpyxl

    data = importer.build_template()
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]] == HEADER
    assert sheet.max_row == 3
    for row in (2, 3):
        number_cell = sheet.cell(row=row, column=HEADER.index("Personnummer") + 1)
        assert "Fiktivt" in number_cell.comment.text
        assert sheet.cell(row=row, column=HEADER.index("Förnamn") + 1).value == "Fiktiv"
    instructions = workbook.worksheets[1]
    assert [row[0] for row in instructions.iter_rows(min_row=2, values_only=True)] == HEADER

    result = run(ctx, data, unit)

    assert result.ok, result.errors
    assert result.counts() == {
        "apartments": {"create": 1, "update": 0, "unchanged": 0},
        "clients": {"create": 2, "update": 0, "unchanged": 0},
        "tenancies": {"create": 2, "update": 0, "unchanged": 0},
    }
    assert Apartment.objects.get().status == ApartmentStatus.OCCUPIED
    assert run(ctx, data, unit).tenancies.unchanged == 2


def test_the_documentation_lists_every_column_and_allowed_value():
    from django.conf import settings

    text = (settings.BASE_DIR / "docs" / "import.md").read_text(encoding="utf-8")
    for column in importer.COLUMNS:
        assert f"`{column.header}`" in text, column.header
        for label in column.allowed:
            assert label in text, label


def test_a_change_by_someone_else_during_the_import_aborts_it(ctx, unit, monkeypatch):
    run(ctx, good_bytes(), unit)
    rows = edited(import_rows(GOOD), 2, Område="Väster")
    rows = edited(rows, 3, Område="Väster")
    decide = planning.Planner.decide_actions

    def decide_then_someone_saves(self, apartments, clients, tenancies):
        decide(self, apartments, clients, tenancies)
        # Another user saves the apartment between our reading and writing.
        Apartment.objects.filter(object_number="TR-101").update(version=99)

    monkeypatch.setattr(planning.Planner, "decide_actions", decide_then_someone_saves)
    logged = AccessLogEntry.objects.count()

    result = run(ctx, register_csv(rows), unit)

    assert not result.applied
    assert [str(error) for error in result.errors] == [
        "Registret ändrades av någon annan under importen. Inget importerades; försök igen."]
    assert Apartment.objects.get(object_number="TR-101").area.name == "Centrum"
    assert AccessLogEntry.objects.count() == logged


def test_a_file_with_too_many_rows_is_refused_but_empty_rows_do_not_count(ctx, unit):
    rows = import_rows(GOOD)
    blank = [""] * len(HEADER)
    assert run(ctx, register_csv(rows + [blank] * (importer.MAX_DATA_ROWS + 5)), unit, dry_run=True).ok

    with pytest.raises(ImportFileError) as raised:
        run(ctx, register_csv([rows[0]] + [rows[6]] * (importer.MAX_DATA_ROWS + 1)), unit, dry_run=True)

    assert "fler än 10000 rader" in str(raised.value)


def test_a_lease_end_before_the_registered_lease_start_is_an_error(ctx, unit):
    run(ctx, good_bytes(), unit)
    rows = edited(import_rows(GOOD), 7, **{"Förstahandskontrakt från": "", "Förstahandskontrakt till": "2023-12-31"})

    result = run(ctx, register_csv(rows), unit)

    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (7, "Förstahandskontrakt till", "Förstahandskontraktet kan inte sluta innan det börjar.")]


def test_a_conflict_is_logged_without_the_key_the_database_quotes(ctx, unit, monkeypatch, caplog):
    from django.db import IntegrityError

    def conflict(*args, **kwargs):
        raise IntegrityError(f"duplicate key value violates unique constraint\nDETAIL:  Key (personal_number)=({P1}) "
                             "already exists.")

    monkeypatch.setattr(importer, "apply_plan", conflict)
    with caplog.at_level("INFO", logger="tenancies.importer"):
        result = run(ctx, good_bytes(), unit)

    assert not result.applied and result.errors
    assert [record.getMessage() for record in caplog.records] == [
        "import: conflict with a concurrent change (IntegrityError)"]
    assert all(record.exc_info is None for record in caplog.records)
