"""The monthly draw, run by Celery beat (config.settings CELERY_BEAT_SCHEDULE).

Beat runs draw_monthly_reviews early every morning; the task does nothing
before the month's first working day (logreview.workdays: a month that
starts on a weekend or a public holiday waits for the first weekday that
is not one). From that day on it draws the previous month for every unit
that has no review of it yet, one task per unit (ids only), so a day the
workers were down is made up the next morning and a unit that fails does
not stop the others. draw_month is idempotent: running twice draws once.
"""

import logging
from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from accounts.models import Unit
from core.tasks import enqueue_after_commit

from .sampling import draw_month
from .workdays import first_working_day

logger = logging.getLogger(__name__)


def month_to_draw(today: date) -> date | None:
    """The month to draw on `today`: the previous one, from the first
    working day of this month on; None before it."""
    if today < first_working_day(today.year, today.month):
        return None
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


@shared_task
def draw_monthly_reviews() -> int:
    """Daily: enqueue the draw of the previous month for each unit without one."""
    month = month_to_draw(timezone.localdate())
    if month is None:
        return 0
    units = list(Unit.objects.exclude(review_months__month=month).values_list("pk", flat=True))
    for unit_id in units:
        enqueue_after_commit(draw_unit_month, unit_id, month.isoformat())
    return len(units)


@shared_task
def draw_unit_month(unit_id: int, month: str) -> int | None:
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        return None
    review = draw_month(unit, date.fromisoformat(month))
    logger.info("log review %s drawn for unit %s, month %s", review.pk, unit_id, month)
    return review.pk
