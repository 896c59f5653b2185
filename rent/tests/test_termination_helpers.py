"""Shared set-up of the termination tests (no tests of its own): a tenancy
with a ledger, its rent notices made directly (the monthly run is another
area's), payments allocated through services.allocation as every import
does."""

from datetime import date, timedelta

import pytest

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from rent.models import NoticeKind, Payment, PaymentSource, RentNotice, RentSettings
from rent.ocr import notice_reference
from rent.services.allocation import allocate_tenancy
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

RENT = 450_000


def make_notice(tenancy, due: date, amount: int = RENT) -> RentNotice:
    period = due + timedelta(days=1)
    notice = RentNotice.objects.create(
        tenancy=tenancy, kind=NoticeKind.RENT, period=period.replace(day=1), issued_on=due - timedelta(days=10),
        due_date=due, amount=amount, booked_month=period.replace(day=1),
    )
    notice.ocr = notice_reference(notice.pk)
    notice.save(update_fields=["ocr"])
    return notice


def pay(tenancy, on: date, amount: int) -> Payment:
    payment = Payment.objects.create(
        unit=tenancy.apartment.unit, tenancy=tenancy, source=PaymentSource.BGMAX, paid_on=on, amount=amount,
        booked_month=on.replace(day=1),
    )
    allocate_tenancy(tenancy.pk)
    return payment


@pytest.fixture(name="_media_in_tmp", autouse=True)
def media_in_tmp_fixture(settings, tmp_path):
    """Scanned receipts are stored under MEDIA_ROOT: a temporary folder."""
    settings.MEDIA_ROOT = tmp_path


def set_today(monkeypatch, day: date) -> None:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: day)


@pytest.fixture(name="tenancy")
def tenancy_fixture(unit, client_record):
    RentSettings.objects.create(unit=unit, bankgiro="9912346", payee_name="Fiktiva kommunen")
    apartment = ApartmentFactory(unit=unit, street_address="Låtsasgatan 3", postal_code="186 30")
    return TenancyFactory(apartment=apartment, client=client_record, start_date=date(2027, 6, 1), rent=RENT)


@pytest.fixture(name="in_arrears")
def in_arrears_fixture(tenancy):
    """Two notices unpaid but 1 000,50 kr by 10 January 2028: 7 999,50 kr
    owed; the notice due 31 January is not yet due then."""
    make_notice(tenancy, date(2027, 11, 30))
    make_notice(tenancy, date(2027, 12, 31))
    make_notice(tenancy, date(2028, 1, 31))
    pay(tenancy, date(2027, 12, 5), 100_050)
    return tenancy


def pilot_of(client, unit, username="bolots_t"):
    from referrals.tests.factories_orders import accepted_order

    pilot = UserFactory(username=username, unit=unit, roles=[Role.PILOT])
    passive = UserFactory(username=f"{username}_p", unit=unit, roles=[Role.PILOT])
    accepted_order(pilot, passive, client=client)
    return pilot
