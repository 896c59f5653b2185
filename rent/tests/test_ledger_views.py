"""The ledger pages: the client's "Hyra" tab and a tenancy's ledger, per role,
for outsiders, logged, with a pinned query count."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AccessAction, AccessLogEntry
from referrals.models import ProtectionLevel
from tenancies.tests.factories import TenancyFactory

from .ledger_factories import notice, payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenancy(unit, client_record):
    return TenancyFactory(apartment__unit=unit, client=client_record)


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_anonymous_goes_to_login(client, tenancy):
    for url in (reverse("rent:tenancy_ledger", args=[tenancy.pk]), reverse("rent:client_ledger", args=[tenancy.client.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_a_bolots_is_refused(client, pilot, tenancy):
    assert _get(client, pilot, reverse("rent:tenancy_ledger", args=[tenancy.pk])).status_code == 403
    assert _get(client, pilot, reverse("rent:client_ledger", args=[tenancy.client.pk])).status_code == 403


def test_an_outsider_gets_404(client, outside_officer, tenancy):
    assert _get(client, outside_officer, reverse("rent:tenancy_ledger", args=[tenancy.pk])).status_code == 404
    assert _get(client, outside_officer, reverse("rent:client_ledger", args=[tenancy.client.pk])).status_code == 404


def test_the_housing_admin_sees_the_ledger_with_links_to_credit(client, housing_admin, tenancy):
    rent = notice(tenancy, 450_000)
    payment(tenancy, 300_000)
    response = _get(client, housing_admin, reverse("rent:tenancy_ledger", args=[tenancy.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "1\xa0500\xa0kr" in body  # the running balance after the payment
    assert reverse("rent:credit_note", args=[rent.pk]) in body
    assert reverse("rent:write_off", args=[rent.pk]) not in body
    assert AccessLogEntry.objects.filter(
        user=housing_admin, client_id=tenancy.client_id, action=AccessAction.VIEW
    ).exists()


def test_the_manager_gets_the_write_off_link(client, manager, tenancy):
    rent = notice(tenancy, 450_000)
    body = _get(client, manager, reverse("rent:tenancy_ledger", args=[tenancy.pk])).content.decode()
    assert reverse("rent:write_off", args=[rent.pk]) in body
    assert reverse("rent:credit_note", args=[rent.pk]) not in body


def test_the_client_tab(client, case_officer, tenancy):
    notice(tenancy, 450_000)
    response = _get(client, case_officer, reverse("rent:client_ledger", args=[tenancy.client.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "4\xa0500\xa0kr" in body
    assert reverse("rent:tenancy_ledger", args=[tenancy.pk]) in body
    assert AccessLogEntry.objects.filter(user=case_officer, client_id=tenancy.client_id).exists()


def test_the_tab_hides_a_protected_tenants_apartment(client, case_officer, tenancy):
    tenancy.client.protection_level = ProtectionLevel.PROTECTED_REGISTRATION
    tenancy.client.save()
    notice(tenancy, 450_000)
    body = _get(client, case_officer, reverse("rent:client_ledger", args=[tenancy.client.pk])).content.decode()
    assert tenancy.apartment.street_address not in body
    assert tenancy.apartment.object_number not in body


def test_the_ledger_hides_a_protected_tenants_name_from_the_housing_admin(client, housing_admin, tenancy):
    tenancy.client.protection_level = ProtectionLevel.PROTECTED_REGISTRATION
    tenancy.client.save()
    body = _get(client, housing_admin, reverse("rent:tenancy_ledger", args=[tenancy.pk])).content.decode()
    assert tenancy.client.last_name not in body
    assert tenancy.client.personal_number[2:8] not in body


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("months", [(5, 250)])
def test_query_count_is_the_same_for_10_rows_and_500(client, housing_admin, unit, months):
    small, large = (TenancyFactory(apartment__unit=unit) for _ in range(2))
    for tenancy, count in ((small, months[0]), (large, months[1])):
        for month in range(count):
            day = date(2000 + month // 12, month % 12 + 1, 20)
            notice(tenancy, 100_000, issued_on=day)
            payment(tenancy, 100_000, paid_on=day, allocate=False)
    client.force_login(housing_admin)
    client.get(reverse("rent:tenancy_ledger", args=[small.pk]))  # warm the session and permission caches: the first page after a login fills them (issue 16 §1)
    few = _queries(client, reverse("rent:tenancy_ledger", args=[small.pk]))
    many = _queries(client, reverse("rent:tenancy_ledger", args=[large.pk]))
    assert few == many
    # 12 for the ledger, one each for the running plan and an open
    # termination shown above it (views.ledger.tenancy_ledger).
    assert many <= 14


def test_the_ledger_shows_the_running_plan_and_the_three_weeks(client, housing_admin, tenancy):
    """Issue 14: the plan's progress and the three-week deadline on the tenancy."""
    from django.utils import timezone

    from rent.models import ArrearsTermination, InstalmentOutcome, PlanInstalment, RepaymentPlan, TerminationStatus

    today = timezone.localdate()
    plan = RepaymentPlan.objects.create(tenancy=tenancy, debt=300_000, monthly_amount=100_000,
                                        start_month=date(2026, 1, 1), end_month=date(2026, 3, 1),
                                        created_by=housing_admin)
    PlanInstalment.objects.create(plan=plan, month=date(2026, 1, 1), amount=100_000,
                                  outcome=InstalmentOutcome.KEPT, judged_on=date(2026, 1, 6))
    PlanInstalment.objects.create(plan=plan, month=date(2026, 2, 1), amount=100_000,
                                  outcome=InstalmentOutcome.MISSED, judged_on=date(2026, 2, 6))
    termination = ArrearsTermination.objects.create(
        tenancy=tenancy, decided_on=today, amount_owed=450_000, status=TerminationStatus.RUNNING,
        notified_on=today, recover_by=today + timezone.timedelta(days=3), created_by=housing_admin,
    )
    body = _get(client, housing_admin, reverse("rent:tenancy_ledger", args=[tenancy.pk])).content.decode()
    # Three months, one kept, one missed, one left.
    assert "1 avbetalning betald i tid" in body
    assert "1 missad" in body and "1 kvar" in body
    assert reverse("rent:plan_detail", args=[plan.pk]) in body
    assert "3 dagar kvar" in body
    assert reverse("rent:termination_detail", args=[termination.pk]) in body
    assert reverse("rent:plan_create", args=[tenancy.pk]) not in body
