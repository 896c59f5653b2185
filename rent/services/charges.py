"""Charges other than rent (damage, keys, electricity, other), each with its
own text (docs/rent.md, "The ledger"). A charge goes on the next rent
notice made for its tenancy (services.runs); for a tenant who has moved
out, or whenever it cannot wait, `invoice_charge_now` makes an invoice of
its own with an OCR reference, due in 30 days."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from rent.models import Charge, LineKind, NoticeKind, NoticeLine, RentNotice
from rent.ocr import notice_reference
from rent.services.allocation import allocate_tenancy
from rent.services.periods import booking_month
from tenancies.models import Tenancy

# An invoice of its own is due this many days after it is made (the usual
# Swedish term of payment for an invoice).
INVOICE_DAYS = 30


class ChargeError(ValueError):
    """A charge refused; the message is the user's (Swedish)."""


@transaction.atomic
def add_charge(
    ctx: AuditContext, tenancy: Tenancy, *, kind: str, text: str, amount: int, charged_on: date,
    invoice_now: bool = False,
) -> Charge:
    """A charge on `tenancy`; with `invoice_now`, invoiced at once in the
    same transaction (both or neither)."""
    if amount <= 0:
        raise ChargeError(gettext("The amount must be more than 0 kr."))
    charge = Charge.objects.create(
        tenancy=tenancy, kind=kind, text=text, amount=amount, charged_on=charged_on, created_by=ctx.user,
    )
    log_access(ctx, AccessAction.CREATE, charge, client=tenancy.client)
    if invoice_now:
        charge.notice = invoice_charge_now(ctx, charge)
    return charge


@transaction.atomic
def invoice_charge_now(ctx: AuditContext, charge: Charge, *, today: date | None = None) -> RentNotice:
    """An invoice (a notice of kind charge) for `charge` alone, with its OCR
    reference, due in INVOICE_DAYS days. Refused when the charge is already
    on a notice (the row is locked, so a run at the same moment cannot put
    it on a rent notice too)."""
    charge = Charge.objects.select_for_update().select_related("tenancy__apartment", "tenancy__client").get(
        pk=charge.pk)
    if charge.notice_id is not None:
        raise ChargeError(gettext("The charge is already on a notice."))
    today = today or timezone.localdate()
    tenancy = charge.tenancy
    notice = RentNotice.objects.create(
        tenancy=tenancy, kind=NoticeKind.CHARGE, period=None, issued_on=today,
        due_date=today + timedelta(days=INVOICE_DAYS), amount=charge.amount,
        booked_month=booking_month(tenancy.apartment.unit_id, today), created_by=ctx.user,
    )
    notice.ocr = notice_reference(notice.pk)
    notice.save(update_fields=["ocr"])
    NoticeLine.objects.create(notice=notice, kind=LineKind.CHARGE, text=charge.text, amount=charge.amount,
                              charge=charge)
    charge.notice = notice
    charge.save(update_fields=["notice"])
    log_access(ctx, AccessAction.CREATE, notice, client=tenancy.client, note="charge_invoice")
    allocate_tenancy(tenancy.pk)
    return notice
