"""Every morning: make next month's notices for each unit whose run day has come (services.runs)."""

from celery import shared_task
from django.utils import timezone

from rent.models import NoticeRun, RentSettings
from rent.services.runs import next_period, run_month


@shared_task
def run_due_notices() -> int:
    """For each unit with rent settings whose notice_run_day has come this
    month, run next month's notices unless that month has been run. Returns
    the number of notices made."""
    today = timezone.localdate()
    period = next_period(today)
    made = 0
    for settings in RentSettings.objects.filter(notice_run_day__lte=today.day).select_related("unit"):
        if NoticeRun.objects.filter(unit_id=settings.unit_id, period=period).exists():
            continue
        run = run_month(None, settings.unit, period, today=today)
        made += run.notices_made_now
    return made
