"""The Celery app and the one way the project enqueues work.

Tasks get ids and plain values, never model instances or personal data: the
broker is outside the database's access control and its messages are not
access-logged.
"""

import os

from celery import Celery
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("bolots")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def enqueue_after_commit(task, *args, **kwargs):
    """Send `task` once the current transaction commits (at once outside one).

    A task sent inside a transaction can start before the rows it needs are
    visible, or run for a transaction that is later rolled back. Arguments
    must be JSON values (ids, dates as strings).
    """
    transaction.on_commit(lambda: task.apply_async(args=args, kwargs=kwargs))
