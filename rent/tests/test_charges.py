"""Charges other than rent (rent.services.charges) and the charge form."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessLogEntry
from rent.models import Charge, LineKind, NoticeKind, RentNotice
from rent.ocr import is_valid_reference, notice_reference
from rent.services import charges, runs
from tenancies.models import EndReason
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("housing_admin")]

TODAY = date(2026, 11, 20)


@pytest.fixture
def moved_out(unit):
    return TenancyFactory(apartment=ApartmentFactory(unit=unit), start_date=date(2025, 1, 1),
                          end_date=date(2026, 10, 31), end_reason=EndReason.OWN_HOUSING)


def test_an_invoice_of_its_own_for_a_tenant_who_has_moved_out(ctx, moved_out):
    charge = charges.add_charge(ctx, moved_out, kind="damage", text="Lagning av dörr", amount=250_000,
                                charged_on=date(2026, 11, 2))
    notice = charges.invoice_charge_now(ctx, charge, today=TODAY)
    assert (notice.kind, notice.period, notice.amount) == (NoticeKind.CHARGE, None, 250_000)
    assert notice.due_date == TODAY + timedelta(days=30)
    assert notice.ocr == notice_reference(notice.pk) and is_valid_reference(notice.ocr)
    [line] = notice.lines.all()
    assert (line.kind, line.text, line.charge) == (LineKind.CHARGE, "Lagning av dörr", charge)
    charge.refresh_from_db()
    assert charge.notice == notice
    with pytest.raises(charges.ChargeError, match="redan på en avi"):
        charges.invoice_charge_now(ctx, charge)
    # Invoiced, it is not on a rent notice too (the tenancy has none any more, but a run reads the charges).
    assert RentNotice.objects.count() == 1
    assert AccessLogEntry.objects.filter(client_id=moved_out.client_id, note="charge_invoice").count() == 1


def test_a_charge_added_waits_for_the_next_run(ctx, unit):
    tenancy = TenancyFactory(apartment=ApartmentFactory(unit=unit), start_date=date(2025, 1, 1), rent=600_000)
    charges.add_charge(ctx, tenancy, kind="electricity", text="El oktober", amount=31_250, charged_on=TODAY)
    runs.run_month(None, unit, date(2026, 12, 1), today=TODAY)
    notice = RentNotice.objects.get()
    assert notice.amount == 631_250
    assert Charge.objects.get().notice == notice


def form_data(**extra):
    return {"kind": "keys", "text": "Borttappad nyckel", "amount": "450", "charged_on": "2026-11-02", **extra}


def test_the_form_saves_and_invoices_at_once(client, housing_admin, moved_out):
    client.force_login(housing_admin)
    url = reverse("rent:charge_create", args=[moved_out.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"]["invoice_now"].value() is True
    response = client.post(url, form_data(invoice_now="on"))
    assert response.status_code == 302
    charge = Charge.objects.get()
    assert charge.amount == 45_000 and charge.notice.kind == NoticeKind.CHARGE


def test_the_form_refuses_nothing_with_the_message_beside_the_field(client, housing_admin, moved_out):
    client.force_login(housing_admin)
    response = client.post(reverse("rent:charge_create", args=[moved_out.pk]), form_data(amount="0"))
    assert response.status_code == 400
    assert response.context["form"].errors["amount"] == ["Beloppet måste vara mer än 0 kr."]
    assert not Charge.objects.exists()


def test_who_may_add_a_charge(client, users, moved_out):
    url = reverse("rent:charge_create", args=[moved_out.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for role, status in [("case_officer", 403), ("pilot", 403), ("manager", 403), ("housing_admin", 200)]:
        client.force_login(users[role])
        assert client.get(url).status_code == status, role
    client.force_login(UserFactory(unit=users["outside_officer"].unit, roles=[Role.HOUSING_ADMIN]))
    assert client.get(url).status_code == 404
    assert client.post(url, form_data()).status_code == 404
    assert not Charge.objects.exists()
