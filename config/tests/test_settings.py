"""The settings module as production and `make run` see it."""

import os
import subprocess
import sys
from pathlib import Path

import config.settings as project_settings

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k3$9vQ!x7Lp2#Rz8Wm4^Tn6&Yb1*Hc5(Jd0)Fg-Se+Ua=Oi_Pl~Kq",
    "ALLOWED_HOSTS": "bolots.example.se",
    "DATABASE_URL": "sqlite:////tmp/bolots-check-deploy.sqlite3",
}


def run_manage(*args, env_overrides):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SECURE_", "SESSION_", "CSRF_"))}
    env.pop("SECRET_KEY", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_is_clean_with_production_environment():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = dict(PRODUCTION_ENV)
    del env["SECRET_KEY"]

    result = run_manage("check", env_overrides=env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_language_time_zone_and_hashers():
    assert project_settings.LANGUAGE_CODE == "sv"
    assert project_settings.TIME_ZONE == "Europe/Stockholm"
    assert project_settings.USE_TZ is True
    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_no_broker_means_eager_celery_with_json_and_late_acks():
    # The test environment sets CELERY_BROKER_URL to empty, like `make run`.
    assert project_settings.CELERY_BROKER_URL == ""
    assert project_settings.CELERY_TASK_ALWAYS_EAGER is True
    assert project_settings.CELERY_TASK_SERIALIZER == "json"
    assert project_settings.CELERY_ACCEPT_CONTENT == ["json"]
    assert project_settings.CELERY_TASK_ACKS_LATE is True


def test_session_ends_after_30_idle_minutes():
    assert project_settings.SESSION_COOKIE_AGE == 30 * 60
    # Sliding expiry without a write per request: the session is renewed by
    # core.middleware.SessionRefreshMiddleware once a minute (issue 16).
    assert project_settings.SESSION_SAVE_EVERY_REQUEST is False
    assert project_settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    assert 0 < project_settings.SESSION_REFRESH_SECONDS <= project_settings.SESSION_COOKIE_AGE // 10
    middleware = project_settings.MIDDLEWARE
    assert (middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
            < middleware.index("core.middleware.SessionRefreshMiddleware"))


def test_every_beat_entry_names_a_task_the_worker_knows():
    """A beat entry whose task name is mistyped (or whose module Celery
    never imports) would be sent and dropped every night in silence."""
    from django.conf import settings as django_settings

    from config.celery import app

    app.loader.import_default_modules()
    unknown = [entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
               if entry["task"] not in app.tasks]
    assert len(django_settings.CELERY_BEAT_SCHEDULE) >= 5
    assert unknown == []
