"""Records of the ledger made directly, for the ledger's tests
(test_ledger*, test_credit*, test_write_off*, test_opening*, test_overview*)."""

from datetime import date

from rent.models import NoticeKind, NoticeLine, Payment, PaymentSource, RentNotice
from rent.ocr import notice_reference
from rent.services.allocation import allocate_tenancy


def notice(tenancy, amount, issued_on=date(2026, 1, 20), due_date=None, kind=NoticeKind.RENT, period=None):
    period = period if period is not None or kind != NoticeKind.RENT else issued_on.replace(day=1)
    made = RentNotice.objects.create(
        tenancy=tenancy, kind=kind, period=period, issued_on=issued_on, due_date=due_date or issued_on,
        amount=amount, booked_month=issued_on.replace(day=1),
    )
    made.ocr = notice_reference(made.pk)
    made.save(update_fields=["ocr"])
    NoticeLine.objects.create(notice=made, kind="rent", text="Hyra", amount=amount)
    return made


def payment(tenancy, amount, paid_on=date(2026, 2, 1), allocate=True):
    made = Payment.objects.create(
        unit=tenancy.apartment.unit, tenancy=tenancy, source=PaymentSource.BGMAX, paid_on=paid_on, amount=amount,
        booked_month=paid_on.replace(day=1),
    )
    if allocate:
        allocate_tenancy(tenancy.pk)
    return made
