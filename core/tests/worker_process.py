"""A real `celery -A config worker` in a subprocess, for the tests of a
worker killed (SIGKILL) or stopped (TERM) in the middle of a task (issue 16
§2). Used from transactional PostgreSQL tests: the worker connects to the
test database (DATABASE_URL built from the test connection) and to Redis on
a queue of the test's own, so a worker of another test run on the same
Redis takes none of its tasks.

The task to interrupt calls core.task_hooks.pause_point; the worker gets
BOLOTS_TASK_PAUSE=<name> and waits there until the test releases it or
kills the worker. CELERY_VISIBILITY_TIMEOUT is a few seconds, so that a new
worker takes back the message a killed one never acknowledged (production:
3600 s, docs/deploy.md).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
import warnings
from pathlib import Path

import pytest
from celery.exceptions import AlwaysEagerIgnored
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app

VISIBILITY_TIMEOUT = 2
START_SECONDS = 120


def database_url() -> str:
    db = connection.settings_dict
    host = db.get("HOST") or ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{host}{port}/{db['NAME']}"


def wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {seconds} s")


class WorkerProcess:
    def __init__(self, broker_url: str, queue: str, folder: Path, *, pause: str = "", pool: str = "solo"):
        self.broker_url, self.queue, self.folder, self.pause, self.pool = broker_url, queue, folder, pause, pool
        self.name = f"test-{uuid.uuid4().hex[:8]}"
        self.log_path = folder / f"{self.name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "CACHE_URL"))}
        env.update(
            DEBUG="1", DATABASE_URL=database_url(), CELERY_BROKER_URL=self.broker_url,
            CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT), MEDIA_ROOT=str(settings.MEDIA_ROOT),
            BOLOTS_TASK_PAUSE=self.pause, BOLOTS_TASK_PAUSE_DIR=str(self.folder),
        )
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", self.pool,
                   "--concurrency", "1", "-Q", self.queue, "-n", f"{self.name}@%h", "--loglevel", "INFO",
                   "--without-gossip", "--without-mingle", "--without-heartbeat"]
        with open(self.log_path, "wb") as log:
            # Its own session: SIGKILL of the group takes the pool's children too.
            self.process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(lambda: " ready." in self.log() or self.process.poll() is not None, START_SECONDS,
                 f"worker {self.name} ready")
        assert self.process.poll() is None, self.log()
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_paused(self, seconds: float = START_SECONDS) -> None:
        wait_for(lambda: (self.folder / f"{self.pause}.reached").exists(), seconds,
                 f"worker {self.name} at pause point {self.pause}\n{self.log()}")

    def release(self) -> None:
        (self.folder / f"{self.pause}.release").touch()

    def kill(self) -> None:
        """SIGKILL to the whole worker (main process and pool): nothing runs
        after it, nothing is acknowledged."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def terminate(self) -> None:
        """TERM to the main process, as systemd stops the service: a warm
        shutdown (the running task finishes, then the worker exits)."""
        self.process.send_signal(signal.SIGTERM)

    def wait_exit(self, seconds: float) -> int:
        return self.process.wait(seconds)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.release()
            self.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.kill()


def send(task_name: str, args: list, broker_url: str, queue: str) -> None:
    """Put one message on the broker (the test process itself runs tasks
    eagerly: no broker in its settings)."""
    with celery_app.connection_for_write(broker_url) as conn, warnings.catch_warnings():
        # It is sent on purpose although the test process's app is eager.
        warnings.simplefilter("ignore", AlwaysEagerIgnored)
        celery_app.send_task(task_name, args=args, queue=queue, connection=conn)


def new_queue() -> str:
    return f"test-worker-{uuid.uuid4().hex}"


# The marks of a test that runs a worker subprocess against the test database.
WORKER_TEST_MARKS = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the worker subprocess shares the test database, which needs PostgreSQL (SQLite's "
                              "test database lives in this process's memory)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
