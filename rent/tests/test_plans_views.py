"""The repayment plan pages: who may make and change a plan, the rules
refused beside the fields with nothing saved, the edit's optimistic lock,
and the plan page's progress."""

from datetime import date

import pytest
from django.urls import reverse

from rent.models import PlanStatus, RepaymentPlan
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
CREATE = {"case_officer": 200, "housing_admin": 200, "manager": 403, "pilot": 403, "second_pilot": 403,
          "system_admin": 403, "outside_officer": 404}
DETAIL = {**CREATE, "manager": 200}


@pytest.fixture
def tenancy(unit, client_record):
    return TenancyFactory(apartment=ApartmentFactory(unit=unit), client=client_record, start_date=date(2024, 6, 1))


@pytest.fixture
def plan(tenancy, case_officer):
    return RepaymentPlan.objects.create(
        tenancy=tenancy, debt=300000, monthly_amount=50000, start_month=date(2025, 1, 1),
        end_month=date(2025, 6, 1), debt_adviser="Fiktiv rådgivare", created_by=case_officer,
    )


def form_data(**values):
    return {"debt": "3 000", "monthly_amount": "500", "start_month": "2025-01", "end_month": "2025-06",
            "debt_adviser": "Fiktiv rådgivare", "note": "", **values}


def test_anonymous_is_sent_to_login(client, tenancy, plan):
    for url in (reverse("rent:plan_create", args=[tenancy.pk]), reverse("rent:plan_detail", args=[plan.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("who", sorted(CREATE))
def test_status_per_role(client, users, tenancy, plan, who):
    client.force_login(users[who])

    assert client.get(reverse("rent:plan_create", args=[tenancy.pk])).status_code == CREATE[who]
    assert client.get(reverse("rent:plan_detail", args=[plan.pk])).status_code == DETAIL[who]


def test_the_manager_reads_the_plan_but_cannot_change_it(client, users, plan):
    client.force_login(users["manager"])

    html = client.get(reverse("rent:plan_detail", args=[plan.pk])).content.decode()
    assert "Avbetalningsplanens förlopp" in html
    assert 'name="monthly_amount"' not in html
    assert client.post(reverse("rent:plan_detail", args=[plan.pk]), form_data()).status_code == 403


def test_a_plan_is_made(client, users, tenancy):
    client.force_login(users["case_officer"])

    response = client.post(reverse("rent:plan_create", args=[tenancy.pk]), form_data())

    plan = RepaymentPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("rent:plan_detail", args=[plan.pk])
    assert (plan.debt, plan.monthly_amount, plan.start_month, plan.end_month, plan.status) == (
        300000, 50000, date(2025, 1, 1), date(2025, 6, 1), PlanStatus.ACTIVE)


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"end_month": "2024-12"}, "end_month", "Sista månaden kan inte vara före den första."),
    ({"monthly_amount": "400"}, "monthly_amount", "mindre än skulden"),
    ({"monthly_amount": "0"}, "monthly_amount", "mer än 0 kr"),
    ({"start_month": "januari"}, "start_month", "giltigt datum"),
])
def test_a_plan_against_the_rules_is_refused_beside_the_field(client, users, tenancy, values, field, message):
    client.force_login(users["housing_admin"])

    response = client.post(reverse("rent:plan_create", args=[tenancy.pk]), form_data(**values))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not RepaymentPlan.objects.exists()


def test_a_second_running_plan_is_refused(client, users, tenancy, plan):
    client.force_login(users["case_officer"])

    response = client.post(reverse("rent:plan_create", args=[tenancy.pk]), form_data())

    assert "redan en pågående avbetalningsplan" in response.content.decode()
    assert RepaymentPlan.objects.count() == 1


def test_an_edit_is_saved_and_a_stale_one_is_refused(client, users, plan):
    client.force_login(users["housing_admin"])
    url = reverse("rent:plan_detail", args=[plan.pk])

    response = client.post(url, form_data(monthly_amount="600", status="active", version=plan.version))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.monthly_amount, plan.version) == (60000, 2)

    stale = client.post(url, form_data(monthly_amount="700", status="active", version=1))
    assert stale.status_code == 200
    assert "Någon annan sparade avbetalningsplanen" in stale.content.decode()
    plan.refresh_from_db()
    assert plan.monthly_amount == 60000


def test_the_plan_page_reads_a_fixed_number_of_queries(client, users, plan):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(users["case_officer"])

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("rent:plan_detail", args=[plan.pk]))
    assert len(queries) <= 12, "\n".join(query["sql"][:120] for query in queries.captured_queries)
