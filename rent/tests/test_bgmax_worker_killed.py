"""A BgMax import in a real Celery worker (a subprocess) that is killed with
SIGKILL in the middle, or stopped with TERM (issue 16 §2): the payments are
imported exactly once when a worker runs again; a stopped worker finishes
the import first.

The worker pauses in the import's transaction, payments inserted but not
committed (core.task_hooks.pause_point "bgmax_import"). PostgreSQL pass
only, with Redis (conftest.redis_url): the worker is another process on the
test database, which SQLite's in-memory test database cannot share.
"""

import time
from datetime import date

import pytest

from core.tests.worker_process import VISIBILITY_TIMEOUT, WORKER_TEST_MARKS, WorkerProcess, new_queue, send, wait_for
from rent.models import BgMaxFile, BgMaxImportJob, Payment
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

from .bgmax_factories import bgmax_bytes, notice, payment, rent_settings

pytestmark = WORKER_TEST_MARKS

TASK = "rent.tasks.bgmax.import_bgmax_job"
PAYMENTS = 40
WAIT = 180


@pytest.fixture
def job(unit, housing_admin):
    rent_settings(unit)
    tenancy = TenancyFactory(apartment=ApartmentFactory(unit=unit))
    rows = [payment(notice(tenancy, date(2026, month, 1)).ocr, 450000) for month in range(1, 13)]
    rows += [payment("99999", 1000 + index) for index in range(PAYMENTS - len(rows))]
    return BgMaxImportJob.objects.create(unit=unit, filename="stor.bgmax", sha256="a" * 64,
                                         data=bgmax_bytes(*rows), requested_by=housing_admin)


@pytest.fixture
def workers(tmp_path):
    started = []

    def start(broker_url, queue, **options):
        worker = WorkerProcess(broker_url, queue, tmp_path, **options)
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.stop()


def finished(job):
    job.refresh_from_db()
    return job.is_finished


def test_a_worker_killed_mid_import_leaves_nothing_and_the_next_imports_once(job, redis_url, workers):
    queue = new_queue()
    first = workers(redis_url, queue, pause="bgmax_import")
    send(TASK, [job.pk], redis_url, queue)
    first.wait_paused()
    # In the middle: the job is running (committed), its payments are not.
    job.refresh_from_db()
    assert (job.status, job.attempts) == (BgMaxImportJob.Status.RUNNING, 1)
    assert not Payment.objects.exists()

    first.kill()
    assert not Payment.objects.exists() and not BgMaxFile.objects.exists(), "the killed transaction rolled back"

    # The message was never acknowledged: a new worker takes it back once
    # the visibility timeout has passed.
    time.sleep(VISIBILITY_TIMEOUT + 1)
    second = workers(redis_url, queue)
    wait_for(lambda: finished(job), WAIT, f"job done by the second worker\n{second.log()}")
    assert (job.status, job.attempts) == (BgMaxImportJob.Status.DONE, 2)
    assert BgMaxFile.objects.count() == 1
    assert Payment.objects.count() == PAYMENTS == job.file.payments
    assert Payment.objects.filter(tenancy__isnull=False).count() == 12
    assert bytes(job.data) == b""


def test_a_worker_stopped_with_term_finishes_the_import_first(job, redis_url, workers):
    queue = new_queue()
    worker = workers(redis_url, queue, pause="bgmax_import", pool="prefork")
    send(TASK, [job.pk], redis_url, queue)
    worker.wait_paused()
    worker.terminate()
    wait_for(lambda: "warm shutdown" in worker.log().lower(), 30, f"warm shutdown begun\n{worker.log()}")
    assert worker.process.poll() is None, "the worker waits for its running task"
    worker.release()
    assert worker.wait_exit(WAIT) == 0, worker.log()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (BgMaxImportJob.Status.DONE, 1)
    assert Payment.objects.count() == PAYMENTS
