"""The evaluation through a real Redis broker and a Celery worker (in a
thread): the request commits, the task goes through Redis, the worker builds
the PDF and stores it; a transient database error comes back through the
broker as a retry.

Skipped locally without Redis; CI sets BOLOTS_REQUIRE_REDIS=1 so that a
missing Redis fails instead (conftest.redis_url). Runs in the PostgreSQL pass
only: the SQLite test database lives in memory with a shared cache, where a
second thread writing (the worker) meets table locks that no timeout waits
out ("database table is locked") — production runs workers on PostgreSQL.
"""

import threading
import time
import uuid

import pytest
from django.db import OperationalError
from django.urls import reverse

from config.celery import app as celery_app
from reports import tasks
from reports.models import ReportRun

from .runs_helpers import media_fixture  # noqa: F401

WAIT_SECONDS = 120


@pytest.fixture
def broker(redis_url):
    """Point the app at Redis, on a queue of this test's own (so that a
    worker of another test run on the same Redis takes none of its tasks)."""
    keys = ("broker_url", "task_always_eager", "task_default_queue", "result_backend")
    saved = {key: celery_app.conf[key] for key in keys}
    queue = f"test-evaluation-{uuid.uuid4().hex}"
    celery_app.conf.update(broker_url=redis_url, task_always_eager=False, task_default_queue=queue,
                           result_backend=None)
    reset_messaging()
    yield queue
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app.conf.update(saved)
    reset_messaging()


def reset_messaging():
    """Drop what the app built from the configuration of its time: the
    producer pool (the broker) and the AMQP helper, which caches the default
    queue and the router."""
    celery_app._pool = None
    celery_app.__dict__.pop("amqp", None)


def wait_until_finished(run):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            return run
        time.sleep(0.2)
    pytest.fail(f"run {run.pk} still {run.status} after {WAIT_SECONDS} s")


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_celery_worker_builds_the_evaluation_from_the_broker(client, manager, media, broker, monkeypatch):
    from celery.contrib.testing.worker import start_worker
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a worker thread needs a database that takes concurrent writers: the PostgreSQL pass runs this")

    client.force_login(manager)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=[broker], shutdown_timeout=30):
        response = client.post(reverse("reports:run_list"), {"year": 2025})
        assert response.status_code == 302
        run = ReportRun.objects.get()

        wait_until_finished(run)
        assert (run.status, run.attempts, run.error) == (ReportRun.Status.DONE, 1, "")
        with run.file.open("rb") as stored:
            assert stored.read(5) == b"%PDF-"

        # A dropped database connection: retried through the broker (no wait
        # here), then done.
        failures, in_worker_thread = [], []
        real_render = tasks.render_evaluation

        def flaky(year, unit):
            in_worker_thread.append(threading.current_thread() is not threading.main_thread())
            if not failures:
                failures.append(year)
                raise OperationalError("server closed the connection unexpectedly")
            return real_render(year, unit)

        monkeypatch.setattr(tasks, "BACKOFF_SECONDS", 0)
        monkeypatch.setattr(tasks, "render_evaluation", flaky)
        client.post(reverse("reports:run_list"), {"year": 2024})
        retried = wait_until_finished(ReportRun.objects.get(year=2024))
        assert failures == [2024]
        assert in_worker_thread == [True, True], "the worker ran it, not the request"
        assert (retried.status, retried.attempts) == (ReportRun.Status.DONE, 2)
        assert retried.file
