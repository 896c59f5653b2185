"""The manual side of payments (docs/rent.md, "Matching and allocation"):
suggestions for a payment in the matching queue, matching it to a tenancy
by hand, payments registered by hand (cash, transfer) and payments paid
back. Every write is logged (audit.services.log_access) with a note code
labelled in RentConfig.access_log_labels."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from core.rules import RuleError
from rent.models import Payment, PaymentSource, RentNotice
from rent.services.allocation import allocate_tenancy
from rent.services.periods import booking_month
from tenancies.models import Tenancy

MANUAL_SOURCES = (PaymentSource.CASH, PaymentSource.TRANSFER, PaymentSource.OTHER)
WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


@dataclass
class Suggestions:
    """Why each tenancy is suggested: `by_amount` notices whose open amount
    equals the payment, `by_name` tenancies whose tenant's name resembles
    the payer's."""

    by_amount: list = field(default_factory=list)  # RentNotice with tenancy__client loaded
    by_name: list = field(default_factory=list)  # Tenancy with client loaded

    def tenancy_ids(self) -> set[int]:
        return {notice.tenancy_id for notice in self.by_amount} | {tenancy.pk for tenancy in self.by_name}


def _name_words(name: str) -> list[str]:
    return [word.lower() for word in WORD.findall(name or "")]


def name_resembles(payer_name: str, first_name: str, last_name: str) -> bool:
    """Case-insensitive, word by word: the words of one name are all in the
    other, or they share a word of the last name (a payer "ANDERSSON, ANNA" or "Anna Maria Andersson"
    resembles Anna Andersson; banks write names in many orders)."""
    payer = set(_name_words(payer_name))
    tenant = set(_name_words(f"{first_name} {last_name}"))
    if not payer or not tenant:
        return False
    if payer <= tenant or tenant <= payer:
        return True
    return bool(set(_name_words(last_name)) & payer)


def suggestions(payment: Payment, *, limit: int = 10) -> Suggestions:
    """Open notices of the unit with the payment's amount outstanding, and
    tenancies (current or ended within a year of the payment) whose tenant's
    name resembles the payer's. Two queries."""
    return queue_suggestions([payment], limit=limit)[payment.pk]


def queue_suggestions(payments: list[Payment], *, limit: int = 10) -> dict[int, Suggestions]:
    """suggestions() for a page of the queue (payments of one unit), in two
    queries whatever the page's length."""
    result = {payment.pk: Suggestions() for payment in payments}
    if not payments:
        return result
    unit_id = payments[0].unit_id
    amounts = {payment.amount for payment in payments}
    by_amount: dict[int, list] = {}
    for notice in (
        RentNotice.objects.filter(tenancy__apartment__unit_id=unit_id).with_settled()
        .filter(outstanding__in=amounts).select_related("tenancy__client").order_by("due_date", "id")[:500]
    ):
        by_amount.setdefault(notice.outstanding, []).append(notice)
    words = {word for payment in payments for word in _name_words(payment.payer_name)}
    tenancies = []
    if words:
        rule = Q()
        for word in sorted(words):
            rule |= Q(client__first_name__icontains=word) | Q(client__last_name__icontains=word)
        since = min(date(payment.paid_on.year - 1, payment.paid_on.month, 1) for payment in payments)
        tenancies = list(
            Tenancy.objects.filter(apartment__unit_id=unit_id).filter(rule)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=since))
            .select_related("client").order_by("client__last_name", "client__first_name", "id")[:500]
        )
    for payment in payments:
        found = result[payment.pk]
        found.by_amount = by_amount.get(payment.amount, [])[:limit]
        found.by_name = [
            tenancy for tenancy in tenancies
            if name_resembles(payment.payer_name, tenancy.client.first_name, tenancy.client.last_name)
        ][:limit]
    return result


def _check_tenancy(payment_unit_id: int, tenancy: Tenancy) -> None:
    if tenancy.apartment.unit_id != payment_unit_id:
        raise RuleError(_("The tenancy is not in the payment's unit."), field="tenancy")


@transaction.atomic
def match_payment(ctx: AuditContext, payment: Payment, tenancy: Tenancy) -> Payment:
    """Give a queued payment its tenancy and allocate it (oldest first)."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.tenancy_id is not None:
        raise RuleError(_("The payment has already been matched."))
    if payment.returned:
        raise RuleError(_("The payment has been paid back and cannot be matched."))
    _check_tenancy(payment.unit_id, tenancy)
    payment.tenancy = tenancy
    payment.matched_by = ctx.user
    payment.matched_at = timezone.now()
    payment.save(update_fields=["tenancy", "matched_by", "matched_at"])
    log_access(ctx, AccessAction.UPDATE, payment, client=tenancy.client, note="payment_matched")
    allocate_tenancy(tenancy.pk)
    return payment


@transaction.atomic
def register_manual_payment(
    ctx: AuditContext, tenancy: Tenancy, source: str, paid_on: date, amount: int, note: str
) -> Payment:
    """A payment received outside Bankgirot (cash, a bank transfer), with
    the required note saying how it was received."""
    note = (note or "").strip()
    if not note:
        raise RuleError(_("Write how the payment was received (a note is required)."), field="note")
    if source not in MANUAL_SOURCES:
        raise RuleError(_("Choose how the payment was made."), field="source")
    if amount is None or amount <= 0:
        raise RuleError(_("The amount must be more than 0 kr."), field="amount")
    unit_id = tenancy.apartment.unit_id
    payment = Payment.objects.create(
        unit_id=unit_id, tenancy=tenancy, source=source, paid_on=paid_on, amount=amount, note=note[:300],
        matched_by=ctx.user, matched_at=timezone.now(), booked_month=booking_month(unit_id, paid_on),
        created_by=ctx.user,
    )
    log_access(ctx, AccessAction.CREATE, payment, client=tenancy.client, note="payment_manual")
    allocate_tenancy(tenancy.pk)
    return payment


@transaction.atomic
def return_payment(ctx: AuditContext, payment: Payment, note: str) -> Payment:
    """A queued payment paid back to the sender (nobody's rent): it leaves
    the queue, with the note saying why."""
    note = (note or "").strip()
    if not note:
        raise RuleError(_("Write why the payment is paid back (a note is required)."), field="note")
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.tenancy_id is not None:
        raise RuleError(_("A matched payment cannot be paid back here."))
    if payment.returned:
        raise RuleError(_("The payment has already been paid back."))
    payment.returned = True
    payment.note = note[:300]
    payment.matched_by = ctx.user
    payment.matched_at = timezone.now()
    payment.save(update_fields=["returned", "note", "matched_by", "matched_at"])
    log_access(ctx, AccessAction.UPDATE, payment, note="payment_returned")
    return payment
