"""manage.py import_bgmax PATH [--unit ID] [--user NAME]."""

import pytest
from django.core.management import CommandError, call_command

from rent.models import Payment
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

from .bgmax_factories import bgmax_bytes, payment, rent_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def file(tmp_path, unit, housing_admin):
    rent_settings(unit)
    TenancyFactory(apartment=ApartmentFactory(unit=unit))
    path = tmp_path / "nov.bgmax"
    path.write_bytes(bgmax_bytes(payment("99999", 1000), payment("12", 2000)))
    return path


def test_imports_and_prints_a_summary(file, capsys):
    call_command("import_bgmax", str(file))
    assert "Imported nov.bgmax: 2 payments, 0 matched, 2 to match by hand, total 30.00 kr." in capsys.readouterr().out
    assert Payment.objects.count() == 2


def test_a_duplicate_is_an_error(file, unit):
    call_command("import_bgmax", str(file), "--unit", str(unit.pk))
    with pytest.raises(CommandError, match="Filen importerades redan den"):
        call_command("import_bgmax", str(file), "--unit", str(unit.pk))


def test_a_bad_file_is_an_error(tmp_path, unit, housing_admin):
    rent_settings(unit)
    path = tmp_path / "bad.bgmax"
    path.write_bytes(b"hello\r\n")
    with pytest.raises(CommandError, match="line 1"):
        call_command("import_bgmax", str(path), "--unit", str(unit.pk))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_bgmax", str(tmp_path / "missing.bgmax"))
