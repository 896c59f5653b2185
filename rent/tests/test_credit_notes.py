"""Credit notes: the housing administrator's, with a reason, never above what
is open, booked in an unlocked month, logged."""

from datetime import date

import pytest
from django.urls import reverse

from audit.models import AccessAction, AccessLogEntry
from rent.models import Allocation, CreditNote, ExportFormat, FinanceExport
from tenancies.tests.factories import TenancyFactory

from .ledger_factories import notice, payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenancy(unit):
    return TenancyFactory(apartment__unit=unit)


@pytest.fixture
def rent(tenancy):
    return notice(tenancy, 450_000, issued_on=date(2026, 1, 20))


def _post(client, user, rent, **data):
    client.force_login(user)
    return client.post(reverse("rent:credit_note", args=[rent.pk]),
                       {"amount": "500", "on": "2026-02-05", "reason": "Fel hyra", **data})


def test_the_housing_admin_credits(client, housing_admin, tenancy, rent):
    response = _post(client, housing_admin, rent)
    assert response.status_code == 302
    assert response["Location"] == reverse("rent:tenancy_ledger", args=[tenancy.pk])
    credit = CreditNote.objects.get()
    assert (credit.amount, credit.reason, credit.booked_month) == (50_000, "Fel hyra", date(2026, 2, 1))
    assert Allocation.objects.get(credit_note=credit).amount == 50_000
    entry = AccessLogEntry.objects.get(user=housing_admin, action=AccessAction.CREATE, note="credit_note")
    assert entry.client_id == tenancy.client_id


def test_kronor_with_a_decimal_comma(client, housing_admin, rent):
    _post(client, housing_admin, rent, amount="1 234,50")
    assert CreditNote.objects.get().amount == 123_450


def test_above_what_is_open_is_refused_beside_the_field(client, housing_admin, tenancy, rent):
    payment(tenancy, 400_000)
    response = _post(client, housing_admin, rent, amount="600")
    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == [
        "Beloppet är mer än det som är obetalt på avin (500\xa0kr)."
    ]
    assert not CreditNote.objects.exists()


def test_the_reason_is_required(client, housing_admin, rent):
    response = _post(client, housing_admin, rent, reason="  ")
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert not CreditNote.objects.exists()


def test_a_locked_month_books_in_the_next(client, housing_admin, unit, rent):
    FinanceExport.objects.create(unit=unit, month=date(2026, 2, 1), format=ExportFormat.values[0], sha256="0" * 64,
                                 exported_by=housing_admin)
    _post(client, housing_admin, rent)
    assert CreditNote.objects.get().booked_month == date(2026, 3, 1)


@pytest.mark.parametrize("role,status", [("case_officer", 403), ("manager", 403), ("pilot", 403),
                                         ("outside_officer", 403)])
def test_others_may_not_credit(client, request, rent, role, status):
    response = _post(client, request.getfixturevalue(role), rent)
    assert response.status_code == status
    assert not CreditNote.objects.exists()


def test_the_form_for_a_notice_of_another_unit_is_404(client, housing_admin, other_unit):
    elsewhere = notice(TenancyFactory(apartment__unit=other_unit), 450_000)
    client.force_login(housing_admin)
    assert client.get(reverse("rent:credit_note", args=[elsewhere.pk])).status_code == 404


def test_anonymous_goes_to_login(client, rent):
    assert client.get(reverse("rent:credit_note", args=[rent.pk])).status_code == 302
