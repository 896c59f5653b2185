"""Aging on month ends, worked by hand (docs/rent.md, "Arrears").

Notices of 5 000 kr due 31 January, 28 February and 31 March 2025 (and
one due 30 April, made on 20 April), with partial payments:
- January: 2 000 kr paid 10 February → 3 000 kr open from then on;
- February: 1 500 kr paid 15 April → 5 000 kr open on 31 March, 3 500 kr on 30 April;
- March: 1 000 kr paid 1 April → 5 000 kr open on 31 March, 4 000 kr on 30 April.

On 31 March: January is 59 days late and February 31 (both 31–60), March
is due that day (current, not late): 31–60 = 8 000 kr, current 5 000 kr.
On 30 April: January 89 and February 61 days late (over 60: 6 500 kr),
March 30 days (1–30: 4 000 kr), April due that day (current 5 000 kr).
"""

from datetime import date

import pytest

from rent.services import aging as services
from tenancies.models import IncomeKind
from tenancies.tests.factories import ApartmentFactory, TenancyFactory, add_income

from .arrears_factories import credit, notice, pay

pytestmark = pytest.mark.django_db

KR = 100


@pytest.fixture
def tenancy(unit, client_record):
    return TenancyFactory(apartment=ApartmentFactory(unit=unit), client=client_record, start_date=date(2024, 6, 1))


@pytest.fixture
def ledger(tenancy):
    january = notice(tenancy, date(2025, 1, 31), 5000 * KR)
    february = notice(tenancy, date(2025, 2, 28), 5000 * KR)
    march = notice(tenancy, date(2025, 3, 31), 5000 * KR)
    april = notice(tenancy, date(2025, 4, 30), 5000 * KR, issued=date(2025, 4, 20))
    pay(january, 2000 * KR, date(2025, 2, 10))
    pay(february, 1500 * KR, date(2025, 4, 15))
    pay(march, 1000 * KR, date(2025, 4, 1))
    return {"january": january, "february": february, "march": march, "april": april}


