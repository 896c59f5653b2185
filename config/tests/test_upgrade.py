"""The upgrade of docs/deploy.md "Upgrading", run for real (issue 16 §4):
migrate and collectstatic on a production environment, then gunicorn bound
to loopback reloads gracefully on HUP (new workers on the new code, the
master and its socket stay, no request refused)."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from config.tests.test_settings import BASE_DIR, OPS_VARIABLES, PRODUCTION_ENV


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(tmp_path):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SECURE_", "SESSION_", "CSRF_", *OPS_VARIABLES))}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(PRODUCTION_ENV)
    env.update({
        "DATABASE_URL": f"sqlite:///{tmp_path / 'upgrade.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"), "MEDIA_ROOT": str(tmp_path / "media"),
        "ALLOWED_HOSTS": "127.0.0.1",
        # As production: hashed static names (the test settings switch it off).
        "STATIC_MANIFEST": "1",
        # The health probe then needs no broker running.
        "CELERY_EAGER": "1", "CELERY_BROKER_URL": "",
    })
    return env


def _manage(env, *args):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _get(url):
    # Generous: while the new workers boot, a request waits in the listen
    # queue (not refused); on a busy test machine that takes seconds.
    with urllib.request.urlopen(url, timeout=90) as response:
        return response.status


def _worker_pids(master):
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True).stdout
    return set(children.split())


def test_migrate_collectstatic_and_a_graceful_gunicorn_reload(tmp_path):
    env = _environment(tmp_path)
    _manage(env, "migrate", "--noinput")
    _manage(env, "collectstatic", "--noinput")
    assert "No planned migration operations" in _manage(env, "migrate", "--plan")
    assert (tmp_path / "static" / "staticfiles.json").exists(), "the manifest of hashed static names"

    port = _free_port()
    gunicorn = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--graceful-timeout", "10"],
        cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/healthz"
        deadline = time.monotonic() + 60
        while True:
            try:
                assert _get(url) == 200
                break
            except OSError:
                assert gunicorn.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.5)
        before = _worker_pids(gunicorn.pid)
        assert len(before) == 2

        gunicorn.send_signal(signal.SIGHUP)
        statuses = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            statuses.append(_get(url))
            after = _worker_pids(gunicorn.pid)
            if len(after) == 2 and not after & before:
                break
            time.sleep(0.2)

        assert after and not after & before, "every worker was replaced"
        assert gunicorn.poll() is None, "the master stayed"
        assert set(statuses) == {200}, "no request refused during the reload"
        # Loopback only: the address the proxy talks to, nothing else.
        listening = subprocess.run(["ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True).stdout
        assert listening.split()[3] == f"127.0.0.1:{port}", listening
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
