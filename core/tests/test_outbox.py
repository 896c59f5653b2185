"""The outbox (core.outbox, core.tasks.enqueue_after_commit): work is kept
in the change's transaction, sent after the commit when Redis answers, left
pending quickly when it refuses or hangs, and relayed exactly once when it
returns.

Tests against a real Redis use TEST_REDIS_URL (conftest.redis_url; skipped
without one unless BOLOTS_REQUIRE_REDIS=1) and each its own queue.
"""

import threading
import time
from datetime import timedelta

import pytest
import redis
from celery import shared_task
from django.db import connection, transaction
from django.utils import timezone
from kombu.utils.json import loads

from config.celery import app as celery_app
from config.celery import relay_outbox_on_start
from core import outbox
from core.models import OutboxMessage
from core.outbox_tasks import relay_outbox
from core.tasks import enqueue_after_commit

from .redis_faults import (  # noqa: F401
    hung_redis_fixture,
    hung_redis_url_fixture,
    point_broker_at,
    refusing_redis_url_fixture,
)

HANG_GUARD_SECONDS = 5

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two relays in two threads need row locks (FOR UPDATE SKIP LOCKED) and concurrent writers: PostgreSQL",
)


@shared_task(name="core.tests.outbox_probe")
def outbox_probe(value, *, label=""):
    return value


def queued_messages(redis_url, queue):
    """The task messages waiting in a Redis queue, as (task name, args)."""
    client = redis.Redis.from_url(redis_url)
    try:
        bodies = client.lrange(queue, 0, -1)
    finally:
        client.delete(queue)
        client.close()
    found = []
    for raw in reversed(bodies):  # kombu LPUSHes: the oldest is last
        message = loads(raw)
        args, kwargs, _embed = loads(__import__("base64").b64decode(message["body"]))
        found.append((message["headers"]["task"], args, kwargs))
    return found


def queue_length(redis_url, queue):
    client = redis.Redis.from_url(redis_url)
    try:
        return client.llen(queue)
    finally:
        client.close()


# --- Eager mode: nothing to keep ------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_a_broker_the_task_runs_after_commit_and_nothing_is_kept():
    with transaction.atomic():
        enqueue_after_commit(outbox_probe, 1)

    assert not OutboxMessage.objects.exists()


# --- Kept in the same transaction ------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_row_is_written_in_the_changes_transaction_and_rolled_back_with_it(settings, refusing_redis_url):
    with point_broker_at(settings, refusing_redis_url):
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue_after_commit(outbox_probe, 1)
            assert OutboxMessage.objects.count() == 1, "written inside the transaction"
            raise RuntimeError("the change fails")
        assert not OutboxMessage.objects.exists()

        with transaction.atomic():
            enqueue_after_commit(outbox_probe, 2, label="x")

    message = OutboxMessage.objects.get()
    assert (message.task_name, message.args, message.kwargs) == ("core.tests.outbox_probe", [2], {"label": "x"})


@pytest.mark.django_db
def test_arguments_that_are_not_json_are_refused(settings, refusing_redis_url):
    with point_broker_at(settings, refusing_redis_url), pytest.raises(TypeError):
        enqueue_after_commit(outbox_probe, object())


# --- Redis refusing or hanging ----------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("fault", ["refusing_redis_url", "hung_redis_url"])
def test_a_broker_that_is_down_leaves_the_row_pending_within_seconds(request, settings, fault):
    url = request.getfixturevalue(fault)
    with point_broker_at(settings, url):
        started = time.monotonic()
        with transaction.atomic():
            enqueue_after_commit(outbox_probe, 1)
        with transaction.atomic():
            # Within OUTBOX_BROKER_BACKOFF_SECONDS the process does not try again.
            enqueue_after_commit(outbox_probe, 2)
        elapsed = time.monotonic() - started

    assert elapsed < HANG_GUARD_SECONDS
    first, second = OutboxMessage.objects.order_by("pk")
    assert first.sent_at is None and first.attempts == 1
    assert first.last_error in ("OperationalError", "TimeoutError", "ConnectionError")
    assert second.sent_at is None and second.attempts == 0
    assert "127.0.0.1" not in first.last_error


@pytest.mark.django_db
@pytest.mark.parametrize("fault", ["refusing_redis_url", "hung_redis_url"])
def test_the_relay_stops_at_the_first_failure_and_keeps_everything(request, settings, fault):
    url = request.getfixturevalue(fault)
    OutboxMessage.objects.bulk_create(OutboxMessage(task_name="core.tests.outbox_probe", args=[n]) for n in range(5))
    with point_broker_at(settings, url):
        started = time.monotonic()
        result = outbox.relay_pending()

    assert time.monotonic() - started < HANG_GUARD_SECONDS
    assert result == outbox.RelayResult(sent=0, pending=5)
    assert sorted(OutboxMessage.objects.values_list("attempts", flat=True)) == [0, 0, 0, 0, 1]


