"""The import of opening balances: all or nothing, row-level Swedish errors,
CSV and XLSX, duplicates refused, reads logged, per role."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.context import AuditContext
from audit.models import AccessAction, AccessLogEntry
from core import personnummer
from rent.models import LineKind, NoticeKind, OpeningBalanceImport, RentNotice
from rent.ocr import is_valid_reference
from rent.services import opening_balances
from tenancies.tests.factories import TenancyFactory, register_csv

pytestmark = pytest.mark.django_db

HEADER = ["Personnummer", "Belopp (kr)", "Per datum", "Anteckning"]


@pytest.fixture
def tenants(unit):
    first = TenancyFactory(apartment__unit=unit)
    second = TenancyFactory(apartment__unit=unit)
    return first, second


def _number(tenancy):
    return personnummer.format_digits(tenancy.client.personal_number)


def _csv(*rows):
    return register_csv([HEADER, *rows])


def _run(ctx_user, data, unit, dry_run=False):
    return opening_balances.run_import(AuditContext(user=ctx_user, path="/test/"), data, "skulder.csv", unit,
                                       dry_run=dry_run)


def test_happy_path(housing_admin, unit, tenants):
    first, second = tenants
    data = _csv([_number(first), "4 500,50", "2026-12-31", "Skuld enligt gamla reskontran"],
                [_number(second), "1200", "2026-12-31", ""])
    result = _run(housing_admin, data, unit)
    assert result.ok and result.applied
    record = OpeningBalanceImport.objects.get()
    assert (record.rows, record.total, record.sha256) == (2, 570_050, opening_balances.file_hash(data))
    notice = RentNotice.objects.get(tenancy=first)
    assert notice.kind == NoticeKind.OPENING_BALANCE
    assert (notice.amount, notice.due_date, notice.issued_on) == (450_050, date(2026, 12, 31), date(2026, 12, 31))
    assert notice.opening_import == record
    assert is_valid_reference(notice.ocr)
    line = notice.lines.get()
    assert (line.kind, line.text, line.amount) == (LineKind.OPENING_BALANCE, "Skuld enligt gamla reskontran", 450_050)
    assert RentNotice.objects.get(tenancy=second).lines.get().text == "Ingående skuld"
    # The tenants found by their numbers are logged reads.
    assert AccessLogEntry.objects.filter(
        user=housing_admin, action=AccessAction.VIEW, note="opening_balance_match", client_id=first.client_id
    ).exists()


def test_dry_run_saves_nothing(housing_admin, unit, tenants):
    result = _run(housing_admin, _csv([_number(tenants[0]), "100", "2026-12-31", ""]), unit, dry_run=True)
    assert result.ok and not result.applied
    assert not RentNotice.objects.exists()


def test_bad_rows_refuse_the_whole_file_with_row_numbers(housing_admin, unit, tenants):
    data = _csv(
        [_number(tenants[0]), "100", "2026-12-31", ""],           # row 2: fine
        [personnummer.format_digits(personnummer.make_number(date(1950, 1, 1), 999)), "100", "2026-12-31", ""],
        [_number(tenants[1]), "12,3,4", "2026-12-31", ""],       # row 4: bad amount
        [_number(tenants[1]), "100", "31/12/2026", ""],          # row 5: bad date
    )
    result = _run(housing_admin, data, unit)
    assert not result.ok and not result.applied
    assert [(error.row, error.column) for error in result.errors] == [
        (3, "Personnummer"), (4, "Belopp (kr)"), (5, "Per datum"),
    ]
    from django.utils import translation

    with translation.override("sv"):
        result = _run(housing_admin, data, unit)
        assert str(result.errors[0]) == (
            "Rad 3, kolumn ”Personnummer”: Ingen boende i enheten har en hyresgäst med det här personnumret."
        )
    assert not RentNotice.objects.exists()
    assert not OpeningBalanceImport.objects.exists()


def test_xlsx(housing_admin, unit, tenants):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append([_number(tenants[0]), 4500.5, date(2026, 12, 31), "Från Excel"])
    output = io.BytesIO()
    workbook.save(output)
    result = _run(housing_admin, output.getvalue(), unit)
    assert result.ok, result.errors
    assert RentNotice.objects.get().amount == 450_050


def test_the_same_file_twice_is_refused(housing_admin, unit, tenants):
    data = _csv([_number(tenants[0]), "100", "2026-12-31", ""])
    assert _run(housing_admin, data, unit).applied
    again = _run(housing_admin, data, unit)
    assert not again.ok and again.errors[0].row is None
    assert RentNotice.objects.count() == 1


def test_a_tenancy_with_an_opening_balance_is_refused(housing_admin, unit, tenants):
    assert _run(housing_admin, _csv([_number(tenants[0]), "100", "2026-12-31", ""]), unit).applied
    result = _run(housing_admin, _csv([_number(tenants[0]), "200", "2026-12-31", "annan fil"]), unit)
    assert [error.row for error in result.errors] == [2]
    assert RentNotice.objects.count() == 1


def test_a_tenant_twice_in_the_file_is_refused(housing_admin, unit, tenants):
    result = _run(housing_admin, _csv([_number(tenants[0]), "100", "2026-12-31", ""],
                                      [_number(tenants[0]), "200", "2026-12-31", ""]), unit)
    assert [error.row for error in result.errors] == [3]


def test_a_tenant_of_another_unit_is_unknown(housing_admin, unit, other_unit):
    elsewhere = TenancyFactory(apartment__unit=other_unit)
    result = _run(housing_admin, _csv([_number(elsewhere), "100", "2026-12-31", ""]), unit)
    assert [error.row for error in result.errors] == [2]


def test_missing_column(housing_admin, unit):
    result = _run(housing_admin, register_csv([["Personnummer", "Anteckning"], ["x", "y"]]), unit)
    assert len(result.errors) == 2 and all(error.row is None for error in result.errors)


# --- The page -------------------------------------------------------------------


def _upload(data, name="skulder.csv"):
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_page_preview_then_confirm(client, housing_admin, tenants):
    client.force_login(housing_admin)
    url = reverse("rent:opening_import")
    assert client.get(url).status_code == 200
    data = _csv([_number(tenants[0]), "4500", "2026-12-31", ""])
    response = client.post(url, {"action": "preview", "file": _upload(data)})
    assert response.status_code == 200
    assert tenants[0].client.last_name in response.content.decode()
    assert not RentNotice.objects.exists()
    response = client.post(url, {"action": "confirm"})
    assert response.status_code == 302
    assert RentNotice.objects.get().amount == 450_000


def test_page_shows_the_errors(client, housing_admin, tenants):
    client.force_login(housing_admin)
    response = client.post(reverse("rent:opening_import"),
                           {"action": "preview", "file": _upload(_csv([_number(tenants[0]), "12,3,4", "2026-12-31", ""]))})
    assert response.status_code == 200
    assert response.context["result"].errors[0].row == 2
    response = client.post(reverse("rent:opening_import"), {"action": "confirm"})
    assert response.status_code == 302
    assert not RentNotice.objects.exists()


def test_template_download(client, housing_admin):
    client.force_login(housing_admin)
    response = client.get(reverse("rent:opening_template"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == HEADER


@pytest.mark.parametrize("role", ["case_officer", "manager", "pilot"])
def test_other_roles_are_refused(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("rent:opening_import")).status_code == 403
    assert client.get(reverse("rent:opening_template")).status_code == 403


def test_anonymous_goes_to_login(client):
    assert client.get(reverse("rent:opening_import")).status_code == 302
