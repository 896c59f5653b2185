"""Occupancy of the stock (reports.kpis.occupancy): small hand-built data
sets, the expected figures worked out by hand in the comments.

"Today" is fixed at 1 March 2027 (replacing django.utils.timezone.localdate,
as test_preliminary.py does): 2026 and earlier are closed years, 2027 runs
up to and including 1 March."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from referrals.models import ProtectionLevel
from reports.kpis import additional_figures
from reports.kpis.occupancy import EMPTY_OVER_60, MONTHS, per_apartment, section
from reports.kpis.records import records_for
from tenancies.models import ApartmentStatus, EndReason, Vacancy, VacancyReason
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

pytestmark = pytest.mark.django_db
TODAY = date(2027, 3, 1)


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    original = timezone.localdate

    def localdate(value=None, timezone=None):
        return TODAY if value is None else original(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return TODAY


def apartment(unit, **kwargs):
    return ApartmentFactory(unit=unit, **kwargs)


def tenancy(apt, start, end=None):
    extra = {"end_date": end, "end_reason": EndReason.OWN_HOUSING} if end else {}
    return TenancyFactory(apartment=apt, start_date=start, **extra)


def vacancy(apt, start, end=None):
    return Vacancy.objects.create(apartment=apt, reason=VacancyReason.MOVE_OUT, vacant_from=start, ended_on=end)


def figures(result):
    return {figure.key.removeprefix("occupancy."): (figure.value, figure.previous) for figure in result.figures}


def month(result, number):
    row = result.months[number - 1]
    assert row.month == number
    return row.programme_days, row.occupied_days, row.empty_days


# --- A vacancy across a month end and a year end ----------------------------------------------


def test_vacancy_across_the_year_end(unit):
    # One apartment, in the programme since before the register (no lease
    # start). Tenant 1: 2025-06-01 – 2025-12-19; empty 2025-12-20 up to the
    # next move-in on 2026-01-10 (the vacancy [2025-12-20, 2026-01-10));
    # tenant 2 from 2026-01-10, still living there.
    apt = apartment(unit)
    tenancy(apt, date(2025, 6, 1), date(2025, 12, 19))
    tenancy(apt, date(2026, 1, 10))
    vacancy(apt, date(2025, 12, 20), date(2026, 1, 10))

    result = section(2026, unit)
    # January 2026: 31 days in the programme, occupied 10–31 = 22, empty 1–9 = 9.
    assert month(result, 1) == (31, 22, 9)
    # February: 28 days, all occupied.
    assert month(result, 2) == (28, 28, 0)
    f = figures(result)
    # 2026: 365 days, occupied 365 − 9 = 356. 2025: 365 days, occupied
    # June 1 – December 19: 30 + 31 + 31 + 30 + 31 + 30 + 19 = 202.
    assert f["programme_days"] == (365, 365)
    assert f["occupied_days"] == (356, 202)
    assert f["empty_days"] == (9, 163)
    # 356 / 365 = 97.53 % → 97.5; 202 / 365 = 55.34 % → 55.3.
    assert f["rate"] == (D("97.5"), D("55.3"))
    # One move-in each year; one apartment on average: turnover 100 %.
    assert f["move_ins"] == (1, 1)
    assert f["apartments"] == (D("1.0"), D("1.0"))
    assert f["turnover"] == (D("100.0"), D("100.0"))
    # The vacancy ended in 2026 (its end, the move-in day, is in 2026):
    # 2026-01-10 − 2025-12-20 = 21 days. None ended in 2025.
    assert f["vacancies_ended"] == (1, 0)
    assert f["vacancy_length"] == (D("21.0"), None)
    # On 31 December 2025 it was open: 31 − 20 + 1 = 12 days empty so far;
    # on 31 December 2026 nothing is empty.
    assert f["empty_now"] == (0, 1)
    assert f["empty_length"] == (None, D("12.0"))
    assert f["empty_over_60"] == (0, 0)

    previous = section(2025, unit)
    # December 2025: occupied 1–19 = 19, empty 20–31 = 12.
    assert month(previous, 12) == (31, 19, 12)
    # November 2025: all 30 occupied.
    assert month(previous, 11) == (30, 30, 0)


def test_leap_year_february(unit):
    # 2024 is a leap year: February has 29 days. A tenant from 2024-02-10:
    # February occupied 10–29 = 20 days, empty 1–9 = 9.
    apt = apartment(unit)
    tenancy(apt, date(2024, 2, 10))
    result = section(2024, unit)
    assert month(result, 2) == (29, 20, 9)
    f = figures(result)
    # 366 days in the programme; empty January (31) and February 1–9 (9) = 40.
    assert f["programme_days"] == (366, 365)
    assert f["occupied_days"] == (326, 0)
    assert f["empty_days"] == (40, 365)


def test_apartment_entering_and_leaving_the_programme_mid_year(unit):
    # Leased 2026-03-15 – 2026-09-10, then returned (left the programme).
    # In the programme: March 15–31 = 17, April 30, May 31, June 30, July 31,
    # August 31, September 1–10 = 10: 180 days. Tenant 2026-04-01 – 2026-08-31:
    # 30 + 31 + 30 + 31 + 31 = 153 days; empty 180 − 153 = 27.
    apt = apartment(unit, lease_start=date(2026, 3, 15), lease_end=date(2026, 9, 10),
                    status=ApartmentStatus.LEFT_PROGRAMME)
    tenancy(apt, date(2026, 4, 1), date(2026, 8, 31))
    # An apartment that left without a recorded lease end is never in the
    # programme (additional.in_programme), its tenancy not counted either.
    gone = apartment(unit, status=ApartmentStatus.LEFT_PROGRAMME)
    tenancy(gone, date(2026, 1, 1), date(2026, 2, 1))

    result = section(2026, unit)
    assert month(result, 2) == (0, 0, 0)
    assert month(result, 3) == (17, 0, 17)
    assert month(result, 4) == (30, 30, 0)
    assert month(result, 9) == (10, 0, 10)
    assert month(result, 10) == (0, 0, 0)
    f = figures(result)
    assert f["programme_days"] == (180, 0)
    assert f["occupied_days"] == (153, 0)
    assert f["empty_days"] == (27, 0)
    # 153 / 180 = 85.0 %; 2025 had no day in the programme: no rate.
    assert f["rate"] == (D("85.0"), None)
    # On average 180 / 365 = 0.49 → 0.5 apartments; one move-in:
    # 1 × 365 / 180 × 100 = 202.8 %.
    assert f["apartments"] == (D("0.5"), D("0.0"))
    assert f["turnover"] == (D("202.8"), None)
    assert f["move_ins"] == (1, 0)
    assert [row.apartment for row in per_apartment(2026, unit)] == [apt]


@pytest.mark.parametrize(("second_start", "occupied", "may_days"), [
    # The next tenant moves in the day the first moves out: 15 May counts once.
    (date(2026, 5, 15), 365, 31),
    # The next day: no day between them is empty.
    (date(2026, 5, 16), 365, 31),
    # Two days later: 16 May is empty.
    (date(2026, 5, 17), 364, 30),
])
def test_one_tenancy_ending_and_the_next_starting(unit, second_start, occupied, may_days):
    apt = apartment(unit)
    tenancy(apt, date(2026, 1, 1), date(2026, 5, 15))
    if second_start == date(2026, 5, 15) and connection.vendor == "postgresql":
        # PostgreSQL refuses two tenancies sharing a day
        # (tenancies_tenancy_no_overlap); SQLite has no such constraint, and
        # the figures count the shared day once there.
        with pytest.raises(IntegrityError), transaction.atomic():
            tenancy(apt, second_start)
        return
    tenancy(apt, second_start)
    result = section(2026, unit)
    assert month(result, 5) == (31, may_days, 31 - may_days)
    assert figures(result)["occupied_days"] == (occupied, 0)
    assert figures(result)["move_ins"] == (2, 0)
    # The page's row adds up the same way.
    (row,) = per_apartment(2026, unit)
    assert (row.programme_days, row.occupied_days, row.empty_days) == (365, occupied, 365 - occupied)


# --- Empty for over 60 days ------------------------------------------------------------------


def test_apartments_empty_for_over_60_days(unit, other_unit):
    # On 31 December 2026 (the reference day of the closed year):
    # from 2026-10-31: 31 + 30 + 31 = 62 days empty → listed;
    # from 2026-11-01: 30 + 31 = 61 days → listed;
    # from 2026-11-02: 29 + 31 = 60 days → not over 60;
    # from 2026-09-01, ended 2027-01-05 (after the reference day): open on
    # 31 December, 122 days → listed;
    # from 2026-08-01, ended 2026-12-31 (the move-in day): not open on 31
    # December, ended in 2026 after 152 days.
    listed = [apartment(unit, object_number=f"L{n}") for n in range(3)]
    vacancy(listed[0], date(2026, 10, 31))
    vacancy(listed[1], date(2026, 11, 1))
    vacancy(listed[2], date(2026, 9, 1), date(2027, 1, 5))
    short = apartment(unit)
    vacancy(short, date(2026, 11, 2))
    ended = apartment(unit)
    vacancy(ended, date(2026, 8, 1), date(2026, 12, 31))
    # Another unit's long vacancy is not counted.
    vacancy(apartment(other_unit), date(2026, 1, 1))

    f = figures(section(2026, unit))
    assert f["empty_over_60"] == (3, 0)
    assert set(records_for(EMPTY_OVER_60.key, 2026, unit)) == set(listed)
    # Open on 31 December: the three listed and the short one; days so far
    # 62, 61, 122 and 60: average 305 / 4 = 76.25 → 76.3.
    assert f["empty_now"] == (4, 0)
    assert f["empty_length"] == (D("76.3"), None)
    # Ended in 2026: the one ended on 31 December, 152 days (August 1 –
    # December 30 empty: 31 + 30 + 31 + 30 + 30 = 152).
    assert f["vacancies_ended"] == (1, 0)
    assert f["vacancy_length"] == (D("152.0"), None)


def test_running_year_counts_up_to_today(unit):
    # Today is 2027-03-01: the period is January 1 – March 1 (31 + 28 + 1 = 60
    # days). An apartment vacant since 2026-12-20 and never let: all 60 days
    # empty; on 1 March it has been empty 12 + 60 = 72 days → over 60.
    apt = apartment(unit)
    vacancy(apt, date(2026, 12, 20))
    result = section(2027, unit)
    assert month(result, 3) == (1, 0, 1)
    assert month(result, 4) == (0, 0, 0)
    f = figures(result)
    assert f["programme_days"] == (60, 365)
    assert f["empty_days"] == (60, 365)
    assert f["apartments"] == (D("1.0"), D("1.0"))
    assert f["empty_now"] == (1, 1)
    assert f["empty_length"] == (D("72.0"), D("12.0"))
    assert f["empty_over_60"] == (1, 0)


# --- The page's rows and the unit's figures agree; queries ---------------------------------------


def test_per_apartment_rows_add_up_to_the_unit(unit, other_unit):
    a = apartment(unit, object_number="A1")
    b = apartment(unit, object_number="B1", lease_start=date(2026, 7, 1))
    tenancy(a, date(2025, 3, 1), date(2026, 2, 28))
    tenancy(b, date(2026, 7, 1))
    # A protected tenant lived in `a` during 2026.
    protected = tenancy(a, date(2026, 3, 2))
    protected.client.protection_level = ProtectionLevel.PROTECTED_REGISTRATION
    protected.client.save()
    tenancy(apartment(other_unit), date(2026, 1, 1))

    rows = per_apartment(2026, unit)
    assert [row.apartment.object_number for row in rows] == ["A1", "B1"]
    # A1: 365 days, occupied 365 − 1 (1 March empty) = 364. B1: 1 July – 31
    # December = 184 days, all occupied.
    assert [(r.programme_days, r.occupied_days, r.protected_tenant) for r in rows] == [
        (365, 364, True), (184, 184, False),
    ]
    f = figures(section(2026, unit))
    assert f["programme_days"][0] == sum(row.programme_days for row in rows) == 549
    assert f["occupied_days"][0] == sum(row.occupied_days for row in rows) == 548
    # Everyone's figures (unit None) include the other unit's apartment.
    assert figures(section(2026))["programme_days"][0] == 549 + 365


def test_per_apartment_months_turnover_and_vacancies_add_up_to_the_unit(unit, other_unit):
    """Three apartments in 2026 (a closed year), worked out by hand.

    P1 (in the programme all year): let up to 10 February, empty 11–28
    February (18 days), let again from 1 March. Months: February 28 days,
    10 occupied; the others full. Year 365 / 347 / 18 empty. One move-in:
    turnover 1 × 365 × 100 / 365 = 100,0 %. One vacancy ended (1 March −
    11 February = 18 days). Not empty on 31 December.

    P2 (enters the programme on 15 April): empty 15–30 April (16 days), let
    1 May – 30 November, empty from 1 December. Programme days 16 + 31 + 30
    + 31 + 31 + 30 + 31 + 30 + 31 = 261, occupied May–November 31 + 30 + 31
    + 31 + 30 + 31 + 30 = 214, empty 16 + 31 = 47. One move-in: 365 × 100 /
    261 = 139,8 %. One vacancy ended (16 days); empty 31 days on 31 December.

    P3: let since 2025, moved out 30 September, empty since 1 October: 273
    occupied (January–September), 92 empty; empty 92 days on 31 December,
    over 60. No move-in: 0,0 %.

    The unit: 991 days, 834 occupied, 157 empty; two move-ins, turnover 2 ×
    365 × 100 / 991 = 73,7 %; two vacancies ended, average (18 + 16) / 2 =
    17,0 days; two apartments empty on 31 December, one of them over 60
    days."""
    p1 = apartment(unit, object_number="P1")
    tenancy(p1, date(2025, 10, 1), date(2026, 2, 10))
    vacancy(p1, date(2026, 2, 11), date(2026, 3, 1))
    tenancy(p1, date(2026, 3, 1))
    p2 = apartment(unit, object_number="P2", lease_start=date(2026, 4, 15))
    Vacancy.objects.create(apartment=p2, reason=VacancyReason.ENTERED_PROGRAMME, vacant_from=date(2026, 4, 15),
                           ended_on=date(2026, 5, 1))
    tenancy(p2, date(2026, 5, 1), date(2026, 11, 30))
    vacancy(p2, date(2026, 12, 1))
    p3 = apartment(unit, object_number="P3")
    tenancy(p3, date(2025, 1, 1), date(2026, 9, 30))
    vacancy(p3, date(2026, 10, 1))
    # Another unit's apartment counts in neither.
    other = apartment(other_unit)
    tenancy(other, date(2026, 6, 1))

    rows = per_apartment(2026, unit)
    assert [row.apartment.object_number for row in rows] == ["P1", "P2", "P3"]
    r1, r2, r3 = rows
    assert [(m.programme_days, m.occupied_days) for m in r1.months[:3]] == [(31, 31), (28, 10), (31, 31)]
    assert (r1.programme_days, r1.occupied_days, r1.empty_days) == (365, 347, 18)
    assert (r1.move_ins, r1.turnover, r1.vacancies_ended, r1.vacancy_length) == (1, D("100.0"), 1, D("18.0"))
    assert (r1.empty_now_days, r1.empty_over_60) == (None, False)
    assert [(m.programme_days, m.occupied_days) for m in r2.months] == [
        (0, 0), (0, 0), (0, 0), (16, 0), (31, 31), (30, 30), (31, 31), (31, 31), (30, 30), (31, 31), (30, 30),
        (31, 0),
    ]
    assert (r2.programme_days, r2.occupied_days, r2.empty_days) == (261, 214, 47)
    assert (r2.move_ins, r2.turnover, r2.vacancies_ended, r2.vacancy_length) == (1, D("139.8"), 1, D("16.0"))
    assert (r2.empty_now_days, r2.empty_over_60) == (31, False)
    assert [m.empty_days for m in r3.months] == [0] * 9 + [31, 30, 31]
    assert (r3.programme_days, r3.occupied_days, r3.empty_days) == (365, 273, 92)
    assert (r3.move_ins, r3.turnover, r3.vacancies_ended, r3.vacancy_length) == (0, D("0.0"), 0, None)
    assert (r3.empty_now_days, r3.empty_over_60) == (92, True)
    assert not any(row.protected_tenant for row in rows)

    result = section(2026, unit)
    f = figures(result)
    assert f["programme_days"][0] == sum(r.programme_days for r in rows) == 991
    assert f["occupied_days"][0] == sum(r.occupied_days for r in rows) == 834
    assert f["empty_days"][0] == sum(r.empty_days for r in rows) == 157
    assert f["move_ins"][0] == sum(r.move_ins for r in rows) == 2
    assert f["turnover"][0] == D("73.7")
    assert f["vacancies_ended"][0] == sum(r.vacancies_ended for r in rows) == 2
    assert f["vacancy_length"][0] == D(sum(r.vacancy_days for r in rows)) / 2 == D("17.0")
    assert f["empty_now"][0] == sum(r.empty_now_days is not None for r in rows) == 2
    assert f["empty_over_60"][0] == sum(r.empty_over_60 for r in rows) == 1
    # Every month of the unit is the sum of the apartments' months.
    for number in MONTHS:
        assert month(result, number) == (
            sum(r.months[number - 1].programme_days for r in rows),
            sum(r.months[number - 1].occupied_days for r in rows),
            sum(r.months[number - 1].empty_days for r in rows),
        )
    assert month(result, 2) == (56, 38, 18)
    assert month(result, 4) == (76, 60, 16)
    assert month(result, 12) == (93, 31, 62)


def test_a_vacancy_after_a_protected_tenant_marks_the_apartment(unit):
    # The protected tenant moved out in 2025; the vacancy after them runs
    # into 2026: its days so far on 31 December count from the day after
    # their move-out, so the row is marked (the page hides its dates).
    after = apartment(unit, object_number="S1")
    left = tenancy(after, date(2024, 1, 1), date(2025, 11, 30))
    left.client.protection_level = ProtectionLevel.PROTECTED_REGISTRATION
    left.client.save()
    vacancy(after, date(2025, 12, 1))
    # An apartment whose earlier, protected tenant was followed by another
    # tenant is not marked: the vacancy counted follows the later one.
    later = apartment(unit, object_number="S2")
    earlier = tenancy(later, date(2024, 1, 1), date(2024, 6, 30))
    earlier.client.protection_level = ProtectionLevel.PROTECTED_REGISTRATION
    earlier.client.save()
    tenancy(later, date(2024, 7, 1), date(2025, 12, 15))
    vacancy(later, date(2025, 12, 16))
    rows = {row.apartment.object_number: row for row in per_apartment(2026, unit)}
    assert rows["S1"].protected_tenant and rows["S1"].empty_now_days == 396
    assert not rows["S2"].protected_tenant and rows["S2"].empty_now_days == 381


@pytest.mark.parametrize("size", [1, 30])
def test_a_fixed_number_of_queries(unit, size, django_assert_num_queries):
    for n in range(size):
        apt = apartment(unit)
        tenancy(apt, date(2025, 1 + n % 12, 1), date(2026, 1 + n % 12, 10))
        tenancy(apt, date(2026, 1 + n % 12, 11))
        vacancy(apartment(unit), date(2026, 1 + n % 12, 1))
    with django_assert_num_queries(3):
        section(2026, unit)
    with django_assert_num_queries(3):
        per_apartment(2026, unit)


def test_the_section_is_among_the_additional_figures(unit):
    keys = [s.key for s in additional_figures(2026, unit)]
    assert keys.index("occupancy") == keys.index("apartments") + 1
