"""Counting a closed year again after a correction (reports.year_figures).

`recount_year(unit_id, year)` gets ids and the year only. It is idempotent:
a row that is fresh again (an earlier recount of the same correction, or a
message delivered twice under acks_late) is left alone, and a count that a
further correction overtook is not kept (reports.year_figures.count_year),
so the last recount enqueued is the one that stays.

The module is imported by reports.invalidation, which ReportsConfig.ready()
loads, so the worker knows the task without listing it in tasks.py.
"""

import logging

from celery import shared_task

from .models import YearFigures

logger = logging.getLogger(__name__)


@shared_task(name="reports.recount_year")
def recount_year(unit_id: int, year: int) -> bool:
    """Count `year` of unit `unit_id` again if its kept figures are stale;
    True when a count was kept."""
    from .year_figures import count_year

    if not YearFigures.objects.filter(unit_id=unit_id, year=year, stale_since__isnull=False).exists():
        return False
    _data, kept = count_year(unit_id, year)
    logger.info("recounted closed year %s of unit %s (kept: %s)", year, unit_id, kept)
    return kept
