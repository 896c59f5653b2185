"""Termination of a training-apartment tenancy for unpaid rent, where the
unit is itself the landlord (12 kap. 44 § jordabalken; docs/rent.md,
"Termination for arrears and the letters").

- `start_termination`: only with arrears on the day; the amount owed is
  computed from the ledger (never typed) and the unit's own eviction notice
  (referrals.EvictionNotice) is created or linked, so KPI 2 counts it.
- `render_letter`: the two letters as PDF (the termination with the notice
  of the right to recover, and the notice to the social welfare board).
- `record_delivery` / `sign_delivery`: proof that a letter arrived (a scanned
  receipt, or the bolots's signature in the app). The termination letter's
  delivery starts the three weeks: notified_on, recover_by = notified_on + 21
  days, status RUNNING, the eviction notice's pay-by date, and a signal.
- `check_termination` / `check_recoveries`: paid in full by recover_by →
  RECOVERED (the eviction notice's outcome "prevented: paid"); the day
  passed without → LAPSED. Run on every allocation (rent.signals.
  payments_allocated) and every morning (tasks.terminations).
- `refuse_early_end`: the tenancies.signals.tenancy_ending receiver that
  keeps a tenancy from being ended for arrears before that.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from bolots.models import SignalKind
from core.formatting import kr
from core.pdf import render_pdf
from core.rules import RuleError
from core.signals import records_updated
from referrals import protection
from referrals.models import EvictionNotice, NoticeOutcome, NoticeReason, NoticeSource, Order, OrderState
from referrals.services.notices import create_notice
from tenancies.models import EndReason, Tenancy
from tenancies.services.addresses import apartment_address

from ..models import (
    Allocation,
    ArrearsTermination,
    DeliveryMethod,
    LetterDelivery,
    LetterKind,
    RentNotice,
    RentSettings,
    TerminationStatus,
)
from .signals import raise_ledger_signal

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

# 12 kap. 44 § jordabalken: three weeks from the day the tenant was notified.
RECOVERY_PERIOD = timedelta(days=21)
OPEN_STATUSES = (TerminationStatus.DRAFT, TerminationStatus.RUNNING)

# Scanned receipts: what is accepted, by content type and by the file's
# first bytes (a renamed file is refused whatever the browser says).
PROOF_MAX_BYTES = 10 * 1024 * 1024
PROOF_TYPES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}

SYSTEM_LABEL = "rent.check_recoveries"


class TerminationError(RuleError):
    """A rule refuses the termination or the delivery (core.rules). Nothing
    has been written when it is raised."""


def _day(day: date) -> str:
    return day.strftime("%Y-%m-%d")


# --- The amount owed, from the ledger ---------------------------------------------


def arrears_notices(tenancy_id: int, day: date):
    """The notices that make the arrears on `day`: made by then and due
    before it."""
    return RentNotice.objects.filter(tenancy_id=tenancy_id, issued_on__lte=day, due_date__lt=day)


def amount_owed_on(tenancy_id: int, day: date, *, settled_on: date | None = None) -> int:
    """What the tenant owed on `day` (öre): the open amounts, on that day, of
    the notices due before it. With `settled_on`: what is still open of
    those same notices on that later day (0: the arrears are paid)."""
    open_amounts = (
        arrears_notices(tenancy_id, day).with_settled(settled_on or day).values_list("outstanding", flat=True)
    )
    return sum(amount for amount in open_amounts if amount > 0)


def payment_reference(tenancy_id: int, day: date) -> str:
    """The OCR reference the tenant pays with: the oldest open notice's (a
    payment is allocated oldest first, so one payment to it settles them
    all)."""
    notice = (
        RentNotice.objects.open_on(day).filter(tenancy_id=tenancy_id).exclude(ocr="")
        .order_by("due_date", "id").first()
    )
    return notice.ocr if notice else ""


# --- Starting --------------------------------------------------------------------


def landlord_name(unit) -> str:
    settings = RentSettings.objects.filter(unit=unit).first()
    return (settings.payee_name if settings and settings.payee_name else "") or unit.name


def _eviction_notice(ctx: AuditContext, termination: ArrearsTermination, tenancy: Tenancy) -> EvictionNotice:
    """The unit's own eviction-prevention case: an open notice of the unit's
    own termination for arrears of this client is linked, else one is made
    (services.notices.create_notice, which logs it)."""
    unit = tenancy.apartment.unit
    landlord = landlord_name(unit)
    existing = (
        EvictionNotice.objects.open()
        .filter(unit=unit, client_id=tenancy.client_id, source=NoticeSource.LANDLORD_TERMINATION,
                reason=NoticeReason.RENT_ARREARS, landlord=landlord, termination_date=termination.decided_on)
        .order_by("pk").first()
    )
    if existing is not None:
        return existing
    address = "" if protection.is_protected(tenancy.client) else str(
        apartment_address(tenancy.apartment, unit.municipality)
    )
    notice = EvictionNotice(
        received_on=termination.decided_on, source=NoticeSource.LANDLORD_TERMINATION, landlord=landlord,
        client=tenancy.client, address=address, reason=NoticeReason.RENT_ARREARS,
        amount_owed=termination.amount_owed, termination_date=termination.decided_on,
    )
    create_notice(ctx, notice)
    # No deadline runs until the tenant is notified (record_delivery sets it).
    _set_pay_by(notice, None)
    return notice


def _set_pay_by(notice: EvictionNotice, day: date | None, *, notified_on: date | None = None) -> None:
    """The eviction notice's last day to pay. Until the tenant is notified
    there is none. Once notified, the termination takes effect for the
    tenant on that day, so the notice's termination date becomes it and
    referrals' own rule (EvictionNotice.compute_pay_by_date: three weeks
    from the termination date) gives the same day as recover_by; an edit of
    the notice in referrals keeps it. Written with the version bumped (an
    edit open meanwhile conflicts)."""
    values = {"pay_by_date": day, "version": F("version") + 1}
    if notified_on is not None:
        values["termination_date"] = notified_on
        notice.termination_date = notified_on
    EvictionNotice.objects.filter(pk=notice.pk).update(**values)
    notice.pay_by_date = day
    notice.version += 1


@transaction.atomic
def start_termination(ctx: AuditContext, tenancy: Tenancy, decided_on: date) -> ArrearsTermination:
    """Terminate `tenancy` for the arrears it has on `decided_on`."""
    tenancy = Tenancy.objects.select_for_update().select_related("apartment__unit", "client").get(pk=tenancy.pk)
    if tenancy.end_date is not None and tenancy.end_date < decided_on:
        raise TerminationError(_("The tenancy ended on %(date)s.") % {"date": _day(tenancy.end_date)},
                               code="ended", field="decided_on")
    if decided_on < tenancy.start_date:
        raise TerminationError(_("The date is before the move-in."), code="before_start", field="decided_on")
    if decided_on > timezone.localdate():
        raise TerminationError(_("A termination cannot be dated in the future."), code="future",
                               field="decided_on")
    if ArrearsTermination.objects.filter(tenancy=tenancy, status__in=OPEN_STATUSES).exists():
        raise TerminationError(
            _("The tenancy already has a termination for arrears under way."), code="open", field="decided_on"
        )
    owed = amount_owed_on(tenancy.pk, decided_on)
    if owed <= 0:
        raise TerminationError(
            _("The tenant had no arrears on %(date)s: nothing due before that day was unpaid.")
            % {"date": _day(decided_on)},
            code="no_arrears", field="decided_on",
        )
    termination = ArrearsTermination.objects.create(
        tenancy=tenancy, decided_on=decided_on, amount_owed=owed, status=TerminationStatus.DRAFT,
        status_on=decided_on, created_by=ctx.user,
    )
    log_access(ctx, AccessAction.CREATE, termination)
    termination.eviction_notice = _eviction_notice(ctx, termination, tenancy)
    termination.save(update_fields=["eviction_notice"])
    return termination


# --- The letters -------------------------------------------------------------------


def letter_context(user, termination: ArrearsTermination, letter: str, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    tenancy = termination.tenancy
    unit = tenancy.apartment.unit
    settings = RentSettings.objects.filter(unit=unit).first()
    shown = protection.may_see_whereabouts(user, tenancy.client)
    address = str(apartment_address(tenancy.apartment, unit.municipality)) if shown else ""
    return {
        "termination": termination,
        "tenancy": tenancy,
        "client": tenancy.client,
        "unit": unit,
        "letter": letter,
        "address_shown": shown,
        "address": address,
        "amount": kr(termination.amount_owed),
        "recover_by": _day(termination.recover_by) if termination.recover_by else "",
        "decided_on": _day(termination.decided_on),
        "bankgiro": settings.bankgiro if settings else "",
        "payee": landlord_name(unit),
        "reference": payment_reference(tenancy.pk, today),
        "today": _day(today),
    }


LETTER_TEMPLATES = {
    LetterKind.TERMINATION: "rent/terminations/letters/termination_pdf.html",
    LetterKind.BOARD_NOTICE: "rent/terminations/letters/board_notice_pdf.html",
}


def render_letter(ctx: AuditContext, termination: ArrearsTermination, letter: str) -> tuple[str, str, bytes]:
    """The letter as PDF, and the access-log row that says it was read (the
    amount owed and the tenant are in it)."""
    context = letter_context(ctx.user, termination, letter)
    log_access(ctx, AccessAction.EXPORT, termination, note=f"letter:{letter}")
    return render_pdf(LETTER_TEMPLATES[letter], context, f"uppsagning-{termination.pk}-{letter}.pdf")


# --- Delivery and the three weeks -------------------------------------------------


def check_proof(upload: UploadedFile) -> None:
    """A scanned receipt: PDF, JPEG or PNG by content type and by its first
    bytes, at most PROOF_MAX_BYTES."""
    if upload.size > PROOF_MAX_BYTES:
        raise TerminationError(
            _("The file is larger than %(mb)s MB.") % {"mb": PROOF_MAX_BYTES // (1024 * 1024)},
            code="size", field="proof",
        )
    magic = PROOF_TYPES.get(upload.content_type or "")
    head = upload.read(8)
    upload.seek(0)
    if magic is None or not any(head.startswith(prefix) for prefix in magic):
        raise TerminationError(_("The scanned receipt must be a PDF, JPEG or PNG file."), code="type",
                               field="proof")


def _check_delivery_date(termination: ArrearsTermination, delivered_on: date) -> None:
    if delivered_on < termination.decided_on:
        raise TerminationError(
            _("The letter cannot have been delivered before the termination (%(date)s).")
            % {"date": _day(termination.decided_on)},
            code="before_decision", field="delivered_on",
        )
    if delivered_on > timezone.localdate():
        raise TerminationError(_("The delivery date cannot be in the future."), code="future",
                               field="delivered_on")


def _lock_open(termination: ArrearsTermination) -> ArrearsTermination:
    locked = ArrearsTermination.objects.select_for_update().select_related("tenancy__client").get(
        pk=termination.pk
    )
    if locked.status not in OPEN_STATUSES:
        raise TerminationError(
            _("The termination is no longer under way (%(status)s).") % {"status": locked.get_status_display()},
            code="closed",
        )
    return locked


def _delivered(ctx: AuditContext, termination: ArrearsTermination, delivery: LetterDelivery) -> None:
    log_access(ctx, AccessAction.CREATE, delivery, client=termination.tenancy.client,
               note=f"delivery:{delivery.letter}")
    if delivery.letter == LetterKind.TERMINATION and termination.notified_on is None:
        _start_running(ctx, termination, delivery.delivered_on)


def recover_by_for(notified_on: date) -> date:
    return notified_on + RECOVERY_PERIOD


def _start_running(ctx: AuditContext, termination: ArrearsTermination, notified_on: date) -> None:
    termination.notified_on = notified_on
    termination.recover_by = recover_by_for(notified_on)
    termination.status = TerminationStatus.RUNNING
    termination.status_on = notified_on
    ArrearsTermination.objects.filter(pk=termination.pk).update(
        notified_on=notified_on, recover_by=termination.recover_by, status=termination.status,
        status_on=notified_on, version=F("version") + 1,
    )
    if termination.eviction_notice_id:
        _set_pay_by(EvictionNotice.objects.get(pk=termination.eviction_notice_id), termination.recover_by,
                    notified_on=termination.notified_on)
    tenancy = termination.tenancy
    raise_ledger_signal(
        ctx, kind=SignalKind.RECOVERY_DEADLINE, tenancy=tenancy, source_key=f"rent.termination:{termination.pk}",
        text=_("Terminated for arrears: %(amount)s must be paid by %(date)s to keep the home.")
        % {"amount": kr(termination.amount_owed), "date": _day(termination.recover_by)},
        message=_("Termination for arrears #%(number)s: three weeks to recover the tenancy")
        % {"number": termination.pk},
    )
    # A payment may have come while the letter was on its way.
    check_termination(ctx, termination, timezone.localdate())


@transaction.atomic
def record_delivery(
    ctx: AuditContext, termination: ArrearsTermination, letter: str, method: str, delivered_on: date,
    proof_file: UploadedFile | None = None, note: str = "",
) -> LetterDelivery:
    """Record that `letter` reached its recipient, with a scanned receipt.
    (A bolots's signed handing-over is sign_delivery.)"""
    termination = _lock_open(termination)
    if letter not in LetterKind.values:
        raise TerminationError(_("Choose the letter."), code="letter", field="letter")
    if method not in DeliveryMethod.values:
        raise TerminationError(_("Choose how the letter was delivered."), code="method", field="method")
    _check_delivery_date(termination, delivered_on)
    if proof_file is None:
        raise TerminationError(
            _("Attach the scanned receipt. A letter handed over by a bolots is signed by the bolots in the app."),
            code="no_proof", field="proof",
        )
    check_proof(proof_file)
    delivery = LetterDelivery(
        termination=termination, letter=letter, method=method, delivered_on=delivered_on,
        note=(note or "").strip()[:300], recorded_by=ctx.user,
    )
    delivery.proof.save(f"leverans-{termination.pk}-{letter}{_suffix(proof_file)}", proof_file, save=False)
    delivery.save()
    _delivered(ctx, termination, delivery)
    return delivery


def _suffix(upload: UploadedFile) -> str:
    return {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[upload.content_type]


def may_sign(user, termination: ArrearsTermination) -> bool:
    """A bolots may sign a handing-over for a client whose order under way
    has them as active or passive bolots."""
    if not (user.is_authenticated and user.is_active and user.has_perm("rent.sign_delivery")):
        return False
    return Order.objects.filter(
        client_id=termination.tenancy.client_id, state__in=OrderState.active_states(),
    ).filter(Q(active_pilot=user) | Q(passive_pilot=user)).exists()


@transaction.atomic
def sign_delivery(ctx: AuditContext, termination: ArrearsTermination, letter: str,
                  delivered_on: date) -> LetterDelivery:
    """The bolots signs in the app that they handed `letter` to the tenant."""
    termination = _lock_open(termination)
    if not may_sign(ctx.user, termination):
        raise TerminationError(
            _("Only the client's bolots on an order under way can sign the handing-over."), code="not_pilot"
        )
    if letter not in LetterKind.values:
        raise TerminationError(_("Choose the letter."), code="letter", field="letter")
    _check_delivery_date(termination, delivered_on)
    delivery = LetterDelivery.objects.create(
        termination=termination, letter=letter, method=DeliveryMethod.BY_HAND, delivered_on=delivered_on,
        delivered_by=ctx.user, signed_at=timezone.now(), recorded_by=ctx.user,
    )
    _delivered(ctx, termination, delivery)
    return delivery


# --- Recovery ---------------------------------------------------------------------


def _recovered_on(termination: ArrearsTermination) -> date:
    """The day the last allocation that settled the arrears was made."""
    last = (
        Allocation.objects.filter(notice__in=arrears_notices(termination.tenancy_id, termination.decided_on),
                                  on__lte=termination.recover_by)
        .aggregate(day=Max("on"))["day"]
    )
    return last or termination.notified_on


def check_termination(ctx: AuditContext, termination: ArrearsTermination, today: date) -> str:
    """RUNNING (or LAPSED, for a payment in time that arrived late from the
    bank) → RECOVERED when the arrears were paid by recover_by; RUNNING →
    LAPSED when recover_by has passed without. Returns the status."""
    if termination.status not in (TerminationStatus.RUNNING, TerminationStatus.LAPSED):
        return termination.status
    left = amount_owed_on(termination.tenancy_id, termination.decided_on, settled_on=termination.recover_by)
    if left == 0:
        _close(ctx, termination, TerminationStatus.RECOVERED, _recovered_on(termination))
    elif termination.status == TerminationStatus.RUNNING and today > termination.recover_by:
        _close(ctx, termination, TerminationStatus.LAPSED, termination.recover_by + timedelta(days=1))
    return termination.status


def _close(ctx: AuditContext, termination: ArrearsTermination, status: str, on: date) -> None:
    ArrearsTermination.objects.filter(pk=termination.pk).update(status=status, status_on=on,
                                                                version=F("version") + 1)
    termination.status, termination.status_on = status, on
    if ctx.user is not None:  # the daily check and the payment hook act as no user: nothing was read
        log_access(ctx, AccessAction.UPDATE, termination, note=f"termination:{status}")
    if status == TerminationStatus.RECOVERED and termination.eviction_notice_id:
        EvictionNotice.objects.filter(pk=termination.eviction_notice_id).update(
            outcome=NoticeOutcome.PREVENTED_PAID, outcome_on=on, version=F("version") + 1,
        )
        # The notice's outcome counts in KPI 2 of the year it was received.
        records_updated.send(sender=EvictionNotice, pks=[termination.eviction_notice_id])


@transaction.atomic
def check_recoveries(today: date | None = None) -> int:
    """Every running (or lapsed, for late-arriving payments) termination
    checked on `today`; returns how many changed status."""
    today = today or timezone.localdate()
    ctx = AuditContext.system(None, SYSTEM_LABEL)
    changed = 0
    terminations = (
        ArrearsTermination.objects.select_for_update(of=("self",))
        .filter(status__in=(TerminationStatus.RUNNING, TerminationStatus.LAPSED))
        .select_related("tenancy__client").order_by("recover_by", "pk")
    )
    for termination in terminations:
        before = termination.status
        if check_termination(ctx, termination, today) != before:
            changed += 1
    return changed


def on_payments_allocated(sender, tenancy_ids: list[int], **kwargs) -> None:
    """rent.signals.payments_allocated: a payment in time recovers the
    tenancy at once, whatever path brought it in."""
    ctx = AuditContext.system(None, SYSTEM_LABEL)
    terminations = (
        ArrearsTermination.objects.select_for_update().select_related("tenancy__client")
        .filter(tenancy_id__in=tenancy_ids, status__in=(TerminationStatus.RUNNING, TerminationStatus.LAPSED))
    )
    for termination in terminations:
        check_termination(ctx, termination, timezone.localdate())


# --- Ending the tenancy -------------------------------------------------------------


def refuse_early_end(sender, tenancy: Tenancy, end_date: date, end_reason: str, **kwargs) -> None:
    """tenancies.signals.tenancy_ending: no end for arrears while the
    tenant may still recover the tenancy, nor after they did."""
    if end_reason != EndReason.TERMINATED_ARREARS:
        return
    termination = (
        ArrearsTermination.objects.filter(tenancy_id=tenancy.pk).exclude(status=TerminationStatus.WITHDRAWN)
        .select_related("tenancy__client").order_by("-decided_on", "-pk").first()
    )
    if termination is None:
        return
    check_termination(AuditContext.system(None, SYSTEM_LABEL), termination, timezone.localdate())
    status = termination.status
    if status == TerminationStatus.DRAFT:
        raise RuleError(
            _("The termination letter has not been delivered to the tenant, so the three weeks to pay have not "
              "started. Record the delivery first."),
            code="not_notified", field="end_reason",
        )
    if status == TerminationStatus.RECOVERED:
        raise RuleError(
            _("The tenant paid the arrears in time (%(date)s) and keeps the tenancy: it cannot be ended for "
              "those arrears.") % {"date": _day(termination.status_on)},
            code="recovered", field="end_reason",
        )
    if status == TerminationStatus.RUNNING or (termination.recover_by and end_date <= termination.recover_by):
        raise RuleError(
            _("The tenant may pay and keep the home until %(date)s (three weeks from being notified). "
              "The tenancy can be ended for arrears after that day.") % {"date": _day(termination.recover_by)},
            code="recovery_running", field="end_reason",
        )


def days_left(termination: ArrearsTermination, today: date) -> int | None:
    return None if termination.recover_by is None else (termination.recover_by - today).days
