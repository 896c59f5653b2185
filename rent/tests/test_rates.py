"""The rent on a day, dated changes, increases per kind, and the month's
arithmetic (rent.services.rates)."""

from datetime import date
from decimal import Decimal

import pytest

from audit.models import AccessLogEntry
from rent.models import RentIncrease, RentRate
from rent.services import rates
from tenancies.models import ApartmentKind, EndReason
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("housing_admin")]


def tenancy_in(unit, kind=ApartmentKind.TRAINING, **extra):
    return TenancyFactory(apartment=ApartmentFactory(unit=unit, kind=kind), **extra)


def test_rent_on_follows_the_dated_changes(unit, ctx):
    tenancy = tenancy_in(unit, start_date=date(2025, 3, 1), rent=500_000)
    rates.set_rate(ctx, tenancy, date(2026, 1, 1), 520_000, "Årlig höjning")
    rates.set_rate(ctx, tenancy, date(2026, 7, 1), 540_000)
    assert rates.rent_on(tenancy, date(2025, 12, 31)) == 500_000  # before the first rate: the tenancy's
    assert rates.rent_on(tenancy, date(2026, 1, 1)) == 520_000
    assert rates.rent_on(tenancy, date(2026, 6, 30)) == 520_000
    assert rates.rent_on(tenancy, date(2027, 1, 1)) == 540_000


def test_without_a_tenancy_rent_the_apartments_rent_charged(unit):
    tenancy = tenancy_in(unit, rent=None)
    assert tenancy.apartment.rent == 600_000
    assert rates.rent_on(tenancy, date(2026, 1, 1)) == 600_000


def test_a_rate_must_fall_within_the_tenancy_and_be_the_only_one_that_day(unit, ctx):
    tenancy = tenancy_in(unit, start_date=date(2025, 3, 1), end_date=date(2025, 12, 31),
                         end_reason=EndReason.OWN_HOUSING)
    with pytest.raises(rates.RateError, match="inom hyresförhållandet"):
        rates.set_rate(ctx, tenancy, date(2026, 1, 1), 520_000)
    rates.set_rate(ctx, tenancy, date(2025, 6, 1), 520_000)
    with pytest.raises(rates.RateError, match="redan en hyra från detta datum"):
        rates.set_rate(ctx, tenancy, date(2025, 6, 1), 530_000)
    assert RentRate.objects.count() == 1
    assert AccessLogEntry.objects.filter(object_type="rent.rentrate", client_id=tenancy.client_id).count() == 1


def test_pro_rata_rounds_to_whole_ore_half_up():
    assert rates.pro_rata(599_900, 16, 30) == 319_947  # 319 946,67 öre
    assert rates.pro_rata(100, 1, 2) == 50
    assert rates.pro_rata(1, 1, 2) == 1  # 0,5 öre rounds up
    assert rates.pro_rata(600_000, 30, 30) == 600_000


def test_a_move_in_on_the_15th_of_a_30_day_month_worked_by_hand():
    # November 2026 has 30 days; 15–30 November is 16 days.
    # 5 999 kr × 16 / 30 = 3 199,4666… kr → 3 199,47 kr.
    [part] = rates.month_parts(date(2026, 11, 1), date(2026, 11, 15), None, [], 599_900)
    assert (part.days, part.days_in_month, part.amount) == (16, 30, 319_947)
    assert (part.first, part.last) == (date(2026, 11, 15), date(2026, 11, 30))


def test_february_counts_its_own_days():
    # A move-out on 10 February 2027 (28 days): 5 999 kr × 10 / 28 = 2 142,50 kr.
    [part] = rates.month_parts(date(2027, 2, 1), date(2026, 1, 1), date(2027, 2, 10), [], 599_900)
    assert (part.days, part.days_in_month, part.amount) == (10, 28, 214_250)
    # A move-in on 20 February 2028 (leap year, 29 days): 10 days, 2 068,6206… kr → 2 068,62 kr.
    [part] = rates.month_parts(date(2028, 2, 1), date(2028, 2, 20), None, [], 599_900)
    assert (part.days, part.days_in_month, part.amount) == (10, 29, 206_862)


def test_a_whole_month_is_one_part_without_days():
    [part] = rates.month_parts(date(2027, 2, 1), date(2026, 1, 1), None, [], 599_900)
    assert (part.days, part.days_in_month, part.amount) == (None, None, 599_900)


