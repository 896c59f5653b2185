"""manage.py import_register: output, exit status and who may run it."""

import contextlib
from io import StringIO
from unittest import mock

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessLogEntry
from referrals.models import Client
from tenancies import importer
from tenancies.models import Apartment, Tenancy

from .factories import IMPORT_DATA, import_rows, register_xlsx

GOOD = str(IMPORT_DATA / "register_good.csv")
BAD = str(IMPORT_DATA / "register_bad.csv")


def command(*args):
    out, err = StringIO(), StringIO()
    call_command("import_register", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def manage(*argv):
    """Run the command as `manage.py` does, returning (exit status, stdout, stderr).
    (run_from_argv closes the database connections when done; the test's
    own connection must stay open.)"""
    out, err = StringIO(), StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            mock.patch("django.core.management.base.connections.close_all"):
        try:
            ManagementUtility(["manage.py", "import_register", *argv]).execute()
        except SystemExit as exit_:
            return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_a_good_file_is_imported_and_the_counts_printed(housing_admin, unit):
    out, err = command(GOOD, "--unit-id", str(unit.pk), "--user", housing_admin.username)

    assert out.strip() == ("Importerade: lägenheter: 5 nya, 0 ändrade, 0 oförändrade; "
                           "klienter: 5 nya, 0 ändrade, 0 oförändrade; "
                           "hyresförhållanden: 6 nya, 0 ändrade, 0 oförändrade.")
    assert err == ""
    assert (Apartment.objects.count(), Client.objects.count(), Tenancy.objects.count()) == (5, 5, 6)
    entry = AccessLogEntry.objects.get(object_type=importer.OBJECT_TYPE)
    assert entry.user == housing_admin and entry.path == "manage.py import_register"


def test_a_dry_run_prints_the_counts_and_writes_nothing(housing_admin, unit, tmp_path):
    xlsx = tmp_path / "register.xlsx"
    xlsx.write_bytes(register_xlsx(import_rows("register_good.csv")))

    out, _err = command(str(xlsx), "--unit-id", str(unit.pk), "--user", housing_admin.username, "--dry-run")

    assert out.startswith("Provkörning, inget skrevs. Skulle importera: lägenheter: 5 nya")
    assert Apartment.objects.count() == Client.objects.count() == AccessLogEntry.objects.count() == 0


def test_a_bad_file_exits_non_zero_with_every_bad_row_printed(housing_admin, unit):
    status, out, err = manage(BAD, "--unit-id", str(unit.pk), "--user", housing_admin.username)

    assert status == 1
    lines = err.strip().splitlines()
    assert lines[0] == ("Rad 2, kolumn ”Lägenhetstyp”: Okänt värde ”Träningslgh”. Tillåtna: Träningslägenhet; "
                        "Försökslägenhet; Jourlägenhet; Bostad först.")
    assert len([line for line in lines if line.startswith("Rad ")]) == 13
    assert "Inget importerades: 13 fel. Rätta filen och kör igen." in lines[-1]
    assert out == ""
    assert Apartment.objects.count() == 0


def test_a_good_file_exits_zero(housing_admin, unit):
    status, out, _err = manage(GOOD, "--unit-id", str(unit.pk), "--user", housing_admin.username)

    assert status == 0
    assert "Importerade:" in out


def test_a_file_that_is_no_spreadsheet_exits_non_zero_with_a_swedish_message(housing_admin, unit, tmp_path):
    junk = tmp_path / "bild.png"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")

    status, _out, err = manage(str(junk), "--unit-id", str(unit.pk), "--user", housing_admin.username)

    assert status == 1
    assert "varken en Excelfil (.xlsx) eller en CSV-fil i UTF-8" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("case", ["no_unit", "no_user", "other_unit", "wrong_role", "no_file"])
def test_the_command_refuses_what_it_should(housing_admin, unit, other_unit, case):
    args = {"file": GOOD, "unit": str(unit.pk), "user": housing_admin.username}
    expected = {
        "no_unit": "Ingen enhet har id",
        "no_user": "Ingen aktiv användare heter",
        "other_unit": "tillhör inte enheten",
        "wrong_role": "får inte importera register",
        "no_file": "Filen kunde inte öppnas",
    }[case]
    if case == "no_unit":
        args["unit"] = "999999"
    elif case == "no_user":
        args["user"] = "finns-inte"
    elif case == "other_unit":
        args["unit"] = str(other_unit.pk)
    elif case == "wrong_role":
        args["user"] = UserFactory(unit=unit, roles=[Role.CASE_OFFICER]).username
    else:
        args["file"] = "/finns/inte.csv"

    with pytest.raises(CommandError) as raised:
        command(args["file"], "--unit-id", args["unit"], "--user", args["user"])

    assert expected in str(raised.value)
    assert Apartment.objects.count() == 0
