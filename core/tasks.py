"""The one way the project enqueues background work: after the commit.

A task sent inside a transaction can start before the rows it needs are
visible, or run for a transaction that is later rolled back (pretix sends
its tasks the same way). No Celery task lives here: Celery's autodiscovery
imports this module like any app's tasks.py and finds none.

Tasks get ids and plain values, never model instances or personal data: the
broker is outside the database's access control and its messages are not
access-logged.
"""

from typing import Any

from celery import Task
from django.db import transaction


def enqueue_after_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    """Send `task` once the current transaction commits (at once outside one).

    Arguments must be JSON values (ids, dates as strings).
    """
    transaction.on_commit(lambda: task.apply_async(args=args, kwargs=kwargs))
