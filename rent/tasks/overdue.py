"""Every morning: a signal for each notice unpaid after its due date and grace (services.overdue)."""

from celery import shared_task


@shared_task
def raise_overdue_signals() -> int:
    raise NotImplementedError("built in issue 14")
