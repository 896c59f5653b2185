"""Matching rules (docs/rent.md, "Matching and allocation"): exact, partial,
over-payment, a paid notice's OCR, an invalid OCR, and the suggestions."""

from datetime import date, datetime

import pytest

from rent.models import Payment, RentNotice
from rent.ocr import make_reference
from rent.services.allocation import credit_balance
from rent.services.bgmax_import import import_bgmax
from rent.services.payments import name_resembles, suggestions
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

from .bgmax_factories import bgmax_bytes, notice, payment, rent_settings

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("housing_admin")]

NOV, DEC, JAN = date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)


@pytest.fixture
def tenancy(unit):
    rent_settings(unit)
    return TenancyFactory(apartment=ApartmentFactory(unit=unit), client__first_name="Anna",
                          client__last_name="Andersson")


def outstanding(*items):
    return [RentNotice.objects.with_settled().get(pk=item.pk).outstanding for item in items]


def load(ctx, unit, *payments, second=0):
    return import_bgmax(ctx, unit, f"f{second}.bgmax",
                        bgmax_bytes(*payments, stamp=datetime(2026, 11, 28, 6, 0, second)))


def test_exact_payment_settles_its_notice(ctx, unit, tenancy):
    due = notice(tenancy, DEC)
    load(ctx, unit, payment(due.ocr, 450000))
    assert outstanding(due) == [0]


def test_partial_payments_in_two_files_settle_oldest_first(ctx, unit, tenancy):
    older, newer = notice(tenancy, NOV), notice(tenancy, DEC)
    load(ctx, unit, payment(newer.ocr, 300000), second=1)
    assert outstanding(older, newer) == [150000, 450000]
    load(ctx, unit, payment(newer.ocr, 300000), second=2)
    assert outstanding(older, newer) == [0, 300000]


def test_an_over_payment_is_credit_that_settles_the_next_notice(ctx, unit, tenancy):
    due = notice(tenancy, DEC)
    load(ctx, unit, payment(due.ocr, 500000))
    assert outstanding(due) == [0]
    assert credit_balance(tenancy.pk) == 50000
    following = notice(tenancy, JAN)
    from rent.services.allocation import allocate_tenancy
    allocate_tenancy(tenancy.pk)  # services.runs does this after each run
    assert outstanding(following) == [400000]
    assert credit_balance(tenancy.pk) == 0


def test_a_paid_notices_ocr_still_finds_the_tenancy(ctx, unit, tenancy):
    due = notice(tenancy, DEC)
    load(ctx, unit, payment(due.ocr, 450000), second=1)
    load(ctx, unit, payment(due.ocr, 450000), second=2)
    assert Payment.objects.filter(tenancy=tenancy).count() == 2
    assert credit_balance(tenancy.pk) == 450000


@pytest.mark.parametrize("reference", ["99999", "", "1234575", make_reference("424242")])
def test_an_invalid_or_unknown_ocr_goes_to_the_queue(ctx, unit, tenancy, reference):
    notice(tenancy, DEC)
    load(ctx, unit, payment(reference, 450000))
    assert list(Payment.objects.unmatched()) == list(Payment.objects.all())


def test_suggestion_by_amount(ctx, unit, tenancy):
    due = notice(tenancy, DEC, amount=321000)
    notice(TenancyFactory(apartment=ApartmentFactory(unit=unit)), DEC, amount=450000)
    load(ctx, unit, payment("99999", 321000))
    found = suggestions(Payment.objects.get())
    assert [item.pk for item in found.by_amount] == [due.pk]
    assert found.by_name == []


def test_suggestion_by_name(ctx, unit, tenancy):
    TenancyFactory(apartment=ApartmentFactory(unit=unit), client__first_name="Bo", client__last_name="Berg")
    load(ctx, unit, payment("99999", 1000, name="ANDERSSON ANNA"))
    found = suggestions(Payment.objects.get())
    assert [item.pk for item in found.by_name] == [tenancy.pk]


def test_suggestions_take_two_queries(ctx, unit, tenancy, django_assert_num_queries):
    for _ in range(3):
        notice(TenancyFactory(apartment=ApartmentFactory(unit=unit), client__last_name="Andersson"), DEC, 1000)
    load(ctx, unit, payment("99999", 1000, name="Anna Andersson"))
    stray = Payment.objects.get()
    with django_assert_num_queries(2):
        found = suggestions(stray)
        names = [item.tenancy.client.last_name for item in found.by_amount] + [
            item.client.last_name for item in found.by_name]
    assert len(found.by_amount) == 3 and len(found.by_name) == 4 and names


@pytest.mark.parametrize(("payer", "expected"), [
    ("ANNA ANDERSSON", True), ("Andersson, Anna", True), ("anna maria andersson", True), ("A Andersson", True),
    ("Anna Berg", False), ("", False), ("Anders", False),
])
def test_name_resembles(payer, expected):
    assert name_resembles(payer, "Anna", "Andersson") is expected
