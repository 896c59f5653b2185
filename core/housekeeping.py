"""Housekeeping run by Celery beat (settings.CELERY_BEAT_SCHEDULE, loaded
through CELERY_IMPORTS): jobs that belong to no app. Each is idempotent."""

from importlib import import_module

from celery import shared_task
from django.conf import settings

from . import scheduled


@shared_task
def clear_sessions() -> None:
    """Nightly: delete expired sessions, exactly as `manage.py clearsessions`
    does, through the configured session engine (db and cached_db keep rows)."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


@shared_task
def check_scheduled_jobs() -> list[str]:
    """Hourly: the jobs newly found late (alerted once per lateness)."""
    return scheduled.check_late_jobs()
