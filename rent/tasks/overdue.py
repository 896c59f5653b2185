"""Every morning: a signal for each notice unpaid after its due date and grace (services.overdue)."""

from celery import shared_task
from django.utils import timezone

from audit import reads
from audit.context import AuditContext


@shared_task
def raise_overdue_signals() -> int:
    """Returns the number of signals made. No arguments: the task reads the
    ledger itself (no personal data in task arguments)."""
    from rent.services import overdue

    ctx = AuditContext.system(None, "rent.overdue")
    with reads.recording(ctx, "rent overdue signals"):
        return overdue.raise_overdue_signals(timezone.localdate(), ctx)
