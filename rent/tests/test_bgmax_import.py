"""Importing BgMax files: all or nothing, refused twice, for the unit's
bankgiro only, and matched by OCR (services.bgmax_import)."""

from datetime import date

import pytest

from audit.models import AccessLogEntry
from rent.models import Allocation, BgMaxFile, Payment, RentNotice
from rent.services.bgmax_import import BgMaxImportError, import_bgmax
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

from .bgmax_factories import bgmax_bytes, notice, payment, rent_settings
from .test_bgmax_parser import HAND_WRITTEN, hand_written_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("housing_admin")]

DEC = date(2026, 12, 1)


@pytest.fixture
def tenancy(unit):
    rent_settings(unit)
    return TenancyFactory(apartment=ApartmentFactory(unit=unit))


def outstanding(item):
    return RentNotice.objects.with_settled().get(pk=item.pk).outstanding


def test_a_file_is_imported_and_matched(ctx, unit, tenancy):
    due = notice(tenancy, DEC)
    data = bgmax_bytes(payment(due.ocr, 450000, name="ANNA ANDERSSON", address="Storgatan 1", postcode="12345",
                               town="Småstad", information=["Hyra"]), payment("99999", 100000))
    summary = import_bgmax(ctx, unit, "dec.bgmax", data)
    assert (summary.payments, summary.matched, summary.to_match, summary.total) == (2, 1, 1, 550000)
    record = BgMaxFile.objects.get()
    assert (record.payments, record.matched, record.deposits, record.total) == (2, 1, 1, 550000)
    matched = Payment.objects.get(reference=due.ocr)
    assert matched.tenancy == tenancy and matched.paid_on == date(2026, 11, 28) and matched.source == "bgmax"
    assert matched.payer_name == "ANNA ANDERSSON"
    assert matched.payer_address == "Storgatan 1, 12345 Småstad"
    assert matched.information == "Hyra"
    assert outstanding(due) == 0
    assert list(Payment.objects.unmatched().values_list("reference", flat=True)) == ["99999"]
    assert AccessLogEntry.objects.filter(note="bgmax_import", object_id=str(record.pk)).count() == 1


def test_a_duplicate_file_is_refused_naming_the_earlier_import(ctx, unit, tenancy):
    data = bgmax_bytes(payment("99999", 100000))
    import_bgmax(ctx, unit, "a.bgmax", data)
    with pytest.raises(BgMaxImportError) as caught:
        import_bgmax(ctx, unit, "b.bgmax", data)
    (line, message), = caught.value.errors
    assert line is None and message.startswith("Filen importerades redan den ")
    assert Payment.objects.count() == 1


def test_a_file_for_another_bankgiro_is_refused(ctx, unit, tenancy):
    with pytest.raises(BgMaxImportError) as caught:
        import_bgmax(ctx, unit, "x.bgmax", bgmax_bytes(payment("99999", 100000), bankgiro="1234566"))
    assert caught.value.errors == [(2, "Filen gäller bankgiro 1234566, inte enhetens 9912346.")]
    assert not Payment.objects.exists() and not BgMaxFile.objects.exists()


def test_a_bad_file_imports_nothing(ctx, unit, tenancy):
    lines = list(HAND_WRITTEN)
    lines[16] = "7000000009000000010000000200000002".ljust(80)
    with pytest.raises(BgMaxImportError) as caught:
        import_bgmax(ctx, unit, "x.bgmax", hand_written_bytes(lines))
    assert caught.value.errors[0][0] == 17
    assert not Payment.objects.exists() and not BgMaxFile.objects.exists()


def test_a_deduction_refuses_the_file(ctx, unit, tenancy):
    """Decision (docs/rent.md): the unit sends no credit invoices, so a 21
    record refuses the whole file with its line."""
    with pytest.raises(BgMaxImportError) as caught:
        import_bgmax(ctx, unit, "hand.bgmax", hand_written_bytes())
    assert [line for line, _message in caught.value.errors] == [12]
    assert "avdrag" in caught.value.errors[0][1].lower()
    assert not Payment.objects.exists()


def test_the_hand_written_file_without_its_deduction_imports(ctx, unit, tenancy):
    lines = list(HAND_WRITTEN)
    del lines[11]
    lines[11] = "1512345678901                        2026113000001000000000000570000SEK00000002K"
    lines[-1] = "7000000003000000000000000200000002".ljust(80)
    summary = import_bgmax(ctx, unit, "hand.bgmax", hand_written_bytes(lines))
    assert (summary.payments, summary.matched, summary.total) == (3, 0, 669950)
    several = Payment.objects.get(amount=120000)
    assert several.reference == "" and "98765, 4444" in several.information


def test_an_extra_reference_matches(ctx, unit, tenancy):
    due = notice(tenancy, DEC)
    import_bgmax(ctx, unit, "x.bgmax", bgmax_bytes(
        payment("", 450000, reference_code="3", extra_references=[("12", 1, False), (due.ocr, 450000, False)])))
    assert Payment.objects.get().tenancy == tenancy
    assert Payment.objects.get().reference == due.ocr


def test_another_units_notice_does_not_match(ctx, unit, other_unit, tenancy):
    elsewhere = notice(TenancyFactory(apartment=ApartmentFactory(unit=other_unit)), DEC)
    import_bgmax(ctx, unit, "x.bgmax", bgmax_bytes(payment(elsewhere.ocr, 450000)))
    assert Payment.objects.get().tenancy is None


def test_import_is_a_fixed_number_of_queries(ctx, unit, tenancy, django_assert_max_num_queries):
    notices = [notice(TenancyFactory(apartment=ApartmentFactory(unit=unit)), DEC) for _ in range(6)]
    data = bgmax_bytes(*[payment(item.ocr, 450000) for item in notices], *[payment("99999", 10) for _ in range(5)])
    with django_assert_max_num_queries(20):
        import_bgmax(ctx, unit, "x.bgmax", data)
    assert Allocation.objects.count() == 6
