"""The rent area's start page: the unit's balance and the links the user may use."""

import pytest
from django.urls import reverse

from rent.views.overview import PAGES, pages_for
from tenancies.tests.factories import TenancyFactory

from .ledger_factories import notice

pytestmark = pytest.mark.django_db


def test_anonymous_goes_to_login(client):
    assert client.get(reverse("rent:overview")).status_code == 302


def test_a_bolots_is_refused(client, pilot):
    client.force_login(pilot)
    assert client.get(reverse("rent:overview")).status_code == 403


def test_the_unit_total(client, housing_admin, unit, other_unit):
    notice(TenancyFactory(apartment__unit=unit), 450_000)
    notice(TenancyFactory(apartment__unit=other_unit), 999_900)
    client.force_login(housing_admin)
    response = client.get(reverse("rent:overview"))
    assert response.status_code == 200
    assert response.context["totals"] == {"balance": 450_000, "owed": 450_000, "tenants_owing": 1}
    assert "4\xa0500\xa0kr" in response.content.decode()
    assert reverse("rent:opening_import") in response.content.decode()


def test_links_only_to_pages_that_exist_and_the_user_may_use(case_officer, housing_admin):
    names = {url for url, _label, _perm in PAGES}
    assert "rent:opening_import" in names
    assert reverse("rent:opening_import") in [page["url"] for page in pages_for(housing_admin)]
    assert reverse("rent:opening_import") not in [page["url"] for page in pages_for(case_officer)]


def test_query_count(client, housing_admin, unit, django_assert_max_num_queries):
    for _ in range(5):
        notice(TenancyFactory(apartment__unit=unit), 100_000)
    client.force_login(housing_admin)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("rent:overview")).status_code == 200
