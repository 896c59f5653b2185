"""The running year's cheaper forms (issue 16) count what the forms they
replaced counted: occupancy's earlier tenancy as a window column against
the correlated subquery (which the per-apartment page still uses), on
back-to-back tenancies, tenancies outside the apartment's lease and
tenancies partly or wholly outside the two years."""

from datetime import date

import pytest
from django.utils import timezone

from reports.kpis.common import Year
from reports.kpis.occupancy import (
    _month_columns,
    _occupied_days,
    _tenancies,
    _tenancies_meeting,
    _year_column,
    occupied_days,
    reference_day,
)
from tenancies.models import EndReason
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 8, 20)


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    original = timezone.localdate

    def localdate(value=None, timezone=None):
        return TODAY if value is None else original(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


def tenancy(apartment, start, end=None):
    extra = {"end_date": end, "end_reason": EndReason.OWN_HOUSING} if end else {}
    return TenancyFactory(apartment=apartment, start_date=start, **extra)


def by_subquery(year, unit):
    """The columns of _occupied_days as computed before issue 16."""
    columns = {**_month_columns(year, occupied_days), **_year_column(year - 1, occupied_days, "previous")}
    row = _tenancies(unit).filter(_tenancies_meeting(Year(year - 1).first, reference_day(year))).aggregate(**columns)
    return {name: value or 0 for name, value in row.items()}


def test_occupied_days_by_window_equal_those_by_subquery(unit, other_unit):
    first = ApartmentFactory(unit=unit, lease_start=date(2023, 5, 1))
    tenancy(first, date(2023, 6, 1), date(2024, 11, 30))  # wholly before Y−1
    tenancy(first, date(2024, 12, 1), date(2025, 3, 15))  # into Y−1
    tenancy(first, date(2025, 3, 16), date(2025, 9, 30))  # moves in the day after the last one moved out
    tenancy(first, date(2025, 10, 1), date(2026, 2, 10))  # again, across the year end
    tenancy(first, date(2026, 2, 11))  # still living there
    second = ApartmentFactory(unit=unit, lease_start=date(2025, 2, 1), lease_end=date(2026, 6, 30))
    tenancy(second, date(2025, 1, 10), date(2025, 1, 31))  # before the lease starts
    tenancy(second, date(2025, 2, 1), date(2026, 7, 31))  # past the lease end
    elsewhere = ApartmentFactory(unit=other_unit)
    tenancy(elsewhere, date(2025, 5, 5))

    for year, scope in ((2026, unit), (2026, None), (2025, unit), (2025, None)):
        window = {name: value for name, value in _occupied_days(year, scope).items() if not name.startswith("moves")}
        assert window == by_subquery(year, scope), (year, scope)
    # Not all zeros: January 2026 is fully occupied in both apartments.
    assert _occupied_days(2026, unit)["m1"] == 31 + 31
