"""The measures behind the dashboard's eviction-notice and end-reason
charts, counted per month and per end reason (`counts_by`): a small
hand-built data set, each expected count worked out in the comments, and
that each group's count is its records'."""

from datetime import date

import pytest
from django.db.models.functions import ExtractMonth

from referrals.tests.factories_notices import EvictionNoticeFactory
from reports.kpis import evictions, housing
from reports.kpis.common import counts_by
from tenancies.models import ApartmentKind, EndReason
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

pytestmark = pytest.mark.django_db


def test_notices_and_those_with_children_per_month(unit, other_unit):
    # 2025: March 2 (one with children), March 20, November 30 (with children); 2024 and the other unit
    # are not counted for the unit.
    EvictionNoticeFactory(unit=unit, received_on=date(2025, 3, 2), children_count=2)
    EvictionNoticeFactory(unit=unit, received_on=date(2025, 3, 20))
    EvictionNoticeFactory(unit=unit, received_on=date(2025, 11, 30), children_count=1)
    EvictionNoticeFactory(unit=unit, received_on=date(2024, 12, 31), children_count=3)
    EvictionNoticeFactory(unit=other_unit, received_on=date(2025, 3, 5), children_count=1)
    measures = [evictions.N["kpi2.notices"], evictions.WITH_CHILDREN]

    counts = counts_by(measures, 2025, unit, by="month", expression=ExtractMonth("received_on"))

    assert counts == {"kpi2.notices": {3: 2, 11: 1}, "charts.notices_with_children": {3: 1, 11: 1}}
    assert counts_by(measures, 2025, None, by="month", expression=ExtractMonth("received_on"))[
        "charts.notices_with_children"] == {3: 2, 11: 1}
    for measure in measures:
        assert measure.records(2025, unit).count() == sum(counts[measure.key].values())


def test_tenancies_ended_per_reason_in_training_and_other_apartments(unit, other_unit):
    training = ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING)
    emergency = ApartmentFactory(unit=unit, kind=ApartmentKind.EMERGENCY)
    # Ended 2025: training own housing ×2, training evicted, emergency own housing. Not counted:
    # ended 2024, still running, another unit's.
    TenancyFactory(apartment=training, start_date=date(2023, 1, 1), end_date=date(2025, 1, 1),
                   end_reason=EndReason.OWN_HOUSING)
    TenancyFactory(apartment=training, start_date=date(2025, 2, 1), end_date=date(2025, 4, 30),
                   end_reason=EndReason.EVICTED)
    TenancyFactory(apartment=training, start_date=date(2025, 5, 1), end_date=date(2025, 12, 31),
                   end_reason=EndReason.OWN_HOUSING)
    TenancyFactory(apartment=emergency, start_date=date(2024, 1, 1), end_date=date(2024, 12, 31),
                   end_reason=EndReason.DIED)
    TenancyFactory(apartment=emergency, start_date=date(2025, 1, 1), end_date=date(2025, 6, 1),
                   end_reason=EndReason.OWN_HOUSING)
    TenancyFactory(apartment=emergency, start_date=date(2025, 7, 1))
    TenancyFactory(apartment=ApartmentFactory(unit=other_unit), start_date=date(2025, 1, 1),
                   end_date=date(2025, 2, 1), end_reason=EndReason.EVICTED)
    measures = [housing.ENDED["training"], housing.ENDED["other"]]

    counts = counts_by(measures, 2025, unit, by="end_reason")

    assert counts == {
        "charts.ended_training": {EndReason.OWN_HOUSING: 2, EndReason.EVICTED: 1},
        "charts.ended_other": {EndReason.OWN_HOUSING: 1, EndReason.EVICTED: 0},
    }
    assert counts_by(measures, 2024, unit, by="end_reason")["charts.ended_other"] == {EndReason.DIED: 1}
    for measure in measures:
        assert measure.records(2025, unit).count() == sum(counts[measure.key].values())
