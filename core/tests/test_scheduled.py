"""The watch on the scheduled jobs (core.scheduled, issue 16 §4): every
run recorded, lateness found from a hand-set last run, one alert per
lateness."""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.models import Notification
from core import housekeeping, scheduled
from core.models import ScheduledJobRun

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DEPLOY_DOC = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"


def at(*args):
    return datetime(*args, tzinfo=STOCKHOLM)


def test_every_beat_entry_is_described_here_and_in_the_deploy_doc():
    doc = DEPLOY_DOC.read_text(encoding="utf-8")
    entries = list(settings.CELERY_BEAT_SCHEDULE)
    assert [name for name in entries if name not in scheduled.DESCRIPTIONS] == []
    assert [name for name in entries if f"`{name}`" not in doc] == []
    assert {"clear-sessions", "check-scheduled-jobs", "verify-log-chains", "rent-notice-runs",
            "draw-monthly-log-reviews", "culling-yearly-dry-run", "remind-log-reviews"} <= set(entries)


def test_schedules_in_swedish_words():
    assert scheduled.schedule_in_words(crontab(hour=2, minute=30)) == "Varje dag kl. 02:30"
    assert scheduled.schedule_in_words(crontab(minute=45)) == "Varje timme vid :45"
    assert scheduled.schedule_in_words(
        crontab(hour=4, minute=0, day_of_month=10, month_of_year=1)) == "Varje år den 10 januari kl. 04:00"
    assert scheduled.schedule_in_words(crontab(hour=5, minute=0, day_of_month=1)) == "Varje månad den 1 kl. 05:00"
    assert scheduled.schedule_in_words(timedelta(minutes=15)) == "Var 15:e minut"


def test_next_due_time_follows_the_crontab_in_stockholm_time():
    assert scheduled.next_due_after(crontab(hour=2, minute=30), at(2026, 12, 6, 3, 0)) == at(2026, 12, 7, 2, 30)
    assert scheduled.next_due_after(timedelta(hours=1), at(2026, 12, 6, 3, 0)) == at(2026, 12, 6, 4, 0)


@pytest.mark.django_db
def test_a_run_is_recorded_as_started_and_succeeded():
    before = timezone.now()
    housekeeping.clear_sessions.apply(throw=True)

    run = ScheduledJobRun.objects.get(name="clear-sessions")
    assert run.task == "core.housekeeping.clear_sessions"
    assert before <= run.last_started_at <= run.last_succeeded_at
    assert run.last_failed_at is None


@pytest.mark.django_db
def test_a_failed_run_is_recorded_with_the_exception_class_only(monkeypatch):
    def broken():
        raise ValueError("details that may name a person")

    monkeypatch.setattr(SessionStore, "clear_expired", staticmethod(broken))
    # As in the worker, which catches the error (the task_failure signal).
    result = housekeeping.clear_sessions.apply(throw=False)
    assert result.failed()

    run = ScheduledJobRun.objects.get(name="clear-sessions")
    assert run.last_failed_at is not None and run.last_succeeded_at is None
    assert run.last_failure == "ValueError"


@pytest.mark.django_db
def test_a_task_outside_the_schedule_is_not_recorded():
    from accounts.tasks import send_notification_email

    assert not [name for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
                if entry["task"] == send_notification_email.name]
    send_notification_email.apply(args=[0])
    assert not ScheduledJobRun.objects.exists()


@pytest.mark.django_db
def test_clear_sessions_deletes_expired_sessions_only():
    Session.objects.create(session_key="a" * 32, session_data="", expire_date=timezone.now() - timedelta(days=1))
    Session.objects.create(session_key="b" * 32, session_data="", expire_date=timezone.now() + timedelta(days=1))

    housekeeping.clear_sessions.apply(throw=True)
    housekeeping.clear_sessions.apply(throw=True)

    assert list(Session.objects.values_list("session_key", flat=True)) == ["b" * 32]


def _states_by_name(now):
    return {state.name: state for state in scheduled.job_states(now)}


@pytest.mark.django_db
def test_a_job_is_late_once_its_next_due_time_plus_grace_has_passed():
    ScheduledJobRun.objects.create(name="verify-log-chains", task="audit.tasks.verify_log_chains",
                                   last_succeeded_at=at(2026, 12, 5, 2, 31))
    # Due again 6 December 02:30; the grace is an hour.
    assert _states_by_name(at(2026, 12, 6, 3, 29))["verify-log-chains"].late is False
    late = _states_by_name(at(2026, 12, 6, 3, 31))["verify-log-chains"]
    assert late.late is True
    assert late.due_at == at(2026, 12, 6, 2, 30)


@pytest.mark.django_db
def test_a_job_that_never_ran_is_late_from_its_first_due_time_after_tracking_began():
    now = timezone.now()
    scheduled.start_tracking()
    ScheduledJobRun.objects.filter(name="clear-sessions").update(tracked_since=now - timedelta(days=2))

    states = _states_by_name(now)
    assert states["clear-sessions"].late is True
    assert states["verify-log-chains"].late is False  # tracked since now


@pytest.mark.django_db
def test_lateness_alerts_the_system_administrators_once(users):
    now = timezone.now()
    scheduled.start_tracking()
    ScheduledJobRun.objects.filter(name="purge-old-drafts").update(last_succeeded_at=now - timedelta(days=3))

    assert scheduled.check_late_jobs(now) == ["purge-old-drafts"]
    assert scheduled.check_late_jobs(now) == []
    housekeeping.check_scheduled_jobs.apply(throw=True)

    alerts = Notification.objects.filter(text__contains="purge-old-drafts")
    assert [alert.user for alert in alerts] == [users["system_admin"]]
    assert alerts[0].text == "Schemalagda jobb har inte körts i tid: purge-old-drafts."
    assert alerts[0].url == "/drift/jobb/"


@pytest.mark.django_db
def test_a_later_missed_due_time_alerts_again(users):
    now = timezone.now()
    scheduled.start_tracking()
    ScheduledJobRun.objects.filter(name="purge-old-drafts").update(last_succeeded_at=now - timedelta(days=3))
    assert scheduled.check_late_jobs(now) == ["purge-old-drafts"]

    # The job ran, then missed its next night too.
    ScheduledJobRun.objects.filter(name="purge-old-drafts").update(last_succeeded_at=now - timedelta(days=2))
    assert scheduled.check_late_jobs(now) == ["purge-old-drafts"]
    assert Notification.objects.filter(user=users["system_admin"]).count() == 2
