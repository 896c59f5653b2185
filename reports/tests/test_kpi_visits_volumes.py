"""The KPI engine's visit figures per month and age group (the cancellations
page and the PDF) and the evaluation's volumes (tenants, clients with
bolots support, orders sent): a small hand-built data set, each expected
figure worked out in the comments, and for every measure that its records
are as many as its figure."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bolots.models import CancelReason, VisitKind, VisitOutcome
from bolots.tests.factories import VisitFactory
from referrals.models import OrderKind, OrderState
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import OrderFactory, accepted_order, make_pilot, outreach_order
from reports.kpis import volumes
from reports.kpis.cancellations import ALL, OTHERS, YOUNG_ADULTS, monthly_figures
from reports.kpis.visits import VISIT_MEASURES, monthly_counts, visit_key
from tenancies.models import ApartmentKind, EndReason
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Europe/Stockholm")


def local(*parts):
    return datetime(*parts, tzinfo=TZ)


@pytest.fixture
def pilots(unit):
    return make_pilot(unit, "lots1"), make_pilot(unit, "lots2")


@pytest.fixture
def visits(unit, other_unit, pilots, case_officer):
    """Visits of 2025 (Swedish time) and one of 2024:

    #  local time         age  outcome              reason          group   month
    a  2025-01-15 10:00   19   done                                 young   Jan
    b  2025-01-20 10:00   30   no-show              (none)          others  Jan
    c  2025-02-01 00:30   –    nobody home          (none)          others  Feb (31 Jan in UTC)
    d  2025-02-10 10:00   25   cancelled by client  feeling unwell  young   Feb
    e  2025-02-11 10:00   26   cancelled by staff   other           others  Feb
    f  2025-12-31 23:30   18   cancelled by client  forgot          young   Dec (2025 although 2026 is near)
    g  2024-06-01 10:00   40   done                                 2024
    h  another unit's order, 2025-03-01, age 20, done: only in the national figures
    """
    support = accepted_order(*pilots, kind=OrderKind.BOLOTS_SUPPORT, state=OrderState.IN_PROGRESS)
    outreach = outreach_order(unit, case_officer, state=OrderState.IN_PROGRESS, active_pilot=pilots[0],
                              passive_pilot=pilots[1])
    VisitFactory(order=support, visited_at=local(2025, 1, 15, 10), client_age=19)
    VisitFactory(order=support, visited_at=local(2025, 1, 20, 10), client_age=30, outcome=VisitOutcome.NO_SHOW)
    VisitFactory(order=outreach, client=None, kind=VisitKind.OUTREACH_ATTEMPT, visited_at=local(2025, 2, 1, 0, 30),
                 outcome=VisitOutcome.NOBODY_HOME)
    VisitFactory(order=support, visited_at=local(2025, 2, 10, 10), client_age=25,
                 outcome=VisitOutcome.CANCELLED_BY_CLIENT, cancel_reason=CancelReason.FEELING_UNWELL)
    VisitFactory(order=support, visited_at=local(2025, 2, 11, 10), client_age=26,
                 outcome=VisitOutcome.CANCELLED_BY_STAFF, cancel_reason=CancelReason.OTHER,
                 cancel_reason_text="Sjuk personal.")
    VisitFactory(order=support, visited_at=local(2025, 12, 31, 23, 30), client_age=18,
                 outcome=VisitOutcome.CANCELLED_BY_CLIENT, cancel_reason=CancelReason.FORGOT)
    VisitFactory(order=support, visited_at=local(2024, 6, 1, 10), client_age=40)
    stranger = accepted_order(make_pilot(other_unit, "annan1"), make_pilot(other_unit, "annan2"),
                              kind=OrderKind.BOLOTS_SUPPORT, state=OrderState.IN_PROGRESS)
    VisitFactory(order=stranger, visited_at=local(2025, 3, 1, 10), client_age=20)
    return unit


def months(*pairs):
    """Twelve counts from (month, count) pairs."""
    counts = [0] * 12
    for month, count in pairs:
        counts[month - 1] = count
    return counts


def test_visit_measures_per_month(visits):
    counts = monthly_counts(2025, visits)

    expected = {
        # a, b in January; c, d, e in February; f in December.
        visit_key("all", "planned"): months((1, 2), (2, 3), (12, 1)),
        visit_key("all", "done"): months((1, 1)),
        visit_key("all", "cancelled"): months((1, 1), (2, 3), (12, 1)),
        visit_key("all", "outcome_no_show"): months((1, 1)),
        visit_key("all", "outcome_nobody_home"): months((2, 1)),
        visit_key("all", "outcome_cancelled_by_client"): months((2, 1), (12, 1)),
        visit_key("all", "outcome_cancelled_by_staff"): months((2, 1)),
        visit_key("all", "no_reason"): months((1, 1), (2, 1)),  # b, c
        # Young adults: a (19), d (25), f (18).
        visit_key("young", "planned"): months((1, 1), (2, 1), (12, 1)),
        visit_key("young", "done"): months((1, 1)),
        visit_key("young", "cancelled"): months((2, 1), (12, 1)),
        visit_key("young", "outcome_cancelled_by_client"): months((2, 1), (12, 1)),
        visit_key("young", "reason_feeling_unwell"): months((2, 1)),
        visit_key("young", "reason_forgot"): months((12, 1)),
        visit_key("young", "no_reason"): months(),
        # Others: b (30), c (no age), e (26).
        visit_key("others", "planned"): months((1, 1), (2, 2)),
        visit_key("others", "done"): months(),
        visit_key("others", "cancelled"): months((1, 1), (2, 2)),
        visit_key("others", "outcome_no_show"): months((1, 1)),
        visit_key("others", "outcome_nobody_home"): months((2, 1)),
        visit_key("others", "outcome_cancelled_by_staff"): months((2, 1)),
        visit_key("others", "reason_other"): months((2, 1)),
        visit_key("others", "no_reason"): months((1, 1), (2, 1)),
    }
    assert {key: counts[key] for key in expected} == expected
    # The national figures add h (March, young, done).
    national = monthly_counts(2025)
    assert national[visit_key("all", "planned")] == months((1, 2), (2, 3), (3, 1), (12, 1))
    assert national[visit_key("young", "done")] == months((1, 1), (3, 1))
    # 2024: g only (40, done).
    assert sum(monthly_counts(2024, visits)[visit_key("others", "done")]) == 1


@pytest.mark.parametrize("scope", ["unit", "national"])
@pytest.mark.parametrize("year", [2025, 2024])
def test_every_visit_measure_counts_its_records(visits, scope, year):
    unit = visits if scope == "unit" else None
    counts = monthly_counts(year, unit)
    for key, measure in VISIT_MEASURES.items():
        assert sum(counts[key]) == measure.records(year, unit).count(), key


def test_the_page_groups_are_the_measures(visits):
    stats = monthly_figures(2025, visits)

    # Young 3 planned, 2 cancelled; others 3 planned, 3 cancelled; all 6 and 5.
    assert (stats.totals[YOUNG_ADULTS].planned, stats.totals[YOUNG_ADULTS].cancelled) == (3, 2)
    assert (stats.totals[OTHERS].planned, stats.totals[OTHERS].cancelled) == (3, 3)
    assert (stats.totals[ALL].planned, stats.totals[ALL].cancelled) == (6, 5)
    # Without a reason: b and c, both others.
    assert stats.totals[OTHERS].without_reason == 2
    assert stats.totals[YOUNG_ADULTS].without_reason == 0
    assert stats.months[OTHERS][2].outcomes[VisitOutcome.CANCELLED_BY_STAFF] == 1


# --- Volumes ------------------------------------------------------------------------------


@pytest.fixture
def volume_data(unit, other_unit, pilots, case_officer):
    """Tenancies and orders of 2024–2025.

    c1: training apartment T 2024-03-01 – 2025-02-28, then apartment N from 2025-03-01
    c2: apartment N 2023-01-01 – 2024-12-31
    c3: another unit's apartment, 2025
    s1: bolots support for c1, accepted 2024-03-02, completed 2025-01-10
    s2: bolots support for c2, sent and accepted in May 2025
    s3: bolots support sent 2025-12-20, not accepted
    o1: outreach sent 2025-04-01; o2: another unit's outreach, 2025
    """
    c1, c2 = ClientFactory(unit=unit), ClientFactory(unit=unit)
    training = ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING)
    other = ApartmentFactory(unit=unit, kind=ApartmentKind.EMERGENCY)
    TenancyFactory(apartment=training, client=c1, start_date=date(2024, 3, 1), end_date=date(2025, 2, 28),
                   end_reason=EndReason.MOVED_WITHIN_PROGRAMME)
    TenancyFactory(apartment=other, client=c1, start_date=date(2025, 3, 1))
    TenancyFactory(apartment=other, client=c2, start_date=date(2023, 1, 1), end_date=date(2024, 12, 31),
                   end_reason=EndReason.OWN_HOUSING)
    TenancyFactory(apartment=ApartmentFactory(unit=other_unit), client=ClientFactory(unit=other_unit),
                   start_date=date(2025, 5, 1))
    accepted_order(*pilots, client=c1, kind=OrderKind.BOLOTS_SUPPORT, state=OrderState.COMPLETED,
                   sent_at=local(2024, 3, 1, 10), accepted_at=local(2024, 3, 2, 10),
                   completed_at=local(2025, 1, 10, 10))
    accepted_order(*pilots, client=c2, kind=OrderKind.BOLOTS_SUPPORT, state=OrderState.IN_PROGRESS,
                   sent_at=local(2025, 5, 1, 10), accepted_at=local(2025, 5, 2, 10))
    OrderFactory(unit=unit, kind=OrderKind.BOLOTS_SUPPORT, sent_at=local(2025, 12, 20, 10))
    outreach_order(unit, case_officer, sent_at=local(2025, 4, 1, 10))
    outreach_order(other_unit, make_pilot(other_unit, "annan3"), sent_at=local(2025, 4, 1, 10))
    return unit


def values(figures):
    return {figure.key: (figure.value, figure.previous) for figure in figures}


def test_tenant_volumes(volume_data):
    # 2025: c1 (both apartments, counted once); 2024: c1 and c2. In training: c1 both years.
    assert values(volumes.tenant_volumes(2025, volume_data)) == {
        "volumes.tenants": (1, 2),
        "volumes.tenants_in_training": (1, 1),
    }
    # The national figure adds c3 in 2025.
    assert values(volumes.tenant_volumes(2025))["volumes.tenants"] == (2, 2)


def test_order_volumes(volume_data):
    supported, orders = volumes.order_volumes(2025, volume_data)
    # Support under way: 2025 c1 (s1 completed in January) and c2 (s2); 2024 c1. s3 was never accepted.
    assert (supported.value, supported.previous) == (2, 1)
    # Sent 2025: s2, s3 (support), o1 (outreach) = 3; 2024: s1.
    assert values(orders) == {
        "volumes.orders.bolots_support": (2, 1),
        "volumes.orders.eviction_prevention": (0, 0),
        "volumes.orders.outreach": (1, 0),
        "volumes.orders.single_errand": (0, 0),
        "volumes.orders.housing_first": (0, 0),
        "volumes.orders": (3, 1),
    }
    _supported, national = volumes.order_volumes(2025)
    assert values(national)["volumes.orders.outreach"] == (2, 0)  # o2 too


@pytest.mark.parametrize("scope", ["unit", "national"])
def test_every_volume_measure_counts_its_records(volume_data, scope):
    unit = volume_data if scope == "unit" else None
    supported, orders = volumes.order_volumes(2025, unit)
    figures = {**values(volumes.tenant_volumes(2025, unit)), **values((supported, *orders))}
    measures = {**volumes.TENANT_MEASURES, supported.key: volumes.SUPPORT_MEASURE, **volumes.ORDER_MEASURES}
    assert set(measures) == set(figures)
    for key, measure in measures.items():
        assert measure.records(2025, unit).count() == figures[key][0], key
        assert measure.records(2024, unit).count() == figures[key][1], key


def test_pilot_count(unit, other_unit, pilots):
    make_pilot(other_unit, "annan4")
    assert volumes.pilot_count(unit) == 2
    assert volumes.pilot_count(None) >= 3
