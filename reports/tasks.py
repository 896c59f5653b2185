"""Building the yearly PDF evaluation in the background.

`generate_evaluation(run_id, year, user_id)` is enqueued by
reports.services.runs after the request commits. It gets ids and the year,
never objects or personal data, and checks them against the ReportRun.

States: queued → running (started_at, attempts + 1) → done (the PDF in
ReportRun.file) or failed (a short message for the user in ReportRun.error;
the exception and its traceback go to the log only).

Transient database errors (OperationalError, InterfaceError: a restart, a
dropped connection, a lock timeout) are retried up to three times with
exponential backoff (10 s, 20 s, 40 s); after that, and at once on any other
error, the run is marked failed and the manager can retry it from the page.

The task is idempotent under acks_late, where a message can be delivered
twice (a worker lost mid-task): a run that is already done or failed is left
alone, and when two deliveries race, the first to finish stores its file and
the second discards its own. A run left "running" by a killed worker is
started again by the redelivered message (attempts + 1) and stores one file
on the one ReportRun row (reports/tests/test_evaluation_worker_killed.py).
"""

import logging

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from audit import reads
from audit.context import AuditContext
from core.task_hooks import pause_point

from .evaluation import render_evaluation
from .models import ReportRun
from .services import narrative

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError)
MAX_RETRIES = 3
BACKOFF_SECONDS = 10


def _message(text):
    # The worker has no request: store the message in the users' language.
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(text)


# Marked for makemessages; translated when stored (_message).
FAILED_MESSAGE = gettext_noop(
    "The evaluation could not be generated. Try again; if it fails again, contact the system administrator."
)
TRANSIENT_MESSAGE = gettext_noop(
    "The database did not answer while the evaluation was generated. Try again in a while."
)
MISMATCH_MESSAGE = gettext_noop("The request did not match the evaluation run and was not carried out.")


def _start(run_id, year, user_id):
    """Mark the run running and return it, or None when there is nothing
    to do (no such run, already finished, a request that does not match)."""
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            logger.warning("Evaluation run %s does not exist; nothing to do.", run_id)
            return None
        if run.is_finished:
            logger.info("Evaluation run %s is already %s; duplicate delivery ignored.", run_id, run.status)
            return None
        if run.year != year or run.requested_by_id != user_id:
            logger.error("Evaluation run %s: task arguments do not match the record; marked failed.", run_id)
            _mark_failed(run, MISMATCH_MESSAGE)
            return None
        run.status = ReportRun.Status.RUNNING
        run.started_at = timezone.now()
        run.attempts += 1
        run.save(update_fields=["status", "started_at", "attempts"])
    return ReportRun.objects.select_related("unit").get(pk=run_id)


def _mark_failed(run, message):
    run.status = ReportRun.Status.FAILED
    run.error = _message(message)
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])


def _fail(run_id, message):
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is not None and run.status != ReportRun.Status.DONE:
            _mark_failed(run, message)


def _finish(run_id, rendered):
    filename, _mimetype, content = rendered
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().get(pk=run_id)
        if run.status == ReportRun.Status.DONE:
            logger.info("Evaluation run %s was finished by another delivery; result discarded.", run_id)
            return run.status
        run.file.save(filename, ContentFile(content), save=False)
        run.status = ReportRun.Status.DONE
        run.error = ""
        run.finished_at = timezone.now()
        run.save(update_fields=["file", "status", "error", "finished_at"])
    logger.info("Evaluation run %s done (%s bytes).", run_id, len(content))
    return run.status


def _refused_for_personal_data(run):
    """The texts may have changed since the request was checked
    (reports.services.runs.request_run): check the final texts again and
    fail the run with the sections and kinds found. The log line names the
    sections only, never what was found."""
    findings = narrative.check_personal_data(run.unit, narrative.final_texts(run.unit, run.year))
    if not findings:
        return False
    logger.warning("Evaluation run %s refused: personal data in the narrative sections %s.", run.pk,
                   ", ".join(sorted({section for section, _message in findings})))
    with translation.override(settings.LANGUAGE_CODE):
        # Already in Swedish: _message() finds no msgid and keeps it as it is.
        _fail(run.pk, narrative.refusal_message(findings))
    return True


def backoff(retries):
    """Seconds to wait before retry number `retries` + 1: 10, 20, 40."""
    return BACKOFF_SECONDS * 2**retries


# The budget is 10 s at national scale (docs/performance.md); the soft limit
# leaves room for a loaded machine and fails the run with its message
# (SoftTimeLimitExceeded is caught below), the hard one frees the worker.
@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, soft_time_limit=300, time_limit=360)
def generate_evaluation(self, run_id, year, user_id):
    try:
        run = _start(run_id, year, user_id)
        if run is None:
            return None
        if _refused_for_personal_data(run):
            return ReportRun.Status.FAILED
        # The evaluation is aggregates only, but should a client ever be
        # read while it is built, the read is logged as the requester's.
        with reads.recording(AuditContext.system(run.requested_by, f"task generate_evaluation run {run.pk}"),
                             "evaluation PDF"):
            rendered = render_evaluation(run.year, run.unit)
        # The tests of a killed worker stop here: the PDF made, not stored.
        pause_point("evaluation_pdf")
        return _finish(run_id, rendered)
    except TRANSIENT_ERRORS as exc:
        retries = self.request.retries
        if retries < MAX_RETRIES:
            if self.request.is_eager:
                # No broker to come back through (`make run`, the tests): try
                # again at once. Celery's own retry would raise out of the
                # request that sent the task.
                logger.warning("Evaluation run %s: transient database error, retrying at once.", run_id)
                return self.apply(args=(run_id, year, user_id), retries=retries + 1).get()
            logger.warning("Evaluation run %s: transient database error, retry in %s s.", run_id, backoff(retries))
            raise self.retry(exc=exc, countdown=backoff(retries)) from exc
        logger.exception("Evaluation run %s failed after %s retries.", run_id, MAX_RETRIES)
        _fail(run_id, TRANSIENT_MESSAGE)
        return ReportRun.Status.FAILED
    except Exception:
        logger.exception("Evaluation run %s failed.", run_id)
        _fail(run_id, FAILED_MESSAGE)
        return ReportRun.Status.FAILED
