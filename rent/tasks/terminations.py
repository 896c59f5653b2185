"""Every morning: terminations whose three weeks ran out (services.terminations)."""

from celery import shared_task

from rent.services.terminations import check_recoveries as check


@shared_task
def check_recoveries() -> int:
    """RUNNING → LAPSED when the last day to pay has passed without full
    payment (RECOVERED for a payment in time); returns how many changed."""
    return check()
