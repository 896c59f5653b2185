"""The outbox relay as a Celery task (core.tasks is no tasks module: see its
docstring). config.celery discovers this module by name and also runs the
relay once when a worker starts, so that work kept while Redis was down
leaves as soon as a worker is back, without waiting for beat.
"""

from celery import shared_task

from . import outbox


@shared_task(name="core.outbox_tasks.relay_outbox", ignore_result=True)
def relay_outbox() -> int:
    """Every minute (CELERY_BEAT_SCHEDULE): publish the pending outbox rows,
    purge old sent ones, and note the run (the workers' heartbeat)."""
    result = outbox.relay_pending()
    outbox.purge_sent()
    outbox.record_heartbeat()
    return result.sent