def test_a_rent_change_inside_a_month_splits_it_by_days():
    # January 2027 (31 days): 6 000 kr on 1–15, 6 200 kr from the 16th.
    parts = rates.month_parts(date(2027, 1, 1), date(2026, 1, 1), None, [(date(2027, 1, 16), 620_000)], 600_000)
    assert [(p.first.day, p.last.day, p.days, p.monthly_rent, p.amount) for p in parts] == [
        (1, 15, 15, 600_000, 290_323),  # 6 000 × 15/31 = 2 903,2258 kr
        (16, 31, 16, 620_000, 320_000),  # 6 200 × 16/31 = 3 200 kr
    ]


def test_a_change_on_the_first_of_the_month_charges_the_new_rent_whole():
    [part] = rates.month_parts(date(2027, 1, 1), date(2026, 1, 1), None, [(date(2027, 1, 1), 620_000)], 600_000)
    assert (part.days, part.amount) == (None, 620_000)


def test_an_increase_in_per_cent_rounds_to_whole_kronor():
    assert rates.increased(599_900, percent=Decimal("2.5")) == 614_900  # 6 148,975 kr → 6 149 kr
    assert rates.increased(600_000, percent=Decimal("1.99")) == 611_900  # 6 119,40 kr → 6 119 kr
    assert rates.increased(600_000, amount=15_050) == 615_050


def test_an_increase_applies_to_the_tenancies_of_the_kind_running_on_the_day(unit, other_unit, ctx):
    training = tenancy_in(unit, start_date=date(2024, 1, 1), rent=600_000)
    changed_before = tenancy_in(unit, start_date=date(2024, 1, 1), rent=500_000)
    rates.set_rate(ctx, changed_before, date(2026, 6, 1), 550_000)
    own_that_day = tenancy_in(unit, start_date=date(2024, 1, 1), rent=500_000)
    rates.set_rate(ctx, own_that_day, date(2027, 1, 1), 510_000)
    trial = tenancy_in(unit, ApartmentKind.TRIAL, start_date=date(2024, 1, 1))
    ended = tenancy_in(unit, start_date=date(2024, 1, 1), end_date=date(2026, 12, 31),
                       end_reason=EndReason.OWN_HOUSING)
    elsewhere = tenancy_in(other_unit, start_date=date(2024, 1, 1))
    increase = rates.apply_increase(ctx, unit, ApartmentKind.TRAINING, date(2027, 1, 1), percent=Decimal("2"))

    made = {rate.tenancy_id: rate.monthly_rent for rate in increase.rates.all()}
    assert made == {training.pk: 612_000, changed_before.pk: 561_000}
    assert rates.rent_on(own_that_day, date(2027, 1, 1)) == 510_000  # set one by one: kept
    for untouched in (trial, ended, elsewhere):
        assert not RentRate.objects.filter(tenancy=untouched).exists()
    logged = AccessLogEntry.objects.filter(object_type="rent.rentrate", note="rent_increase")
    assert set(logged.values_list("client_id", flat=True)) == {training.client_id, changed_before.client_id}


def test_an_increase_by_an_amount_for_every_kind(unit, ctx):
    training = tenancy_in(unit, start_date=date(2024, 1, 1), rent=600_000)
    trial = tenancy_in(unit, ApartmentKind.TRIAL, start_date=date(2024, 1, 1), rent=400_000)
    increase = rates.apply_increase(ctx, unit, "", date(2027, 1, 1), amount=20_000)
    assert RentIncrease.objects.get().amount == 20_000
    assert {r.tenancy_id: r.monthly_rent for r in increase.rates.all()} == {training.pk: 620_000, trial.pk: 420_000}


def test_the_run_reads_every_rate_in_one_query(unit, ctx, django_assert_num_queries):
    tenancies = [tenancy_in(unit, start_date=date(2024, 1, 1)) for _ in range(3)]
    for tenancy in tenancies:
        rates.set_rate(ctx, tenancy, date(2025, 1, 1), 610_000)
    with django_assert_num_queries(1):
        found = rates.rates_by_tenancy([t.pk for t in tenancies])
    assert all(found[t.pk] == [(date(2025, 1, 1), 610_000)] for t in tenancies)
