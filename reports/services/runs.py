"""Requesting and retrying the yearly PDF evaluation.

A request creates a ReportRun (queued) and enqueues reports.tasks.
generate_evaluation once the transaction commits, with the run's id, the
year and the requesting user's id: the task checks that they match the
record, so a message can never make the task build another unit's report.

A retry reuses the failed record (see docs/reports.md): the run keeps its
requester and year, its status goes back to queued, the error is cleared,
and `attempts` keeps counting. Who retried is in the access log.

A run still queued after REPORT_RUN_STUCK_MINUTES (its message lost with a
flushed Redis, or waiting in the outbox for a broker that is down) can be
tried again too: the task is enqueued once more on the same record. Should
both messages arrive, the task's own checks make the second a no-op
(reports.tasks: a finished run is left alone).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AccessAction
from audit.services import log_access
from core.tasks import enqueue_after_commit

from ..models import ReportRun
from . import narrative

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from audit.context import AuditContext

FIRST_YEAR = 2000


class RunError(Exception):
    """The request is refused; the message is for the user."""


def _enqueue(run: ReportRun) -> None:
    from ..tasks import generate_evaluation

    enqueue_after_commit(generate_evaluation, run.pk, run.year, run.requested_by_id)


def request_run(ctx: AuditContext, year: int) -> ReportRun:
    """Queue an evaluation of `year` for the acting user's unit."""
    user = ctx.user
    if not user.unit_id:
        raise RunError(_("You belong to no unit, so there is nothing to evaluate."))
    # The evaluation is a public document: refused while a final text of the
    # year has personal data in it (the task checks again before it renders).
    findings = narrative.check_personal_data(user.unit, narrative.final_texts(user.unit, year))
    if findings:
        raise RunError(narrative.refusal_message(findings))
    if _active(user.unit_id, year).exists():
        raise RunError(_already_active(year))
    try:
        with transaction.atomic():
            run = ReportRun.objects.create(unit_id=user.unit_id, year=year, requested_by=user)
            log_access(ctx, AccessAction.CREATE, run, note=f"evaluation {year}")
            _enqueue(run)
    except IntegrityError:
        # reports_run_one_active_per_unit_year: a request at the same moment won.
        if _active(user.unit_id, year).exists():
            raise RunError(_already_active(year)) from None
        raise
    return run


def _active(unit_id: int, year: int) -> QuerySet[ReportRun]:
    return ReportRun.objects.filter(
        unit_id=unit_id, year=year, status__in=[ReportRun.Status.QUEUED, ReportRun.Status.RUNNING]
    )


def _already_active(year: int) -> str:
    return _("An evaluation for %(year)s is already being generated. Wait until it is ready (this page "
             "shows it) before requesting a new one.") % {"year": year}


def stuck_before(now: datetime | None = None) -> datetime:
    """A run queued before this moment and still queued is stuck."""
    return (now or timezone.now()) - timedelta(minutes=settings.REPORT_RUN_STUCK_MINUTES)


def is_stuck(run: ReportRun, now: datetime | None = None) -> bool:
    return run.status == ReportRun.Status.QUEUED and run.requested_at < stuck_before(now)


def retry_run(ctx: AuditContext, run: ReportRun) -> ReportRun:
    """Queue a failed run again, on the same record; or enqueue a run stuck
    in the queue once more."""
    with transaction.atomic():
        locked = ReportRun.objects.select_for_update().get(pk=run.pk)
        if locked.status == ReportRun.Status.QUEUED:
            return _retry_stuck(ctx, locked)
        if locked.status != ReportRun.Status.FAILED:
            raise RunError(_("Only a failed evaluation can be tried again."))
        if _active(locked.unit_id, locked.year).exists():
            raise RunError(_already_active(locked.year))
        locked.status = ReportRun.Status.QUEUED
        locked.error = ""
        locked.started_at = None
        locked.finished_at = None
        try:
            with transaction.atomic():
                locked.save(update_fields=["status", "error", "started_at", "finished_at"])
        except IntegrityError:
            # reports_run_one_active_per_unit_year, as in request_run().
            raise RunError(_already_active(locked.year)) from None
        log_access(ctx, AccessAction.UPDATE, locked, note="retry")
        _enqueue(locked)
    return locked


def _retry_stuck(ctx: AuditContext, locked: ReportRun) -> ReportRun:
    """Enqueue a queued run again, at most once per REPORT_RUN_STUCK_MINUTES:
    requested_at moves to now, so the run counts as waiting from the retry
    on (the access log keeps who retried, and when)."""
    if not is_stuck(locked):
        raise RunError(_("The evaluation for %(year)s is waiting in the queue. It can be tried again when it has "
                         "waited %(minutes)s minutes.") % {"year": locked.year,
                                                           "minutes": settings.REPORT_RUN_STUCK_MINUTES})
    ReportRun.objects.filter(pk=locked.pk).update(requested_at=timezone.now())
    locked.refresh_from_db(fields=["requested_at"])
    log_access(ctx, AccessAction.UPDATE, locked, note="retry queued")
    _enqueue(locked)
    return locked
