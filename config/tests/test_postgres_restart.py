"""PostgreSQL restarts while the app runs (issue 16 §2): the request in
flight gets the Swedish 503 page, its half-done write leaves nothing, and
the very next requests are served again by the same app processes, without
restarting them (CONN_HEALTH_CHECKS drops the dead persistent connections).

Real parts only: a PostgreSQL cluster of the test's own (config/tests/
pg_cluster.py), gunicorn as a subprocess, `pg_ctl restart -m fast` and
`pg_ctl stop`. The schema is the migrated test database's, copied with
pg_dump (faster than migrating again).
"""

import concurrent.futures
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from audit.testing import owner_connection

from . import pg_cluster
from .db_outage_urls import INTERRUPTED_MUNICIPALITY

BASE_DIR = Path(__file__).resolve().parents[2]
PAGE_TEXT = "Databasen svarar inte just nu"

pytestmark = [
    # Marked so that pytest-django sets the test database up (its schema is
    # copied); the test itself writes only to its own cluster.
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="restarts a PostgreSQL server: PostgreSQL pass only"),
]


def _get(url, method="GET", timeout=90, cookie=None):
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None,
                                     headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _assert_outage_page(status, body):
    assert status == 503, body[:500]
    assert PAGE_TEXT in body
    assert "Traceback" not in body and "Error" not in body


@pytest.fixture
def cluster(django_db_setup, django_db_blocker):
    reason = pg_cluster.available()
    if reason:
        pytest.skip(reason)
    cluster = pg_cluster.Cluster().init()
    cluster.pg_ctl("start")
    try:
        cluster.psql("CREATE DATABASE bolots")
        # The migrated schema and data migrations of the test database, as its owner.
        with django_db_blocker.unblock():
            owner = owner_connection().settings_dict
        env = {**os.environ, "PGUSER": owner["USER"], "PGPASSWORD": owner["PASSWORD"] or "",
               "PGHOST": owner["HOST"] or "", "PGPORT": str(owner["PORT"] or "")}
        dump = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-acl", "-d", owner["NAME"]],
                              env=env, check=True, capture_output=True, timeout=60).stdout
        subprocess.run(["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "-d", cluster.url("bolots")],
                       input=dump, check=True, capture_output=True, timeout=60)
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def app(cluster, tmp_path):
    port = pg_cluster.free_port()
    log = (tmp_path / "gunicorn.log").open("w+")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.tests.db_outage_settings",
        "DATABASE_URL": cluster.url("bolots"),
        "CONN_MAX_AGE": "60",
    }
    # Threads, so that one request can hang in the database while others
    # are served; the timeout is above the test view's pg_sleep.
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--worker-class", "gthread", "--threads", "4", "--timeout", "120"],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # a loaded CI machine imports slowly
        while True:
            try:
                if _get(f"{base}/test-db/las/", timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"gunicorn did not start:\n{log.read()[:3000]}")
            time.sleep(0.2)
        yield base, server, log
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _many(url, count=16):
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda _: _get(url, timeout=30), range(count)))


def test_postgres_restart_fails_the_request_in_flight_in_swedish_and_the_app_recovers(cluster, app):
    base, server, log = app
    # Every app thread gets a persistent connection (CONN_MAX_AGE): after
    # the restart each of them is dead, and must be noticed, not used.
    assert {status for status, _ in _many(f"{base}/test-db/las/")} == {200}

    in_flight = {}
    writer = threading.Thread(target=lambda: in_flight.update(zip(("status", "body"), _get(f"{base}/test-db/skriv/", "POST"), strict=True)))
    writer.start()
    # The two rows are written and the transaction waits inside PostgreSQL.
    cluster.wait_for("SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'", "1")
    cluster.pg_ctl("restart", "-m", "fast")
    writer.join(timeout=60)

    _assert_outage_page(in_flight["status"], in_flight["body"])
    assert cluster.psql(f"SELECT count(*) FROM accounts_unit WHERE municipality = '{INTERRUPTED_MUNICIPALITY}'",
                        "bolots") == "0", "nothing of the interrupted write was kept"
    # The same processes serve again at once: no 503 after the restart.
    after = _many(f"{base}/test-db/las/", count=24)
    assert [status for status, _ in after] == [200] * 24, after
    assert _get(f"{base}/konto/logga-in/")[0] == 200

    # While the server is down, new requests get the page too; then recover.
    cluster.pg_ctl("stop", "-m", "fast")
    _assert_outage_page(*_get(f"{base}/test-db/las/", timeout=30))
    # A signed-in browser: its session is loaded in a middleware, before
    # any view (handler500's way to the page).
    _assert_outage_page(*_get(f"{base}/", timeout=30, cookie="sessionid=" + "a1" * 16))
    cluster.pg_ctl("start")
    assert _get(f"{base}/test-db/las/")[0] == 200
    assert _get(f"{base}/konto/logga-in/")[0] == 200

    assert server.poll() is None, "the app was never restarted"
    log.seek(0)
    output = log.read()
    assert "Database unavailable (OperationalError) during POST /test-db/skriv/" in output
    assert "Traceback" not in output, output[-3000:]
