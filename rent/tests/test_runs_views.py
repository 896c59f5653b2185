"""The runs page and its button, a tenancy's rents page and the increase
form: who may, what they see, query counts (rent.views.runs)."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessLogEntry
from referrals.models import ProtectionLevel
from rent.models import NoticeRun, RentNotice, RentRate
from rent.services import runs
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenancy(unit):
    return TenancyFactory(apartment=ApartmentFactory(unit=unit, street_address="Provgatan 7"),
                          start_date=date(2025, 1, 1), rent=600_000)


@pytest.fixture
def outside_admin(other_unit):
    return UserFactory(unit=other_unit, roles=[Role.HOUSING_ADMIN])


ROLES = ["case_officer", "pilot", "manager", "housing_admin"]


@pytest.mark.parametrize(("name", "allowed"), [
    ("rent:runs", {"housing_admin"}),
    ("rent:increase_create", {"housing_admin"}),
])
def test_unit_pages_per_role(client, users, name, allowed):
    url = reverse(name)
    assert client.get(url).status_code == 302
    for role in ROLES:
        client.force_login(users[role])
        assert client.get(url).status_code == (200 if role in allowed else 403), role


@pytest.mark.parametrize(("name", "allowed"), [
    ("rent:tenancy_rates", {"housing_admin", "case_officer", "manager"}),
    ("rent:charge_create", {"housing_admin"}),
])
def test_tenancy_pages_per_role(client, users, tenancy, outside_admin, name, allowed):
    url = reverse(name, args=[tenancy.pk])
    assert client.get(url).status_code == 302
    for role in ROLES:
        client.force_login(users[role])
        assert client.get(url).status_code == (200 if role in allowed else 403), role
    client.force_login(outside_admin)
    assert client.get(url).status_code == 404


def test_the_button_makes_the_months_notices_once(client, housing_admin, tenancy):
    client.force_login(housing_admin)
    response = client.post(reverse("rent:run_create"), {"period": "2026-12"}, follow=True)
    assert "1 hyresavier skapades för 2026-12." in response.content.decode()
    run = NoticeRun.objects.get()
    assert (run.unit, run.period, run.started_by, run.notices_made) == (
        housing_admin.unit, date(2026, 12, 1), housing_admin, 1)
    response = client.post(reverse("rent:run_create"), {"period": "2026-12"}, follow=True)
    assert "inget nytt skapades" in response.content.decode()
    assert RentNotice.objects.count() == 1
    assert AccessLogEntry.objects.filter(object_type="rent.noticerun", note="notice_run").count() == 2


def test_the_button_refuses_a_bad_month_beside_the_field(client, housing_admin, tenancy):
    client.force_login(housing_admin)
    response = client.post(reverse("rent:run_create"), {"period": "2026-13"})
    assert response.status_code == 400
    assert response.context["form"].errors["period"] == ["Ange månaden som ÅÅÅÅ-MM, till exempel 2026-12."]
    assert not RentNotice.objects.exists()


def test_the_button_is_post_only_and_for_the_housing_admin(client, users):
    client.force_login(users["housing_admin"])
    assert client.get(reverse("rent:run_create")).status_code == 405
    client.force_login(users["case_officer"])
    assert client.post(reverse("rent:run_create"), {"period": "2026-12"}).status_code == 403
    assert not NoticeRun.objects.exists()


def test_the_runs_list_costs_the_same_for_many_months(client, housing_admin, unit, other_unit,
                                                      django_assert_max_num_queries):
    client.force_login(housing_admin)
    TenancyFactory(apartment=ApartmentFactory(unit=unit), start_date=date(2020, 1, 1))
    for month in range(1, 13):
        runs.run_month(None, unit, date(2025, month, 1), today=date(2025, month, 1))
    runs.run_month(None, other_unit, date(2025, 1, 1))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("rent:runs"))
    rows = list(response.context["page_obj"].object_list)
    assert len(rows) == 12 and rows[0]["period"] == date(2025, 12, 1) and rows[0]["notices"] == 1


def test_a_rent_from_a_date(client, housing_admin, tenancy):
    client.force_login(housing_admin)
    url = reverse("rent:tenancy_rates", args=[tenancy.pk])
    response = client.post(url, {"valid_from": "2026-01-01", "monthly_rent": "6 200", "note": "Ny yta"})
    assert response.status_code == 302
    assert list(RentRate.objects.values_list("valid_from", "monthly_rent")) == [(date(2026, 1, 1), 620_000)]
    response = client.post(url, {"valid_from": "2024-01-01", "monthly_rent": "6 300"})
    assert response.status_code == 400
    assert response.context["form"].errors["valid_from"] == ["Datumet måste ligga inom hyresförhållandet."]
    page = client.get(url).content.decode()
    assert "6\u00a0200\u00a0kr" in page and "Provgatan 7" in page


def test_only_the_housing_admin_may_set_a_rent(client, case_officer, tenancy):
    client.force_login(case_officer)
    url = reverse("rent:tenancy_rates", args=[tenancy.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"valid_from": "2026-01-01", "monthly_rent": "6 200"}).status_code == 403
    assert not RentRate.objects.exists()


def test_a_protected_tenants_apartment_is_not_shown(client, housing_admin, tenancy):
    tenancy.client.protection_level = ProtectionLevel.PROTECTED_REGISTRATION
    tenancy.client.save()
    client.force_login(housing_admin)
    page = client.get(reverse("rent:tenancy_rates", args=[tenancy.pk])).content.decode()
    assert "Provgatan 7" not in page and tenancy.apartment.object_number not in page


def test_the_increase_form(client, housing_admin, tenancy):
    client.force_login(housing_admin)
    url = reverse("rent:increase_create")
    response = client.post(url, {"apartment_kind": "", "valid_from": "2027-01-01", "percent": "2", "amount": "100"})
    assert response.status_code == 400
    assert response.context["form"].errors["percent"] == ["Ange antingen en procentsats eller ett belopp, inte båda."]
    response = client.post(url, {"apartment_kind": "training", "valid_from": "2027-01-01", "percent": "2,5"})
    assert response.status_code == 302
    assert RentRate.objects.get().monthly_rent == 615_000
