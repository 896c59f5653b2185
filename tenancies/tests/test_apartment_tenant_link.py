"""The apartment page links its current tenant to the tenancy (issue 12),
so that a move-out starts from the apartment; never for a tenant the user
may not name there (referrals.protection)."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from referrals.models import ProtectionLevel
from referrals.tests.factories import ClientFactory
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def current(unit):
    apartment = ApartmentFactory(unit=unit, status="occupied")
    return TenancyFactory(apartment=apartment, client=ClientFactory(unit=unit, first_name="Nina", last_name="Nuvarande"),
                          start_date=date(2024, 3, 1))


def page(client, user, tenancy):
    client.force_login(user)
    return client.get(reverse("tenancies:apartment_detail", args=[tenancy.apartment_id]))


def link(tenancy):
    return f'<a href="{reverse("tenancies:tenancy_detail", args=[tenancy.pk])}">Nina Nuvarande</a>'


@pytest.mark.parametrize("role", ["housing_admin", "case_officer", "manager"])
def test_the_current_tenant_links_to_the_tenancy(client, request, current, role):
    user = request.getfixturevalue(role)

    assert link(current) in page(client, user, current).content.decode()
    assert client.get(reverse("tenancies:tenancy_detail", args=[current.pk])).status_code == 200


def test_an_earlier_tenant_links_to_the_earlier_tenancy(client, unit, housing_admin, current):
    # Issue 12 §7: current and past tenancies are reachable from the apartment.
    earlier = TenancyFactory(apartment=current.apartment, client=ClientFactory(unit=unit, last_name="Tidigaresson"),
                             start_date=date(2022, 1, 1), end_date=date(2023, 12, 31), end_reason="own_housing")

    html = page(client, housing_admin, current).content.decode()

    assert "Tidigaresson" in html
    assert reverse("tenancies:tenancy_detail", args=[earlier.pk]) in html


def test_a_protected_tenant_is_named_only_for_those_who_may_see_them(client, housing_admin, case_officer,
                                                                      current):
    current.client.protection_level = ProtectionLevel.PROTECTED_REGISTRATION
    current.client.save()
    url = reverse("tenancies:tenancy_detail", args=[current.pk])

    # The housing administrator reaches the tenancy (to move the tenant out)
    # as "tenant with protected personal data": its page shows them only the
    # apartment's side (referrals.protection.tenancy_side).
    html = page(client, housing_admin, current).content.decode()
    assert url in html and "Nuvarande" not in html
    # A case officer would see the person there: no link from the apartment.
    html = page(client, case_officer, current).content.decode()
    assert url not in html and "Nuvarande" not in html

    housing_admin.user_permissions.add(Permission.objects.get(codename="view_protected_client"))
    assert link(current) in page(client, housing_admin, current).content.decode()


def test_a_bolots_not_on_the_tenants_order_does_not_reach_the_page(client, pilot, current):
    assert page(client, pilot, current).status_code == 404


def test_outsider_and_anonymous_do_not_reach_the_page(client, outside_officer, current):
    url = reverse("tenancies:apartment_detail", args=[current.apartment_id])
    assert client.get(url).status_code == 302

    assert page(client, outside_officer, current).status_code == 404
