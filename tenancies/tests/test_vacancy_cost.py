"""The cost of an empty apartment (services.vacancy): hand-built cases with
the figures worked out here, then the apartment list and page showing them."""

from datetime import date

import pytest
from django.urls import reverse

from referrals.models import ProtectionLevel
from referrals.tests.factories import ClientFactory
from tenancies.models import ApartmentStatus, EndReason
from tenancies.services.vacancy import since_from_days, total_of, vacancy_cost

from .factories import ApartmentFactory, TenancyFactory

MONTHLY = 900_000  # 9 000 kr a month to the landlord


def test_a_vacancy_within_one_month_costs_its_share_of_the_month():
    # 2026-11-16..2026-11-30: 15 of November's 30 days = half the month.
    cost = vacancy_cost(MONTHLY, date(2026, 11, 16), date(2026, 11, 30))
    assert cost.days == 15
    assert cost.since_vacant == 450_000
    assert cost.this_year == 450_000


def test_each_month_is_divided_by_its_own_days():
    # November: 15/30 of 900 000 = 450 000; December: 6/31 of 900 000 =
    # 174 193.548…; together 624 193.548… → 624 194 öre (rounded once).
    cost = vacancy_cost(MONTHLY, date(2026, 11, 16), date(2026, 12, 6))
    assert cost.days == 21
    assert cost.since_vacant == 624_194
    assert cost.this_year == 624_194


def test_this_year_counts_from_the_first_of_january():
    # Since 2025-12-20: December 2025 12/31 → 348 387.096…; January 2026
    # 10/31 → 290 322.580…; since vacant 638 709.677… → 638 710; this year
    # only January's part → 290 323.
    cost = vacancy_cost(MONTHLY, date(2025, 12, 20), date(2026, 1, 10))
    assert cost.days == 22
    assert cost.since_vacant == 638_710
    assert cost.this_year == 290_323


def test_a_whole_february_costs_exactly_one_month():
    cost = vacancy_cost(MONTHLY, date(2026, 2, 1), date(2026, 2, 28))
    assert (cost.days, cost.since_vacant) == (28, MONTHLY)


def test_no_monthly_cost_gives_days_but_no_money_and_no_start_gives_nothing():
    assert vacancy_cost(None, date(2026, 1, 1), date(2026, 1, 31)) == type(
        vacancy_cost(1, date(2026, 1, 1), date(2026, 1, 1)))(31, None, None)
    assert vacancy_cost(MONTHLY, None, date(2026, 1, 1)) is None
    assert vacancy_cost(MONTHLY, date(2026, 2, 1), date(2026, 1, 31)) is None


def test_the_total_adds_up_the_rows_and_counts_those_without_cost():
    today = date(2026, 12, 6)
    # 21 days since 2026-11-16 (624 194) + 6 days since 2026-12-01 (6/31 of
    # 310 000 = 60 000) + one vacant apartment without a monthly cost.
    rows = [(MONTHLY, 21), (310_000, 6), (None, 3), (MONTHLY, None)]
    assert since_from_days(21, today) == date(2026, 11, 16)
    assert total_of(rows, today) == {
        "apartments": 3, "days": 30, "this_year": 684_194, "since_vacant": 684_194, "without_cost": 1,
    }


# --- On the pages ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_and_the_page_show_days_and_cost(client, housing_admin, unit, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2026, 12, 6))
    apartment = ApartmentFactory(unit=unit, monthly_cost=MONTHLY, lease_start=date(2020, 1, 1))
    TenancyFactory(apartment=apartment, start_date=date(2021, 1, 1), end_date=date(2026, 11, 15),
                   end_reason=EndReason.OWN_HOUSING)
    ApartmentFactory(unit=unit, status=ApartmentStatus.REPAIR)  # not vacant: no cost
    client.force_login(housing_admin)

    listed = client.get(reverse("tenancies:apartment_vacant_list")).content.decode()
    assert "6\u00a0241,94\u00a0kr" in listed  # 624 194 öre, on the row and in the total
    assert "1 ledig lägenhet, 21 dagar tom" in listed

    page = client.get(reverse("tenancies:apartment_detail", args=[apartment.pk]))
    assert page.context["vacancy"].days == 21
    assert "6\u00a0241,94\u00a0kr i år, 6\u00a0241,94\u00a0kr sedan den blev ledig" in page.content.decode()


@pytest.mark.django_db
def test_the_page_hides_the_cost_when_it_would_date_a_protected_tenants_move_out(client, housing_admin, unit):
    apartment = ApartmentFactory(unit=unit, monthly_cost=MONTHLY, lease_start=date(2020, 1, 1))
    tenant = ClientFactory(unit=unit, protection_level=ProtectionLevel.PROTECTED_REGISTRATION)
    TenancyFactory(apartment=apartment, client=tenant, start_date=date(2021, 1, 1), end_date=date(2024, 3, 15),
                   end_reason=EndReason.OWN_HOUSING)
    client.force_login(housing_admin)
    response = client.get(reverse("tenancies:apartment_detail", args=[apartment.pk]))
    assert response.context["vacancy"] == "hidden"
    assert "Dagar tom" not in response.content.decode()
