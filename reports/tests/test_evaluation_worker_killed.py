"""The yearly PDF in a real Celery worker (a subprocess) killed with SIGKILL
after the PDF was made and before it was stored (issue 16 §2): the
redelivered message makes it again on the same ReportRun, which ends with
exactly one file; a run already done ignores a further delivery.

The worker pauses at core.task_hooks.pause_point "evaluation_pdf"
(reports.tasks). PostgreSQL pass only, with Redis (conftest.redis_url): the
worker is another process on the test database.
"""

import time

from core.tests.worker_process import VISIBILITY_TIMEOUT, WORKER_TEST_MARKS, WorkerProcess, new_queue, send, wait_for
from reports.models import ReportRun

from .runs_helpers import media_fixture  # noqa: F401

pytestmark = WORKER_TEST_MARKS

TASK = "reports.tasks.generate_evaluation"
WAIT = 240


def finished(run):
    run.refresh_from_db()
    return run.is_finished


def test_a_worker_killed_mid_pdf_leaves_one_run_with_one_file(manager, media, redis_url, tmp_path):
    run = ReportRun.objects.create(unit=manager.unit, year=2025, requested_by=manager)
    queue = new_queue()
    first = WorkerProcess(redis_url, queue, tmp_path, pause="evaluation_pdf").start()
    second = WorkerProcess(redis_url, queue, tmp_path)
    try:
        send(TASK, [run.pk, 2025, manager.pk], redis_url, queue)
        first.wait_paused(WAIT)
        run.refresh_from_db()
        assert (run.status, run.attempts, run.file.name) == (ReportRun.Status.RUNNING, 1, "")
        first.kill()

        time.sleep(VISIBILITY_TIMEOUT + 1)
        second.start()
        wait_for(lambda: finished(run), WAIT, f"run done by the second worker\n{second.log()}")
        assert (run.status, run.attempts, run.error) == (ReportRun.Status.DONE, 2, "")
        assert ReportRun.objects.count() == 1
        stored = [path for path in media.rglob("*") if path.is_file()]
        assert len(stored) == 1, stored
        with run.file.open("rb") as pdf:
            assert pdf.read(5) == b"%PDF-"

        # One more delivery of the same message: the done run is left alone.
        send(TASK, [run.pk, 2025, manager.pk], redis_url, queue)
        wait_for(lambda: "duplicate delivery ignored" in second.log(), WAIT, second.log())
        run.refresh_from_db()
        assert run.attempts == 2 and len([path for path in media.rglob("*") if path.is_file()]) == 1
    finally:
        first.stop()
        second.stop()