# --- Redis answering, and Redis back ------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_redis_up_the_row_is_sent_after_commit(settings, redis_url):
    with point_broker_at(settings, redis_url) as queue:
        with transaction.atomic():
            enqueue_after_commit(outbox_probe, 7, label="a")
            assert queue_length(redis_url, queue) == 0, "nothing leaves before the commit"

        message = OutboxMessage.objects.get()
        assert message.sent_at is not None and message.attempts == 0
        assert queued_messages(redis_url, queue) == [("core.tests.outbox_probe", [7], {"label": "a"})]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_when_redis_returns_the_relay_sends_the_kept_rows_once(settings, redis_url, refusing_redis_url):
    with point_broker_at(settings, refusing_redis_url):
        for n in range(3):
            with transaction.atomic():
                enqueue_after_commit(outbox_probe, n)
    assert OutboxMessage.objects.pending().count() == 3

    with point_broker_at(settings, redis_url) as queue:
        first = outbox.relay_pending()
        again = outbox.relay_pending()
        messages = queued_messages(redis_url, queue)

    assert first == outbox.RelayResult(sent=3, pending=0)
    assert again == outbox.RelayResult(sent=0, pending=0)
    # Oldest first, each once.
    assert messages == [("core.tests.outbox_probe", [n], {}) for n in range(3)]
    assert not OutboxMessage.objects.pending().exists()


@pytest.mark.redis
@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_relays_at_once_send_each_row_exactly_once(settings, redis_url):
    OutboxMessage.objects.bulk_create(OutboxMessage(task_name="core.tests.outbox_probe", args=[n]) for n in range(60))
    results, errors = [], []
    start = threading.Barrier(2)

    def relay():
        try:
            start.wait()
            results.append(outbox.relay_pending(batch_size=7))
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    with point_broker_at(settings, redis_url) as queue:
        threads = [threading.Thread(target=relay) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        messages = queued_messages(redis_url, queue)

    assert errors == []
    assert sum(result.sent for result in results) == 60
    assert sorted(args[0] for _name, args, _kwargs in messages) == list(range(60))
    assert not OutboxMessage.objects.pending().exists()


@pytest.mark.redis
@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_row_another_process_holds_is_left_to_it(settings, redis_url):
    held = OutboxMessage.objects.create(task_name="core.tests.outbox_probe", args=[1])
    free = OutboxMessage.objects.create(task_name="core.tests.outbox_probe", args=[2])
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                OutboxMessage.objects.select_for_update().get(pk=held.pk)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    locked.wait(30)
    try:
        with point_broker_at(settings, redis_url) as queue:
            result = outbox.relay_pending()
            messages = queued_messages(redis_url, queue)
    finally:
        release.set()
        holder.join(30)

    assert result == outbox.RelayResult(sent=1, pending=1)
    assert messages == [("core.tests.outbox_probe", [2], {})]
    held.refresh_from_db()
    free.refresh_from_db()
    assert held.sent_at is None and free.sent_at is not None


# --- The relay task, its schedule and the worker's start ---------------------------------


def test_celery_finds_the_relay_and_beat_runs_it_every_minute(settings):
    celery_app.loader.import_default_modules()

    assert "core.outbox_tasks.relay_outbox" in celery_app.tasks
    entry = settings.CELERY_BEAT_SCHEDULE["relay-outbox"]
    assert entry["task"] == "core.outbox_tasks.relay_outbox"
    assert entry["schedule"] == 60.0


@pytest.mark.django_db
def test_the_relay_task_purges_old_sent_rows_and_notes_its_run(settings):
    settings.OUTBOX_KEEP_SENT_DAYS = 7
    now = timezone.now()
    old = OutboxMessage.objects.create(task_name="x", sent_at=now - timedelta(days=8))
    recent = OutboxMessage.objects.create(task_name="x", sent_at=now - timedelta(days=6))
    pending = OutboxMessage.objects.create(task_name="x", created_at=now - timedelta(days=30))

    relay_outbox.apply()

    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk}
    assert not OutboxMessage.objects.filter(pk=old.pk).exists()
    assert (timezone.now() - outbox.last_heartbeat()).total_seconds() < 5


@pytest.mark.redis
def test_a_starting_worker_asks_for_a_relay_at_once(settings, redis_url):
    with point_broker_at(settings, redis_url) as queue:
        relay_outbox_on_start()
        messages = queued_messages(redis_url, queue)

    assert messages == [("core.outbox_tasks.relay_outbox", [], {})]


@pytest.mark.django_db
def test_the_heartbeat_survives_an_emptied_cache(settings):
    """Redis restarted empty (or not answering): the relay's last run comes
    from the run core.scheduled recorded in the database, not "never"."""
    from core.models import ScheduledJobRun

    assert outbox.RELAY_TASK == relay_outbox.name
    relay_outbox.apply()
    recorded = ScheduledJobRun.objects.get(task=outbox.RELAY_TASK).last_succeeded_at
    outbox.cache.delete(outbox.RELAY_HEARTBEAT_KEY)

    assert outbox.last_heartbeat() == recorded
    assert (timezone.now() - recorded).total_seconds() < 5


@pytest.mark.django_db
def test_no_heartbeat_anywhere_is_none():
    outbox.cache.delete(outbox.RELAY_HEARTBEAT_KEY)
    assert outbox.last_heartbeat() is None
