"""The dashboard's four charts: the data functions count in the database,
for one unit and year only; the expected numbers are worked out by hand
from the records made here."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from bolots.models import VisitOutcome
from bolots.tests.factories import VisitFactory
from referrals.tests.factories_notices import EvictionNoticeFactory
from referrals.tests.factories_orders import accepted_order
from reports import charts
from tenancies.models import ApartmentKind, ApartmentStatus, EndReason
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Europe/Stockholm")
YEAR = 2025


def month(data, series, number):
    return data.series[series][number - 1]


def test_eviction_notices_per_month(unit, other_unit):
    EvictionNoticeFactory(unit=unit, received_on=date(YEAR, 1, 31))
    EvictionNoticeFactory(unit=unit, received_on=date(YEAR, 5, 2), children_count=2)
    EvictionNoticeFactory(unit=unit, received_on=date(YEAR, 5, 30))
    EvictionNoticeFactory(unit=unit, received_on=date(YEAR, 12, 31), children_count=1)
    # Not counted: another year, another unit.
    EvictionNoticeFactory(unit=unit, received_on=date(YEAR - 1, 12, 31))
    EvictionNoticeFactory(unit=unit, received_on=date(YEAR + 1, 1, 1))
    EvictionNoticeFactory(unit=other_unit, received_on=date(YEAR, 5, 5))

    data = charts.eviction_notices_data(YEAR, unit)

    received, children = list(data.series)
    assert data.series[received] == [1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 1]
    assert data.series[children] == [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1]
    assert data.categories == ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
    assert data.totals() == [4, 2]
    assert "4" in data.description and "maj" in data.description
    # Every unit together (the national view) has the other unit's notice too.
    assert charts.eviction_notices_data(YEAR).totals() == [5, 2]


def test_visits_per_month_follow_swedish_time(unit, other_unit, pilot, second_pilot):
    from referrals.tests.factories_orders import make_pilot

    order = accepted_order(pilot, second_pilot)
    # 1 February 00:30 in Sweden is still 31 January in UTC: February.
    VisitFactory(order=order, visited_at=datetime(YEAR, 2, 1, 0, 30, tzinfo=TZ))
    VisitFactory(order=order, visited_at=datetime(YEAR, 2, 14, 10, 0, tzinfo=TZ))
    VisitFactory(order=order, visited_at=datetime(YEAR, 2, 20, 10, 0, tzinfo=TZ),
                 outcome=VisitOutcome.CANCELLED_BY_CLIENT, cancel_reason="forgot")
    VisitFactory(order=order, visited_at=datetime(YEAR, 7, 3, 10, 0, tzinfo=TZ), outcome=VisitOutcome.NO_SHOW)
    VisitFactory(order=order, visited_at=datetime(YEAR, 7, 4, 10, 0, tzinfo=TZ), outcome=VisitOutcome.NOBODY_HOME)
    # 1 January 00:30 of the next year belongs to that year, in Swedish time.
    VisitFactory(order=order, visited_at=datetime(YEAR + 1, 1, 1, 0, 30, tzinfo=TZ))
    VisitFactory(order=order, visited_at=datetime(YEAR, 1, 1, 0, 30, tzinfo=TZ))
    other = accepted_order(make_pilot(other_unit, "b1"), make_pilot(other_unit, "b2"))
    VisitFactory(order=other, visited_at=datetime(YEAR, 2, 3, 10, 0, tzinfo=TZ))

    data = charts.visits_data(YEAR, unit)

    done, cancelled = list(data.series)
    assert data.series[done] == [1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert data.series[cancelled] == [0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0]
    assert charts.visits_data(YEAR).totals() == [4, 3]


def test_apartments_by_status_now(unit, other_unit):
    ApartmentFactory(unit=unit, status=ApartmentStatus.VACANT)
    ApartmentFactory(unit=unit, status=ApartmentStatus.VACANT, kind=ApartmentKind.EMERGENCY)
    ApartmentFactory(unit=unit, status=ApartmentStatus.OCCUPIED)
    ApartmentFactory(unit=unit, status=ApartmentStatus.REPAIR)
    ApartmentFactory(unit=other_unit, status=ApartmentStatus.REPAIR)
    today = timezone.localdate()

    data = charts.apartment_status_data(today.year, unit, today)

    rows = dict(data.rows())
    training = list(data.series).index(str(ApartmentKind.TRAINING.label))
    emergency = list(data.series).index(str(ApartmentKind.EMERGENCY.label))
    assert rows[str(ApartmentStatus.VACANT.label)][training] == 1
    assert rows[str(ApartmentStatus.VACANT.label)][emergency] == 1
    assert sum(rows[str(ApartmentStatus.OCCUPIED.label)]) == 1
    assert sum(rows[str(ApartmentStatus.REPAIR.label)]) == 1
    assert sum(rows[str(ApartmentStatus.LEFT_PROGRAMME.label)]) == 0
    assert data.total == 4
    # Kinds the unit has no apartment of are left out of the chart.
    assert str(ApartmentKind.HOUSING_FIRST.label) not in data.series


def test_apartments_on_31_december_of_an_earlier_year(unit):
    day = date(YEAR, 12, 31)
    # Occupied on 31 December: a tenancy running over the day, one ending on it.
    TenancyFactory(apartment=ApartmentFactory(unit=unit), start_date=date(YEAR, 3, 1))
    TenancyFactory(apartment=ApartmentFactory(unit=unit, kind=ApartmentKind.TRIAL), start_date=date(YEAR, 3, 1),
                   end_date=day, end_reason=EndReason.OWN_HOUSING)
    # Not let: its tenancy ended before the day.
    TenancyFactory(apartment=ApartmentFactory(unit=unit), start_date=date(YEAR, 1, 1),
                   end_date=date(YEAR, 12, 30), end_reason=EndReason.OWN_HOUSING)
    # Not in the programme that day: lease ended before, or first let the year after.
    ApartmentFactory(unit=unit, lease_start=date(2020, 1, 1), lease_end=date(YEAR, 6, 30))
    TenancyFactory(apartment=ApartmentFactory(unit=unit, lease_start=date(YEAR + 1, 1, 1)),
                   start_date=date(YEAR + 1, 1, 2))

    data = charts.apartment_status_data(YEAR, unit, today=date(YEAR + 1, 6, 1))

    occupied, not_let = data.rows()
    assert sum(occupied[1]) == 2
    assert sum(not_let[1]) == 1
    trial = list(data.series).index(str(ApartmentKind.TRIAL.label))
    assert occupied[1][trial] == 1
    assert "31" in data.title and str(YEAR) in data.title


def test_end_reasons(unit, other_unit):
    training = ApartmentFactory(unit=unit)
    emergency = ApartmentFactory(unit=unit, kind=ApartmentKind.EMERGENCY)
    TenancyFactory(apartment=training, start_date=date(2022, 1, 1), end_date=date(YEAR, 1, 1),
                   end_reason=EndReason.OWN_HOUSING)
    TenancyFactory(apartment=training, start_date=date(YEAR, 2, 1), end_date=date(YEAR, 12, 31),
                   end_reason=EndReason.FIRST_HAND_TAKEOVER)
    TenancyFactory(apartment=emergency, start_date=date(YEAR, 1, 1), end_date=date(YEAR, 3, 1),
                   end_reason=EndReason.OWN_HOUSING)
    TenancyFactory(apartment=emergency, start_date=date(YEAR, 4, 1), end_date=date(YEAR, 5, 1),
                   end_reason=EndReason.EVICTED)
    # Not counted: ended the year after, still running, another unit.
    TenancyFactory(apartment=emergency, start_date=date(YEAR, 6, 1), end_date=date(YEAR + 1, 1, 1),
                   end_reason=EndReason.DIED)
    TenancyFactory(apartment=training, start_date=date(YEAR + 1, 1, 2))
    TenancyFactory(apartment=ApartmentFactory(unit=other_unit), start_date=date(2022, 1, 1),
                   end_date=date(YEAR, 6, 1), end_reason=EndReason.EVICTED)

    data = charts.end_reasons_data(YEAR, unit)

    rows = dict(data.rows())
    assert rows[str(EndReason.OWN_HOUSING.label)] == [1, 1]
    assert rows[str(EndReason.FIRST_HAND_TAKEOVER.label)] == [1, 0]
    assert rows[str(EndReason.EVICTED.label)] == [0, 1]
    assert rows[str(EndReason.DIED.label)] == [0, 0]
    assert data.totals() == [2, 2]
    assert len(data.categories) == len(EndReason)


def test_charts_are_accessible_svg(unit):
    EvictionNoticeFactory(unit=unit, received_on=date(YEAR, 5, 2))
    svg = charts.eviction_notices_chart(YEAR, unit)
    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    assert "<desc" in svg and "Most in" not in svg  # translated to Swedish
    assert "chart-eviction-notices" in svg
    # Deterministic: the same data gives the same SVG (the PDF reuses it).
    assert charts.eviction_notices_chart(YEAR, unit) == svg


def test_dashboard_charts_use_one_query_each(unit, django_assert_num_queries):
    EvictionNoticeFactory(unit=unit, received_on=date(YEAR, 5, 2))
    with django_assert_num_queries(5):
        result = charts.dashboard_charts(YEAR, unit, today=date(YEAR, 6, 1))
    assert [data.key for data, _svg in result] == ["eviction-notices", "visits", "apartments", "end-reasons",
                                                  "arrears-trend"]