def buckets(row):
    return {name: getattr(row, name) // KR for name in services.BUCKETS}


def test_aging_on_31_march(unit, tenancy, ledger):
    [row] = services.aging(unit, date(2025, 3, 31))

    assert buckets(row) == {"current": 5000, "days_1_30": 0, "days_31_60": 8000, "over_60": 0}
    assert row.arrears == 8000 * KR
    assert row.oldest_due == date(2025, 1, 31)


def test_aging_on_30_april(unit, tenancy, ledger):
    [row] = services.aging(unit, date(2025, 4, 30))

    assert buckets(row) == {"current": 5000, "days_1_30": 4000, "days_31_60": 0, "over_60": 6500}
    assert row.arrears == 10500 * KR
    assert row.total == 15500 * KR


def test_the_bucket_edges():
    due = date(2025, 1, 31)
    assert services.bucket_of(due, date(2025, 1, 31)) == "current"
    assert services.bucket_of(due, date(2025, 2, 1)) == "days_1_30"
    assert services.bucket_of(due, date(2025, 3, 2)) == "days_1_30"  # 30 days
    assert services.bucket_of(due, date(2025, 3, 3)) == "days_31_60"  # 31 days
    assert services.bucket_of(due, date(2025, 4, 1)) == "days_31_60"  # 60 days
    assert services.bucket_of(due, date(2025, 4, 2)) == "over_60"


def test_leap_year_29_february(unit, tenancy):
    leap = notice(tenancy, date(2024, 2, 29), 4000 * KR)

    # 30 days late on 30 March 2024, 31 on 31 March.
    assert buckets(services.aging(unit, date(2024, 3, 30))[0])["days_1_30"] == 4000
    assert buckets(services.aging(unit, date(2024, 3, 31))[0])["days_31_60"] == 4000
    # More than a month behind: 29 February + 1 month = 29 March < on.
    assert not services.aging(unit, date(2024, 3, 29))[0].more_than_a_month_behind
    assert services.aging(unit, date(2024, 3, 30))[0].more_than_a_month_behind
    assert leap.pk


@pytest.mark.parametrize(("due", "last_day_not_behind"), [
    (date(2025, 1, 31), date(2025, 2, 28)),  # + 1 month = 28 February (clamped)
    (date(2024, 1, 31), date(2024, 2, 29)),  # leap year: 29 February
    (date(2025, 2, 28), date(2025, 3, 28)),
    (date(2025, 3, 15), date(2025, 4, 15)),
    (date(2025, 12, 31), date(2026, 1, 31)),
])
def test_behind_more_than_a_month_boundaries(unit, tenancy, due, last_day_not_behind):
    notice(tenancy, due, 3000 * KR)

    assert services.behind_more_than_a_month(unit, last_day_not_behind) == []
    [row] = services.behind_more_than_a_month(unit, date.fromordinal(last_day_not_behind.toordinal() + 1))
    assert row.tenancy == tenancy


def test_a_paid_notice_is_not_arrears_and_a_credit_balance_is_not_negative(unit, tenancy, client_record):
    paid = notice(tenancy, date(2025, 1, 31), 5000 * KR)
    pay(paid, 5000 * KR, date(2025, 1, 31))
    credit(tenancy, 2000 * KR, date(2025, 2, 5))
    other = TenancyFactory(apartment=ApartmentFactory(unit=unit), start_date=date(2024, 1, 1))
    notice(other, date(2025, 1, 31), 1000 * KR)

    rows = services.aging(unit, date(2025, 3, 1))
    assert [row.tenancy for row in rows] == [other]
    figures = services.arrears_figures(unit, date(2025, 3, 1))
    assert figures.total_arrears == 1000 * KR
    assert figures.tenants_behind == 1


def test_figures_count_only_the_unit_and_every_unit_when_none(unit, other_unit, tenancy, ledger):
    elsewhere = TenancyFactory(apartment=ApartmentFactory(unit=other_unit), start_date=date(2024, 1, 1))
    notice(elsewhere, date(2025, 3, 10), 700 * KR)
    on = date(2025, 3, 31)

    mine = services.arrears_figures(unit, on)
    assert (mine.total_arrears, mine.current, mine.tenants_behind, mine.tenants_more_than_a_month_behind) == (
        8000 * KR, 5000 * KR, 1, 1)
    everyone = services.arrears_figures(None, on)
    assert everyone.total_arrears == 8700 * KR
    assert (everyone.tenants_behind, everyone.tenants_more_than_a_month_behind) == (2, 1)


def test_trend_at_month_ends(unit, tenancy, ledger, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        trend = services.arrears_trend(unit, 2025, today=date(2025, 5, 15))

    figures = {month.month_end: month.arrears for month in trend}
    assert len(trend) == 12
    assert figures[date(2025, 1, 31)] == 0  # due that day: not late yet
    assert figures[date(2025, 2, 28)] == 3000 * KR
    assert figures[date(2025, 3, 31)] == 8000 * KR
    assert figures[date(2025, 4, 30)] == 10500 * KR
    assert figures[date(2025, 5, 31)] is None  # not ended on 15 May
    for end in (date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30)):
        assert figures[end] == services.total_arrears(unit, end), "the trend agrees with the figures of the day"


def test_income_source_on_the_day(unit, client_record):
    def tenant(kind):
        made = TenancyFactory(apartment=ApartmentFactory(unit=unit), start_date=date(2024, 1, 1))
        if kind:
            add_income(made, kind=kind, valid_from=date(2024, 1, 1))
        notice(made, date(2025, 1, 31), 1000 * KR)
        return made

    assisted, salaried, unknown = tenant(IncomeKind.FINANCIAL_ASSISTANCE), tenant(IncomeKind.SALARY), tenant(None)
    # Assistance that ended before the day does not count.
    ended = tenant(None)
    add_income(ended, kind=IncomeKind.FINANCIAL_ASSISTANCE, valid_from=date(2024, 1, 1), valid_to=date(2024, 12, 31))

    rows = {row.tenancy: row for row in services.aging(unit, date(2025, 2, 15))}
    assert rows[assisted].income == "financial_assistance" and rows[assisted].needs_conversation
    assert rows[salaried].income == "self_supporting" and not rows[salaried].needs_conversation
    assert rows[unknown].income == "" and not rows[unknown].needs_conversation
    assert rows[ended].income == ""
    # Not late yet: nothing to talk about.
    assert not services.aging(unit, date(2025, 1, 31))[0].needs_conversation


def test_aging_reads_in_two_queries_whatever_the_number(unit, django_assert_num_queries):
    for _ in range(6):
        made = TenancyFactory(apartment=ApartmentFactory(unit=unit), start_date=date(2024, 1, 1))
        notice(made, date(2025, 1, 31), 1000 * KR)

    with django_assert_num_queries(2):
        rows = services.aging(unit, date(2025, 3, 1))
        assert [row.tenancy.client.full_name for row in rows]
