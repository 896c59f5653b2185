"""The settings module as production and `make run` see it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

import config.settings as project_settings

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k3$9vQ!x7Lp2#Rz8Wm4^Tn6&Yb1*Hc5(Jd0)Fg-Se+Ua=Oi_Pl~Kq",
    "ALLOWED_HOSTS": "bolots.example.se",
    "DATABASE_URL": "sqlite:////tmp/bolots-check-deploy.sqlite3",
    "SITE_URL": "https://bolots.example.se",
    # Not contacted by `check`: a broker only has to be configured.
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/8",
}
# Variables of this part the test process itself sets (pytest.ini) or an
# operator's shell might: each subprocess starts without them.
OPS_VARIABLES = ("SITE_URL", "CELERY_", "MEDIA_STORAGE", "AWS_", "LOG_FORMAT", "SECRET_KEY_FALLBACKS")


def run_manage(*args, env_overrides):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SECURE_", "SESSION_", "CSRF_", *OPS_VARIABLES))}
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


# --- issue 16 ops: production refuses to start without SITE_URL or a broker


def _without(*names, **extra):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key not in names}
    env.update(extra)
    return env


def test_production_refuses_to_start_without_site_url():
    for command in (("check",), ("check", "--deploy"), ("migrate", "--check")):
        result = run_manage(*command, env_overrides=_without("SITE_URL"))
        assert result.returncode != 0
        assert "SITE_URL must be set when DEBUG is off" in result.stderr


def test_production_refuses_to_start_without_a_broker():
    for command in (("check",), ("check", "--deploy")):
        result = run_manage(*command, env_overrides=_without("CELERY_BROKER_URL"))
        assert result.returncode != 0
        assert "CELERY_BROKER_URL must be set when DEBUG is off" in result.stderr


def test_the_wsgi_application_refuses_too():
    # What gunicorn imports: no check command involved.
    env = {key: value for key, value in os.environ.items() if not key.startswith(OPS_VARIABLES)}
    env.update(_without("SITE_URL"))
    result = subprocess.run([sys.executable, "-c", "import config.wsgi"], cwd=BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "SITE_URL must be set" in result.stderr


def test_in_process_tasks_in_production_must_be_asked_for_and_are_a_deploy_warning():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING",
                        env_overrides=_without("CELERY_BROKER_URL", CELERY_EAGER="1"))
    assert result.returncode != 0
    assert "bolots.W003" in result.stderr + result.stdout
    assert run_manage("check", env_overrides=_without("CELERY_BROKER_URL", CELERY_EAGER="1")).returncode == 0


def test_a_plain_http_or_foreign_site_url_fails_the_deploy_check():
    result = run_manage("check", "--deploy", env_overrides=_without(SITE_URL="http://bolots.example.se"))
    assert result.returncode != 0 and "bolots.E001" in result.stderr + result.stdout
    result = run_manage("check", "--deploy", "--fail-level", "WARNING",
                        env_overrides=_without(SITE_URL="https://other.example.se"))
    assert result.returncode != 0 and "bolots.W002" in result.stderr + result.stdout


def test_make_run_needs_neither_site_url_nor_broker():
    result = run_manage("check", env_overrides={"DEBUG": "1", "DATABASE_URL": PRODUCTION_ENV["DATABASE_URL"]})
    assert result.returncode == 0, result.stderr


def test_environment_reaches_key_fallbacks_storage_and_log_format():
    code = ("from django.conf import settings as s; print(s.SECRET_KEY_FALLBACKS, "
            "s.STORAGES['default']['BACKEND'], s.STORAGES['default']['OPTIONS']['bucket_name'], s.LOG_FORMAT)")
    result = run_manage("shell", "-c", code, env_overrides=_without(
        SECRET_KEY_FALLBACKS="old-key-1,old-key-2", MEDIA_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="bolots-media"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "['old-key-1', 'old-key-2'] storages.backends.s3.S3Storage bolots-media json"
    result = run_manage("check", "--deploy", env_overrides=_without(MEDIA_STORAGE="s3"))
    assert result.returncode != 0 and "bolots.E004" in result.stderr + result.stdout


@pytest.mark.django_db
def test_rotating_the_secret_key_keeps_sessions_when_the_old_key_is_a_fallback(case_officer, settings):
    old_key, new_key = "old-key-" + "x" * 50, "new-key-" + "y" * 50
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = old_key, []
    kept, dropped = Client(), Client()
    for browser in (kept, dropped):
        browser.force_login(case_officer)
        assert browser.get(reverse("accounts:notifications")).status_code == 200

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = new_key, [old_key]
    assert kept.get(reverse("accounts:notifications")).status_code == 200
    # Re-signed with the new key on that request: it outlives the fallback.
    settings.SECRET_KEY_FALLBACKS = []
    assert kept.get(reverse("accounts:notifications")).status_code == 200

    # A session of the old key without the fallback is worthless: the check is real.
    response = dropped.get(reverse("accounts:notifications"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
