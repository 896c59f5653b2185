"""manage.py rent_run YYYY-MM [--unit ID]."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from rent.models import RentNotice, RentSettings
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("rent_run", *args, stdout=out)
    return out.getvalue()


def test_runs_every_unit_with_settings_and_prints_the_counts(unit, other_unit):
    RentSettings.objects.create(unit=unit)
    for _ in range(2):
        TenancyFactory(apartment=ApartmentFactory(unit=unit), start_date=date(2025, 1, 1))
    TenancyFactory(apartment=ApartmentFactory(unit=other_unit), start_date=date(2025, 1, 1))
    out = run("2026-12")
    assert f"{unit}: 2 avier skapade för 2026-12." in out
    assert "Totalt: 2 avier skapade." in out
    assert "Totalt: 0 avier skapade." in run("2026-12")  # idempotent
    assert "Totalt: 1 avier skapade." in run("2026-12", "--unit", str(other_unit.pk))
    assert RentNotice.objects.count() == 3


@pytest.mark.parametrize("month", ["2026-13", "12-2026", "2026-1", "nästa"])
def test_a_bad_month_is_refused(month):
    with pytest.raises(CommandError, match="Ange månaden som ÅÅÅÅ-MM"):
        run(month)


def test_an_unknown_unit_is_refused(db):
    with pytest.raises(CommandError, match="Ingen enhet"):
        run("2026-12", "--unit", "999999")
