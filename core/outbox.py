"""Keeping background work in the database and handing it to the broker.

The outbox (core.models.outbox) decouples "the work is asked for" from "the
broker has it". Three steps:

- keep(): inside the transaction of the change, one row per task (by
  core.tasks.enqueue_after_commit);
- send_after_commit(): once the transaction commits, publish the row with a
  short broker timeout (OUTBOX_PUBLISH_TIMEOUT_SECONDS). A refused or hung
  Redis costs the request at most that timeout, once: the process then
  leaves rows pending without trying for OUTBOX_BROKER_BACKOFF_SECONDS, so
  the next requests (and the other rows of this one) do not wait at all;
- relay_pending(): publish every pending row, oldest first (the beat job
  core.outbox_tasks.relay_outbox every minute, and each worker at startup),
  so whatever was kept while Redis was down is sent when it returns.

Each row is published at most once by this code: the sender locks it (FOR
UPDATE SKIP LOCKED on PostgreSQL), publishes, and marks it sent in the same
transaction, so a request and the relay (or two relays) never publish the
same row twice. The one gap is a database failure between the broker
accepting the message and the commit of sent_at: the row is then published
again later, so the tasks are written to be idempotent (docs/architecture.md
"The outbox").
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

# Written by each relay run (the worker's heartbeat on the status page).
RELAY_HEARTBEAT_KEY = "core:outbox:relay-heartbeat"
# The relay's task, as core.scheduled records its runs (ScheduledJobRun.task).
RELAY_TASK = "core.outbox_tasks.relay_outbox"

# time.monotonic() until which this process does not try the broker after
# a publish failed (see send_after_commit). Per process on purpose: each
# gunicorn worker finds out for itself, at the cost of one timeout.
_broker_unreachable_until = 0.0


class BrokerUnavailable(Exception):
    """The broker refused, timed out or failed while publishing."""


def is_eager() -> bool:
    """No broker configured (make run, the tests): tasks run in-process and
    there is nothing to keep."""
    return bool(current_app.conf.task_always_eager)


def keep(task_name: str, args: tuple | list, kwargs: dict[str, Any]) -> OutboxMessage:
    """Write the outbox row in the current transaction. Arguments must be
    JSON values (ids, dates as strings): the JSON field refuses others."""
    return OutboxMessage.objects.create(task_name=task_name, args=list(args), kwargs=dict(kwargs))


def send_after_commit(message_id: int) -> None:
    """The on_commit step: publish one row now if the broker seems up.
    Never raises: the user's change is saved, and the row stays pending for
    the relay whatever happens here."""
    global _broker_unreachable_until
    if time.monotonic() < _broker_unreachable_until:
        return
    try:
        with _connection() as connection:
            _send(message_id, connection)
    except BrokerUnavailable:
        _broker_unreachable_until = time.monotonic() + settings.OUTBOX_BROKER_BACKOFF_SECONDS
        logger.warning("Broker unavailable: outbox message %s left for the relay.", message_id)
    except Exception:
        # E.g. the database went away after the commit: the row is pending
        # (or sent) in the database either way.
        logger.exception("Outbox message %s could not be sent now; left for the relay.", message_id)


@dataclass(frozen=True)
class RelayResult:
    sent: int
    pending: int


def relay_pending(batch_size: int | None = None) -> RelayResult:
    """Publish the pending rows, oldest first, until none is left or the
    broker fails (then the next run goes on). Returns what was sent and what
    is still pending."""
    global _broker_unreachable_until
    batch_size = batch_size or settings.OUTBOX_RELAY_BATCH_SIZE
    sent = 0
    failed = False
    if not is_eager():
        with _connection() as connection:
            while True:
                ids = list(OutboxMessage.objects.pending().order_by("created_at", "pk")
                           .values_list("pk", flat=True)[:batch_size])
                batch_sent = 0
                try:
                    for message_id in ids:
                        batch_sent += _send(message_id, connection)
                except BrokerUnavailable:
                    logger.warning("Broker unavailable: the outbox relay stops and tries again on its next run.")
                    failed = True
                    break
                finally:
                    sent += batch_sent
                if len(ids) < batch_size or not batch_sent:
                    # Done, or every row of a full batch is held by another
                    # sender (which then sends it): no busy loop over them.
                    break
        if not failed:
            # The broker answered: requests of this process may try it again.
            _broker_unreachable_until = 0.0
    pending = OutboxMessage.objects.pending().count()
    if sent or pending:
        logger.info("Outbox relay: %s sent, %s pending.", sent, pending)
    return RelayResult(sent=sent, pending=pending)


def _connection():
    """A broker connection of its own with short timeouts: the worker's
    settings (CELERY_BROKER_TRANSPORT_OPTIONS) may wait longer, a request
    must not. Connecting is lazy: the first publish connects."""
    timeout = settings.OUTBOX_PUBLISH_TIMEOUT_SECONDS
    return current_app.connection_for_write(
        connect_timeout=timeout,
        transport_options={"socket_timeout": timeout, "socket_connect_timeout": timeout},
    )


def _send(message_id: int, connection) -> int:
    """Publish one row if it is still pending and nobody else holds it;
    1 when this call published it, 0 when there was nothing to do. Raises
    BrokerUnavailable after recording the failure on the row."""
    failure = None
    with transaction.atomic():
        # skip_locked: a row another process is publishing right now is its
        # business; it is sent or back to pending when that one commits.
        message = (OutboxMessage.objects.select_for_update(skip_locked=True)
                   .filter(pk=message_id, sent_at__isnull=True).first())
        if message is None:
            return 0
        message.last_attempt_at = timezone.now()
        try:
            current_app.send_task(
                message.task_name, args=message.args, kwargs=message.kwargs, connection=connection, retry=False,
            )
        except Exception as error:
            failure = error
            message.attempts += 1
            message.last_error = type(error).__name__[:200]
            message.save(update_fields=["attempts", "last_error", "last_attempt_at"])
        else:
            message.sent_at = message.last_attempt_at
            message.save(update_fields=["sent_at", "last_attempt_at"])
    if failure is not None:
        # Raised after the commit, so that the failure is recorded.
        raise BrokerUnavailable from failure
    return 1


def purge_sent(now: datetime | None = None) -> int:
    """Delete rows sent more than OUTBOX_KEEP_SENT_DAYS ago (kept a while
    for the status page and for tracing a lost task)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.OUTBOX_KEEP_SENT_DAYS)
    deleted, _ = OutboxMessage.objects.filter(sent_at__lt=cutoff).delete()
    return deleted


