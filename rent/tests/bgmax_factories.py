"""Notices, settings and BgMax files for the payment tests (test_bgmax*,
test_matching*, test_payments*)."""

from datetime import date, datetime, timedelta

from rent.bgmax.records import BgMaxDeposit, BgMaxFileContent, BgMaxPayment
from rent.bgmax.writer import write_bytes
from rent.models import NoticeKind, RentNotice, RentSettings
from rent.ocr import notice_reference

BANKGIRO = "9912346"


def rent_settings(unit, bankgiro=BANKGIRO):
    return RentSettings.objects.update_or_create(unit=unit, defaults={"bankgiro": bankgiro})[0]


def notice(tenancy, period, amount=450000, kind=NoticeKind.RENT):
    """A rent notice for the month `period`, due on the last day before it."""
    made = RentNotice.objects.create(
        tenancy=tenancy, kind=kind, period=period if kind == NoticeKind.RENT else None,
        issued_on=period - timedelta(days=10), due_date=period - timedelta(days=1), amount=amount, booked_month=period.replace(day=1),
    )
    made.ocr = notice_reference(made.pk)
    made.save(update_fields=["ocr"])
    return made


def payment(reference, amount, **fields):
    return BgMaxPayment(sender_bankgiro="5555555", reference=reference, amount=amount, **fields)


def bgmax_bytes(*payments, paid_on=date(2026, 11, 28), bankgiro=BANKGIRO, stamp=None):
    return write_bytes(BgMaxFileContent(
        written_at=stamp or datetime(2026, 11, 28, 6, 0, 0, len(payments)),
        deposits=[BgMaxDeposit(recipient_bankgiro=bankgiro, paid_on=paid_on, payments=list(payments))],
    ))
