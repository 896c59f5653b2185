"""Importing a BgMax file (docs/rent.md, "BgMax" and "Matching and
allocation"): all or nothing, in one transaction.

1. The SHA-256 of the bytes: a file imported before is refused, naming the
   day it was.
2. parser.parse checks the file against itself (counts and totals).
3. Every opening record's (05) bankgiro must be the unit's
   (RentSettings.bankgiro), and its currency SEK (rent is in kronor;
   Bankgirot's own sample file has a deposit in EUR).
4. A deduction (21) is refused: the unit sends no credit invoices through
   Bankgirot, so a deduction means the file is not what the unit expects;
   a payment can never be negative (Payment.amount > 0), and netting it
   against some tenant's payment would be a guess.
5. Each payment record (20) becomes a Payment in one bulk insert, matched
   when one of its references (the record's own, then each 22 record's) is
   a valid OCR (rent.ocr.is_valid_reference) of a notice of the unit: its
   tenancy is set, open or fully paid (a payment on a paid notice is the
   tenant's credit and settles the next notice). The rest wait in the
   manual queue (tenancy empty).
6. The matched tenancies are allocated, oldest notice first
   (services.allocation.allocate_tenancies).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from core.task_hooks import pause_point
from core.tasks import enqueue_after_commit
from rent.bgmax.parser import ParseError, parse
from rent.bgmax.records import BgMaxFileContent, BgMaxPayment
from rent.models import BgMaxFile, BgMaxImportJob, Payment, PaymentSource, RentNotice, RentSettings
from rent.ocr import is_valid_reference
from rent.services.allocation import allocate_tenancies
from rent.services.periods import booking_month

MAX_FILE_BYTES = 20 * 1024 * 1024


class BgMaxImportError(Exception):
    """The file was refused; `errors` is [(line number or None, message)]."""

    def __init__(self, errors: list[tuple[int | None, str]]):
        self.errors = errors
        super().__init__("; ".join(message for _line, message in errors))


@dataclass
class ImportSummary:
    file: BgMaxFile
    payments: int
    matched: int
    to_match: int
    total: int


def references_of(payment: BgMaxPayment) -> list[str]:
    """The references to try, in order: the record's own, then the extra
    references (22; a negative one, 23, names money taken off, never a
    notice paid)."""
    found = [payment.reference] if payment.reference else []
    found += [reference for reference, _amount, negative in payment.extra_references if not negative and reference]
    return found


def _address(payment: BgMaxPayment) -> str:
    parts = [payment.address, " ".join(part for part in (payment.postcode, payment.town) if part),
             payment.country]
    return ", ".join(part for part in parts if part)[:200]


def _information(payment: BgMaxPayment) -> str:
    lines = list(payment.information)
    extra = [reference for reference, _amount, _negative in payment.extra_references]
    if extra:
        lines.append(_("Other references: %(references)s") % {"references": ", ".join(extra)})
    return "\n".join(lines)


def _notice_tenancies(unit_id: int, references: set[str]) -> dict[str, int]:
    """{OCR: tenancy id} for the valid references that name a notice of the unit."""
    valid = [reference for reference in references if is_valid_reference(reference)]
    found: dict[str, int] = {}
    for start in range(0, len(valid), 5000):
        rows = RentNotice.objects.filter(
            ocr__in=valid[start:start + 5000], tenancy__apartment__unit_id=unit_id
        ).values_list("ocr", "tenancy_id")
        found.update(rows)
    return found


def _refuse_if_imported(digest: str) -> None:
    earlier = BgMaxFile.objects.filter(sha256=digest).only("imported_at").first()
    if earlier is not None:
        raise BgMaxImportError([(None, _("This file was already imported on %(date)s. Nothing was imported.")
                                 % {"date": date_format(timezone.localtime(earlier.imported_at),
                                                        "SHORT_DATE_FORMAT")})])


def check_file(unit, data: bytes) -> BgMaxFileContent:
    """Steps 1–4: the file read and checked, nothing written. Raises
    BgMaxImportError with every error found."""
    _refuse_if_imported(hashlib.sha256(data).hexdigest())
    try:
        content = parse(data)
    except ParseError as error:
        raise BgMaxImportError(list(error.errors)) from None
    settings = RentSettings.objects.filter(unit=unit).first()
    bankgiro = (settings.bankgiro if settings else "").replace("-", "").lstrip("0")
    errors: list[tuple[int | None, str]] = []
    if not bankgiro:
        errors.append((None, _("The unit has no bankgiro number in its rent settings.")))
    for deposit in content.deposits:
        if bankgiro and deposit.recipient_bankgiro != bankgiro:
            errors.append((deposit.line, _("The file is for bankgiro %(file)s, not the unit's %(unit)s.")
                           % {"file": deposit.recipient_bankgiro, "unit": bankgiro}))
        if deposit.currency != "SEK":
            errors.append((deposit.line, _("The currency is %(currency)s, not SEK.")
                           % {"currency": deposit.currency}))
        for payment in deposit.payments:
            if payment.deduction:
                errors.append((payment.line, _("A deduction (record 21): the unit sends no credit invoices "
                                               "through Bankgirot. Contact the bank; nothing was imported.")))
            elif payment.amount <= 0:
                errors.append((payment.line, _("A payment of 0 kr.")))
    if errors:
        raise BgMaxImportError(errors)
    return content


def import_bgmax(ctx: AuditContext, unit, filename: str, data: bytes) -> ImportSummary:
    digest = hashlib.sha256(data).hexdigest()
    content = check_file(unit, data)
    all_references = {reference for deposit in content.deposits for payment in deposit.payments
                      for reference in references_of(payment)}
    now = timezone.now()
    try:
        with transaction.atomic():
            record = BgMaxFile.objects.create(
                unit=unit, sha256=digest, filename=filename[:255],
                created_at_bank=timezone.make_aware(content.written_at) if content.written_at else None,
                is_test=content.test, deposits=len(content.deposits), imported_by=ctx.user,
            )
            tenancy_of = _notice_tenancies(unit.pk, all_references)
            months: dict = {}
            rows = []
            for deposit in content.deposits:
                if deposit.paid_on not in months:
                    months[deposit.paid_on] = booking_month(unit.pk, deposit.paid_on)
                for payment in deposit.payments:
                    matched = next((reference for reference in references_of(payment) if reference in tenancy_of),
                                   None)
                    rows.append(Payment(
                        unit=unit, tenancy_id=tenancy_of[matched] if matched else None,
                        source=PaymentSource.BGMAX, paid_on=deposit.paid_on, amount=payment.amount,
                        reference=(matched or payment.reference)[:25], bgmax_file=record,
                        sender_bankgiro=payment.sender_bankgiro[:10], bank_serial=payment.serial[:12],
                        payer_name=" ".join(part for part in (payment.name, payment.extra_name) if part)[:70],
                        payer_address=_address(payment), information=_information(payment),
                        matched_at=now if matched else None, booked_month=months[deposit.paid_on],
                        created_by=ctx.user,
                    ))
            Payment.objects.bulk_create(rows, batch_size=2000)
            matched_count = sum(1 for row in rows if row.tenancy_id)
            record.payments = len(rows)
            record.total = sum(row.amount for row in rows)
            record.matched = matched_count
            record.save(update_fields=["payments", "total", "matched"])
            allocate_tenancies(row.tenancy_id for row in rows if row.tenancy_id)
            log_access(ctx, AccessAction.CREATE, record, note="bgmax_import")
    except IntegrityError:
        # Two uploads of one file at once: the unique checksum stops the second.
        raise BgMaxImportError([(None, _("This file is being imported or was already imported. "
                                         "Nothing was imported."))]) from None
    return ImportSummary(file=record, payments=len(rows), matched=matched_count,
                         to_match=len(rows) - matched_count, total=record.total)


# --- The import as a background job (issue 16 §2; docs/rent.md) ------------------------

# A file up to this size is read and checked in the request, so that its
# errors are shown beside the upload field at once (a few thousand
# payments: well under a second). A larger one is checked by the job and its
# errors are listed on the job's page.
CHECK_IN_REQUEST_BYTES = 512 * 1024

def queue_import(ctx: AuditContext, unit, filename: str, data: bytes) -> BgMaxImportJob:
    """Store the upload and enqueue its import once the request commits.
    A file imported before is refused here at once (its checksum); a small
    one is checked in full first (CHECK_IN_REQUEST_BYTES)."""
    digest = hashlib.sha256(data).hexdigest()
    if len(data) <= CHECK_IN_REQUEST_BYTES:
        check_file(unit, data)
    else:
        _refuse_if_imported(digest)
    from rent.tasks.bgmax import import_bgmax_job

    try:
        with transaction.atomic():
            job = BgMaxImportJob.objects.create(unit=unit, filename=filename[:255], sha256=digest, data=data,
                                                requested_by=ctx.user)
    except IntegrityError:
        # rent_bgmaximportjob_one_active_per_file: the same file waits or runs.
        raise BgMaxImportError([(None, _("This file is being imported or was already imported. "
                                         "Nothing was imported."))]) from None
    enqueue_after_commit(import_bgmax_job, job.pk)
    return job


def _start_job(job_id: int) -> BgMaxImportJob | None:
    """Mark the job running (committed at once, so the page shows it) and
    return it; None when it is finished already (a duplicate delivery)."""
    with transaction.atomic():
        job = BgMaxImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return None
        job.status = BgMaxImportJob.Status.RUNNING
        job.started_at = timezone.now()
        job.attempts += 1
        job.save(update_fields=["status", "started_at", "attempts"])
    return BgMaxImportJob.objects.select_related("unit", "requested_by").get(pk=job_id)


def fail_job(job_id: int, errors: list[tuple[int | None, str]]) -> None:
    """Mark the job refused with its errors, unless another delivery has
    imported the file meanwhile (a done job stays done)."""
    with transaction.atomic():
        job = BgMaxImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == BgMaxImportJob.Status.DONE:
            return
        job.status = BgMaxImportJob.Status.FAILED
        job.errors = [[line, message] for line, message in errors]
        job.data = b""
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "errors", "data", "finished_at"])


def run_import_job(job_id: int) -> str | None:
    """Import the job's file, exactly once however often the task is
    delivered: the payments, the BgMaxFile and the job's "done" are one
    transaction, so a worker killed in the middle leaves nothing and the
    next delivery starts again from the stored bytes; a finished job is
    left alone; two deliveries at once meet the unique checksum
    (BgMaxFile.sha256) and the loser leaves the winner's "done"."""
    job = _start_job(job_id)
    if job is None:
        return None
    ctx = AuditContext.system(job.requested_by, f"task import_bgmax_job {job.pk}")
    try:
        with transaction.atomic():
            summary = import_bgmax(ctx, job.unit, job.filename, bytes(job.data))
            # The tests of a killed worker stop here: payments written, not committed.
            pause_point("bgmax_import")
            BgMaxImportJob.objects.filter(pk=job.pk).update(
                status=BgMaxImportJob.Status.DONE, file=summary.file, errors=[], data=b"",
                finished_at=timezone.now())
    except BgMaxImportError as error:
        fail_job(job.pk, error.errors)
        return BgMaxImportJob.Status.FAILED
    return BgMaxImportJob.Status.DONE