@dataclass(frozen=True)
class Backlog:
    pending: int
    oldest_created_at: datetime | None

    def oldest_age_seconds(self, now: datetime | None = None) -> int | None:
        if self.oldest_created_at is None:
            return None
        return max(0, int(((now or timezone.now()) - self.oldest_created_at).total_seconds()))


def backlog() -> Backlog:
    """How many rows wait for the broker, and since when (one query)."""
    figures = OutboxMessage.objects.pending().aggregate(pending=Count("pk"), oldest=Min("created_at"))
    return Backlog(pending=figures["pending"], oldest_created_at=figures["oldest"])


def record_heartbeat() -> None:
    """The relay runs on a worker every minute: its last run tells the status
    page whether workers and beat are alive. In the cache: losing it with
    Redis only makes the status "unknown"."""
    cache.set(RELAY_HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)


def last_heartbeat() -> datetime | None:
    """The relay's last run: from the cache, or, when the cache has none
    (Redis restarted empty, or not answering), the last success core.scheduled
    recorded for the relay's task in the database (one query), so that the
    status page gives the workers' real age instead of "never"."""
    value = cache.get(RELAY_HEARTBEAT_KEY)
    if value:
        return datetime.fromisoformat(value)
    from .models import ScheduledJobRun

    return (ScheduledJobRun.objects.filter(task=RELAY_TASK, last_succeeded_at__isnull=False)
            .order_by("-last_succeeded_at").values_list("last_succeeded_at", flat=True).first())
