"""The running year's dashboard figures kept a few minutes in the cache
(reports.running_year): counted once, then read from the cache until the
keeping time runs out, per unit; with keeping off, counted every time."""

from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from reports.tests.test_dashboard import QUERIES
from tenancies.models import EndReason
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

pytestmark = pytest.mark.django_db

# The dashboard without the KPI engine and the charts: the request (2), the
# unit and its years (2). QUERIES counts 22 engine and 5 chart queries, and
# the running year has no frozen-year query.
KEPT = QUERIES - 1 - 22 - 5


def _moved_out(unit, day):
    TenancyFactory(apartment=ApartmentFactory(unit=unit), start_date=date(day.year - 1, 1, 1),
                   end_date=day, end_reason=EndReason.OWN_HOUSING)


def _page(client, year):
    return client.get(reverse("reports:dashboard", args=[year]))


def test_counted_once_then_read_from_the_cache(client, unit, settings, django_assert_num_queries):
    settings.RUNNING_YEAR_CACHE_SECONDS = 300
    year = timezone.localdate().year
    manager = UserFactory(username="chef_r", unit=unit, roles=[Role.MANAGER])
    client.force_login(manager)
    _page(client, year)  # counts and keeps

    with django_assert_num_queries(KEPT):
        response = _page(client, year)
    assert response.status_code == 200
    assert 'id="counted-at"' in response.content.decode()
    assert "räknas om efter högst 5 minuter" in response.content.decode()


def test_kept_figures_stay_until_the_keeping_runs_out(client, unit, settings):
    settings.RUNNING_YEAR_CACHE_SECONDS = 300
    today = timezone.localdate()
    manager = UserFactory(username="chef_s", unit=unit, roles=[Role.MANAGER])
    client.force_login(manager)
    before = _page(client, today.year).context["running"].chart_data

    _moved_out(unit, today)  # a move-out this year: the end-reasons chart changes
    assert _page(client, today.year).context["running"].chart_data == before

    cache.clear()  # the keeping time has run out
    after = _page(client, today.year).context["running"].chart_data
    assert after != before


def test_each_unit_has_its_own(client, unit, other_unit, settings):
    settings.RUNNING_YEAR_CACHE_SECONDS = 300
    year = timezone.localdate().year
    ours = UserFactory(username="chef_t", unit=unit, roles=[Role.MANAGER])
    theirs = UserFactory(username="chef_u", unit=other_unit, roles=[Role.MANAGER])
    client.force_login(ours)
    _page(client, year)
    client.force_login(theirs)
    response = _page(client, year)
    assert response.context["unit"] == other_unit
    assert response.context["running"].counted_at is not None


def test_without_keeping_every_request_counts(client, unit, settings, django_assert_num_queries):
    settings.RUNNING_YEAR_CACHE_SECONDS = 0
    year = timezone.localdate().year
    client.force_login(UserFactory(username="chef_v", unit=unit, roles=[Role.MANAGER]))
    _page(client, year)
    with django_assert_num_queries(QUERIES - 1):
        response = _page(client, year)
    assert 'id="counted-at"' not in response.content.decode()
