"""The one way the project enqueues background work: after the commit,
through the outbox.

A task sent inside a transaction can start before the rows it needs are
visible, or run for a transaction that is later rolled back (pretix sends
its tasks the same way). A task sent after the commit is lost when the
broker is down at that moment, and a hung broker would block the request:
so with a broker configured the task is first written to the outbox in the
same transaction as the change (core.outbox), then published after the
commit with a short timeout, and otherwise by the relay when Redis returns.
Without a broker (eager mode: make run, the tests) the task runs in-process
after the commit, as before: there is nothing to keep.

No Celery task lives here: Celery's autodiscovery imports this module like
any app's tasks.py and finds none (the relay is core.outbox_tasks).

Tasks get ids and plain values, never model instances or personal data: the
broker is outside the database's access control and its messages are not
access-logged.
"""

import logging
from typing import Any

from celery import Task
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_after_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    """Send `task` once the current transaction commits (at once outside one).

    Arguments must be JSON values (ids, dates as strings).
    """
    from . import outbox

    if task.app.conf.task_always_eager:
        transaction.on_commit(lambda: _run_eagerly(task, args, kwargs))
        return
    message = outbox.keep(task.name, args, kwargs)
    transaction.on_commit(lambda: outbox.send_after_commit(message.pk))


def _run_eagerly(task: Task, args: tuple, kwargs: dict) -> None:
    """Run `task` in this process after the commit (eager mode).

    The user's change is committed by now: a task that fails must not turn
    the saved action into an error page (make run, a single-process
    deployment), any more than a failing worker would. Its failure is
    logged at ERROR with the task's name and the exception's class only (a
    message could quote personal data), and core.scheduled records it for
    a scheduled job. The test settings (pytest.ini) set
    CELERY_EAGER_ERRORS_PROPAGATE so that a task's error fails the test
    that caused it.
    """
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except Exception as error:
        if settings.CELERY_EAGER_ERRORS_PROPAGATE:
            raise
        logger.error("Task %s failed in eager mode after the commit: %s", task.name, type(error).__name__)
