"""The unit's own evictions beside the enforcement authority's figures
(issue 15 §4): counted per year from the unit's records, the notices by
KPI 2's own definition (reports.kpis.evictions "kpi2.evicted")."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import NoticeOutcome
from referrals.tests.factories_notices import EvictionNoticeFactory
from reports.kpis import compute_kpis
from reports.kpis.national import unit_evictions
from reports.models import EnforcementFigures
from tenancies.models import EndReason
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

pytestmark = pytest.mark.django_db
THIS_YEAR = timezone.localdate().year
LAST_YEAR = THIS_YEAR - 1


@pytest.fixture
def evictions(unit, other_unit):
    # Last year: two tenancies ended evicted (1 March, 31 December), one
    # ended for another reason, one evicted on 1 January this year.
    for end in (date(LAST_YEAR, 3, 1), date(LAST_YEAR, 12, 31), date(THIS_YEAR, 1, 1)):
        TenancyFactory(apartment=ApartmentFactory(unit=unit), start_date=date(LAST_YEAR - 2, 1, 1), end_date=end,
                       end_reason=EndReason.EVICTED)
    TenancyFactory(apartment=ApartmentFactory(unit=unit), start_date=date(LAST_YEAR - 2, 1, 1),
                   end_date=date(LAST_YEAR, 6, 1), end_reason=EndReason.OWN_HOUSING)
    # Another unit's eviction: never counted.
    TenancyFactory(apartment=ApartmentFactory(unit=other_unit), start_date=date(LAST_YEAR - 2, 1, 1),
                   end_date=date(LAST_YEAR, 5, 1), end_reason=EndReason.EVICTED)
    # Notices received last year: one ended evicted, one prevented; one
    # received the year before, evicted last year (counted in its year of
    # receipt, as KPI 2 counts it).
    EvictionNoticeFactory(unit=unit, received_on=date(LAST_YEAR, 4, 2), outcome=NoticeOutcome.EVICTED)
    EvictionNoticeFactory(unit=unit, received_on=date(LAST_YEAR, 4, 3), outcome=NoticeOutcome.PREVENTED_PAID)
    EvictionNoticeFactory(unit=unit, received_on=date(LAST_YEAR - 1, 11, 3), outcome=NoticeOutcome.EVICTED)
    EvictionNoticeFactory(unit=other_unit, received_on=date(LAST_YEAR, 4, 2), outcome=NoticeOutcome.EVICTED)


def test_the_units_evictions_per_year(evictions, unit):
    got = unit_evictions([THIS_YEAR, LAST_YEAR, LAST_YEAR - 1], unit)
    assert got[LAST_YEAR] == {"tenancies": 2, "notices": 1}
    assert got[THIS_YEAR] == {"tenancies": 1, "notices": 0}
    assert got[LAST_YEAR - 1] == {"tenancies": 0, "notices": 1}
    # The notices are KPI 2's own figure, not a count of their own.
    kpi2 = compute_kpis(LAST_YEAR, unit)[1]
    assert next(f.value for f in kpi2.figures if f.key == "kpi2.evicted") == got[LAST_YEAR]["notices"]


def test_two_queries_whatever_the_years(evictions, unit, django_assert_num_queries):
    with django_assert_num_queries(2):
        unit_evictions(range(LAST_YEAR - 8, THIS_YEAR + 1), unit)


def test_the_list_shows_them_beside_the_figures(client, manager, evictions):
    EnforcementFigures.objects.create(municipality=manager.unit.municipality, year=LAST_YEAR,
                                      eviction_applications=6, executed_evictions=3, entered_by=manager)
    client.force_login(manager)
    response = client.get(reverse("reports:enforcement_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enhetens kontrakt som slutat med vräkning" in body
    assert f'id="own-tenancies-{LAST_YEAR}">2<' in body
    assert f'id="own-notices-{LAST_YEAR}">1<' in body
    # A year without entered figures shows the unit's own as well.
    assert f'id="own-tenancies-{THIS_YEAR}">1<' in body
