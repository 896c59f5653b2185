"""Possible first-hand takeovers: tenants in a training apartment who have
lived in the programme for three years or more without a break (internal
moves count as continuous). The page that lists them is bolots' (it shows
the housing search): bolots/tests/test_takeover_page.py."""

from datetime import date

import pytest

from referrals.tests.factories import ClientFactory
from tenancies.models import ApartmentKind, EndReason, Tenancy
from tenancies.services.tenancies import takeover_candidates

from .factories import ApartmentFactory, TenancyFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 5, 20)


@pytest.fixture
def history(unit):
    def tenancy(start, end=None, reason="", kind=ApartmentKind.TRAINING, client=None):
        return TenancyFactory(
            apartment=ApartmentFactory(unit=unit, kind=kind), client=client or ClientFactory(unit=unit),
            start_date=start, end_date=end, end_reason=reason,
        )

    rows = {
        # Exactly three years on TODAY: a candidate.
        "three_years": tenancy(date(2023, 5, 20)),
        # One day short.
        "one_day_short": tenancy(date(2023, 5, 21)),
        # Five years, but in a trial apartment.
        "trial": tenancy(date(2021, 1, 1), kind=ApartmentKind.TRIAL),
        # Five years in a training apartment, but moved out last month.
        "ended": tenancy(date(2021, 1, 1), date(2026, 4, 30), EndReason.OWN_HOUSING),
    }
    # Internal moves: 2021-03-01 in an emergency apartment, then moved within
    # the programme to a training apartment in 2025: continuous since 2021.
    moved = ClientFactory(unit=unit)
    tenancy(date(2021, 3, 1), date(2025, 1, 31), EndReason.MOVED_WITHIN_PROGRAMME, kind=ApartmentKind.EMERGENCY,
            client=moved)
    rows["internal_move"] = tenancy(date(2025, 2, 1), client=moved)
    # A break: terminated for arrears in 2022, back in 2024: a new stay.
    returned = ClientFactory(unit=unit)
    tenancy(date(2019, 1, 1), date(2022, 6, 30), EndReason.TERMINATED_ARREARS, client=returned)
    rows["new_stay"] = tenancy(date(2024, 1, 1), client=returned)
    return rows


def test_candidates_on_a_day(history):
    found = list(takeover_candidates(Tenancy.objects.all(), TODAY))

    # Longest in the programme first: since 2021-03-01, then 2023-05-20.
    assert found == [history["internal_move"], history["three_years"]]


