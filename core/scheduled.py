"""Watching the scheduled jobs (issue 16 §4).

Every job of the system runs from one schedule, settings.CELERY_BEAT_SCHEDULE.
Celery's task signals record, for each of its entries, when it last started,
succeeded and failed (ScheduledJobRun), whoever ran the task: beat, an
operator from the shell, or the eager mode of `make run` (whose failures
Celery reports only through task_postrun: _failed_eagerly). A job is late when
its next due time after the last success (or after the watch began, for a job
that never ran) is more than SCHEDULED_JOB_GRACE_MINUTES past; the hourly
`check_scheduled_jobs` then sends `scheduled_jobs_late` once per lateness,
and accounts tells the system administrators (core names no roles).
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery.schedules import crontab
from celery.schedules import schedule as interval
from celery.signals import task_failure, task_postrun, task_prerun, task_success
from django.conf import settings
from django.db import DatabaseError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ScheduledJobRun

logger = logging.getLogger(__name__)

# Sent with `names` (the beat entries newly found late) by
# check_scheduled_jobs; accounts.job_alerts notifies the system administrators.
scheduled_jobs_late = Signal()

# What each beat entry does, for the operations page and docs/deploy.md.
# core/tests/test_scheduled.py fails on an entry without a description.
DESCRIPTIONS: dict[str, Promise] = {
    "verify-log-chains": gettext_lazy(
        "Verifies the hash chains of the access log and the change history; alerts managers and "
        "system administrators when a row was deleted or altered."),
    "purge-old-drafts": gettext_lazy("Deletes unsaved form drafts older than the retention period."),
    "purge-link-requests": gettext_lazy(
        "Deletes requests to link a login at the municipality's identity provider that were decided, "
        "or left without a new login, longer ago than the retention period."),
    "culling-yearly-dry-run": gettext_lazy("Makes each unit's yearly culling list for a manager to approve."),
    "remind-log-reviews": gettext_lazy("Reminds managers of access-log reviews not signed off."),
    "remind-culling-lists": gettext_lazy(
        "Reminds managers of culling lists waiting for approval: monthly, weekly in the last month "
        "before the deadline."),
    "draw-monthly-log-reviews": gettext_lazy("Draws the previous month's access-log review sample of each unit."),
    "rent-notice-runs": gettext_lazy("Makes next month's rent notices where the run day has come."),
    "rent-judge-instalments": gettext_lazy("Judges the instalments of repayment plans."),
    "rent-overdue-signals": gettext_lazy("Raises signals for rent notices unpaid after due date and grace."),
    "rent-recoveries": gettext_lazy("Checks terminations for arrears whose three weeks have run out."),
    "clear-sessions": gettext_lazy("Deletes expired login sessions."),
    "check-scheduled-jobs": gettext_lazy(
        "Checks that every job here has run on time; alerts the system administrators once per lateness."),
    "relay-outbox": gettext_lazy("Sends the background work kept in the outbox while Redis was unreachable."),
}


def beat_entries() -> dict[str, dict]:
    return settings.CELERY_BEAT_SCHEDULE


def _entries_of_task(task_name: str) -> list[str]:
    return [name for name, entry in beat_entries().items() if entry["task"] == task_name]


def _record(task_name: str, **fields) -> None:
    """Write the run of every beat entry of `task_name`. Never lets the
    bookkeeping fail the job: a savepoint keeps an outer transaction usable,
    and a database that refuses is logged (the page then shows the job late)."""
    names = _entries_of_task(task_name)
    if not names:
        return
    try:
        with transaction.atomic():
            for name in names:
                ScheduledJobRun.objects.update_or_create(
                    name=name, defaults={"task": task_name, **fields}
                )
    except DatabaseError:
        logger.warning("Could not record the run of scheduled task %s", task_name, exc_info=True)


@task_prerun.connect(dispatch_uid="core.scheduled.started")
def _started(sender=None, **kwargs) -> None:
    _record(sender.name, last_started_at=timezone.now())


@task_success.connect(dispatch_uid="core.scheduled.succeeded")
def _succeeded(sender=None, **kwargs) -> None:
    _record(sender.name, last_succeeded_at=timezone.now())


@task_failure.connect(dispatch_uid="core.scheduled.failed")
def _failed(sender=None, exception=None, **kwargs) -> None:
    _record(sender.name, last_failed_at=timezone.now(), last_failure=type(exception).__name__[:200])


@task_postrun.connect(dispatch_uid="core.scheduled.failed_eagerly")
def _failed_eagerly(sender=None, state=None, **kwargs) -> None:
    """A failure that task_failure never reports: the eager mode of `make
    run` (and CELERY_EAGER=1). There CELERY_TASK_EAGER_PROPAGATES hands the
    exception to the caller, and Celery's tracer re-raises it before it
    sends task_failure (celery.app.trace: on_error raises when propagate
    is set), so the operations page went on showing the job as never
    failed. task_postrun is still sent, from the tracer's `finally`, with
    no state: the exception is then the one propagating
    (sys.exc_info()). A worker catches the error, sets the state FAILURE
    and sends task_failure: nothing to do here then."""
    if state is not None:
        return
    error = sys.exc_info()[1]
    reason = type(error).__name__ if error is not None else "Exception"
    _record(sender.name, last_failed_at=timezone.now(), last_failure=reason[:200])


def next_due_after(schedule, moment: datetime) -> datetime:
    """The first time `schedule` (a beat entry's) is due after `moment`."""
    if isinstance(schedule, (int, float)):
        schedule = timedelta(seconds=schedule)
    if isinstance(schedule, timedelta):
        return moment + schedule
    if isinstance(schedule, interval) and not isinstance(schedule, crontab):
        return moment + schedule.run_every
    start, delta, _now = schedule.remaining_delta(moment)
    return start + delta


@dataclass
class JobState:
    name: str
    task: str
    description: str
    schedule_words: str
    run: ScheduledJobRun | None
    due_at: datetime
    late: bool


def job_states(now: datetime | None = None) -> list[JobState]:
    """Each beat entry with its last run and whether it is late, in the
    schedule's order. One query."""
    now = now or timezone.now()
    grace = timedelta(minutes=settings.SCHEDULED_JOB_GRACE_MINUTES)
    runs = {run.name: run for run in ScheduledJobRun.objects.filter(name__in=list(beat_entries()))}
    states = []
    for name, entry in beat_entries().items():
        run = runs.get(name)
        since = (run.last_succeeded_at or run.tracked_since) if run else now
        due_at = next_due_after(entry["schedule"], since)
        states.append(JobState(
            name=name, task=entry["task"], description=str(DESCRIPTIONS.get(name, "")),
            schedule_words=schedule_in_words(entry["schedule"]), run=run,
            due_at=due_at, late=due_at + grace < now,
        ))
    return states


def start_tracking() -> None:
    """A row for every beat entry, so that a job that never runs is noticed."""
    for name, entry in beat_entries().items():
        ScheduledJobRun.objects.get_or_create(name=name, defaults={"task": entry["task"]})


def check_late_jobs(now: datetime | None = None) -> list[str]:
    """The entries newly late (not alerted for this due time yet); marks them
    alerted and sends `scheduled_jobs_late` once for all. Running it twice
    alerts once."""
    start_tracking()
    with transaction.atomic():
        late = [state for state in job_states(now) if state.late]
        fresh = []
        for state in late:
            run = ScheduledJobRun.objects.select_for_update().get(name=state.name)
            if run.alerted_for != state.due_at:
                run.alerted_for = state.due_at
                run.save(update_fields=["alerted_for"])
                fresh.append(state.name)
        if fresh:
            logger.warning("Scheduled jobs late: %s", ", ".join(fresh))
            scheduled_jobs_late.send(sender=ScheduledJobRun, names=fresh)
    return fresh


_MONTHS = [
    gettext_lazy("January"), gettext_lazy("February"), gettext_lazy("March"), gettext_lazy("April"),
    gettext_lazy("May"), gettext_lazy("June"), gettext_lazy("July"), gettext_lazy("August"),
    gettext_lazy("September"), gettext_lazy("October"), gettext_lazy("November"), gettext_lazy("December"),
]


def schedule_in_words(schedule) -> str:
    """"Every day at 02:30", "Every hour at :45", "Every year on 10 January
    at 04:00", "Every month on day 1 at 05:00"; the crontab itself for
    anything rarer."""
    if not isinstance(schedule, crontab):
        seconds = int(schedule.total_seconds() if isinstance(schedule, timedelta) else
                      schedule.run_every.total_seconds() if isinstance(schedule, interval) else schedule)
        return _("Every %(minutes)s minutes") % {"minutes": seconds // 60}
    every_day = len(schedule.day_of_week) == 7 and len(schedule.day_of_month) == 31
    every_month = len(schedule.month_of_year) == 12
    minute = sorted(schedule.minute)
    hour = sorted(schedule.hour)
    if len(minute) != 1:
        return str(schedule)
    if len(hour) == 24 and every_day and every_month:
        return _("Every hour at :%(minute)02d") % {"minute": minute[0]}
    if len(hour) != 1:
        return str(schedule)
    at = {"time": f"{hour[0]:02d}:{minute[0]:02d}"}
    if every_day and every_month:
        return _("Every day at %(time)s") % at
    days = sorted(schedule.day_of_month)
    if len(schedule.day_of_week) == 7 and len(days) == 1:
        if every_month:
            return _("Every month on day %(day)s at %(time)s") % {"day": days[0], **at}
        months = sorted(schedule.month_of_year)
        if len(months) == 1:
            return _("Every year on %(day)s %(month)s at %(time)s") % {
                "day": days[0], "month": str(_MONTHS[months[0] - 1]).lower(), **at}
    return str(schedule)


def local_time(moment: datetime | None) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i") if moment else ""
