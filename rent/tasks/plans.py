"""Every morning: judge the instalments that fell due (services.plans)."""

from celery import shared_task
from django.utils import timezone


@shared_task
def judge_instalments() -> int:
    """Judge each instalment whose notice's grace has ended: kept, or missed
    with a signal (once). Ids only: the task takes no arguments."""
    from rent.services.plans import judge_instalments as judge

    return judge(timezone.localdate())
