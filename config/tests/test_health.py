"""/healthz for the load balancer, /healthz/status for monitoring and
/drift/status/ for system administrators (config.health, config.operations)."""

import json
import time
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from config.health import broker_status, cache_status
from core import outbox
from core.models import OutboxMessage
from core.tests.redis_faults import (  # noqa: F401
    hung_redis_fixture,
    hung_redis_url_fixture,
    point_broker_at,
    redis_cache_at,
    redis_down,
    refusing_redis_url_fixture,
)

HANG_GUARD_SECONDS = 5


@pytest.mark.django_db
def test_healthz_answers_without_login_when_the_database_answers(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_stays_200_while_redis_refuses(client, settings, refusing_redis_url):
    # Before issue 16 a broker down made this 503, taking every web
    # process out of the load balancer although pages could be served.
    with redis_down(settings, refusing_redis_url):
        response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_stays_200_and_quick_while_redis_hangs(client, settings, hung_redis_url):
    started = time.monotonic()
    with redis_down(settings, hung_redis_url):
        response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert time.monotonic() - started < HANG_GUARD_SECONDS


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    from django.db.backends.base.base import BaseDatabaseWrapper

    def refuse(self, *args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "error", "database": "error"}


@pytest.mark.django_db
def test_healthz_refuses_post(client):
    assert client.post(reverse("healthz")).status_code == 405
    assert client.post(reverse("healthz_status")).status_code == 405


# --- /healthz/status ------------------------------------------------------------


@pytest.mark.django_db
def test_status_names_every_component_without_login(client):
    response = client.get(reverse("healthz_status"))

    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ok", "failing": [],
        # The tests run like `make run`: local-memory cache, no broker.
        "database": "ok", "cache": "local", "broker": "eager", "outbox": "ok", "worker": "eager",
        "outbox_pending": 0, "outbox_oldest_age_seconds": None, "worker_heartbeat_age_seconds": None,
    }


@pytest.mark.django_db
def test_status_names_cache_broker_and_worker_while_redis_refuses(client, settings, refusing_redis_url):
    with redis_down(settings, refusing_redis_url):
        response = client.get(reverse("healthz_status"))

    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "degraded"
    assert body["failing"] == ["cache", "broker", "worker"]
    assert (body["database"], body["outbox"]) == ("ok", "ok")
    assert "127.0.0.1" not in response.content.decode(), "no connection details leak"


@pytest.mark.django_db
def test_status_answers_within_seconds_while_redis_hangs(client, settings, hung_redis_url):
    started = time.monotonic()
    with redis_down(settings, hung_redis_url):
        response = client.get(reverse("healthz_status"))

    assert time.monotonic() - started < HANG_GUARD_SECONDS
    assert response.status_code == 503
    assert json.loads(response.content)["failing"] == ["cache", "broker", "worker"]


@pytest.mark.django_db
def test_status_names_an_old_outbox_backlog(client, settings):
    settings.OUTBOX_BACKLOG_ALERT_MINUTES = 5
    OutboxMessage.objects.create(task_name="accounts.tasks.send_notification_email", args=[1],
                                 created_at=timezone.now() - timedelta(minutes=6))
    OutboxMessage.objects.create(task_name="accounts.tasks.send_notification_email", args=[2])
    OutboxMessage.objects.create(task_name="accounts.tasks.send_notification_email", args=[3],
                                 created_at=timezone.now() - timedelta(hours=1), sent_at=timezone.now())

    body = json.loads(client.get(reverse("healthz_status")).content)

    assert body["failing"] == ["outbox"]
    assert body["outbox_pending"] == 2
    assert 6 * 60 <= body["outbox_oldest_age_seconds"] < 7 * 60


@pytest.mark.django_db
def test_a_young_backlog_is_normal(client, settings):
    OutboxMessage.objects.create(task_name="accounts.tasks.send_notification_email", args=[1],
                                 created_at=timezone.now() - timedelta(seconds=50))

    body = json.loads(client.get(reverse("healthz_status")).content)

    assert (body["outbox"], body["outbox_pending"]) == ("ok", 1)


@pytest.mark.redis
@pytest.mark.django_db
def test_status_is_ok_against_a_real_redis_with_a_recent_relay(client, settings, redis_url):
    with redis_cache_at(redis_url), point_broker_at(settings, redis_url):
        outbox.cache.delete(outbox.RELAY_HEARTBEAT_KEY)  # left by an earlier run on this Redis
        assert (broker_status(), cache_status()) == ("ok", "ok")
        before = json.loads(client.get(reverse("healthz_status")).content)
        outbox.record_heartbeat()
        after = client.get(reverse("healthz_status"))

    assert before["failing"] == ["worker"], "no relay has run: no worker, or no beat"
    assert after.status_code == 200
    body = json.loads(after.content)
    assert body["failing"] == []
    assert (body["cache"], body["broker"], body["worker"]) == ("ok", "ok", "ok")
    assert 0 <= body["worker_heartbeat_age_seconds"] < 5


@pytest.mark.django_db
def test_an_old_heartbeat_is_a_failing_worker(client, settings, refusing_redis_url):
    settings.OUTBOX_BACKLOG_ALERT_MINUTES = 5
    with point_broker_at(settings, refusing_redis_url):
        # The local-memory cache holds the heartbeat here.
        outbox.cache.set(outbox.RELAY_HEARTBEAT_KEY, (timezone.now() - timedelta(minutes=6)).isoformat())
        body = json.loads(client.get(reverse("healthz_status")).content)

    assert body["worker"] == "error"
    assert body["worker_heartbeat_age_seconds"] >= 6 * 60


# --- /drift/status/ ----------------------------------------------------------------

STATUS_PAGE = reverse("operations_status")


@pytest.mark.django_db
def test_status_page_needs_a_login(client):
    response = client.get(STATUS_PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["case_officer", "manager", "pilot", "housing_admin", "outside_officer"])
def test_status_page_is_refused_to_other_roles(client, users, role):
    client.force_login(users[role])

    assert client.get(STATUS_PAGE).status_code == 403


@pytest.mark.django_db
def test_status_page_shows_the_system_administrator_each_part_in_swedish(client, system_admin,
                                                                         django_assert_max_num_queries):
    OutboxMessage.objects.create(task_name="reports.tasks.generate_evaluation", args=[4, 2025, 1],
                                 attempts=2, last_error="OperationalError")
    client.force_login(system_admin)

    # Pinned: the session, the user, the permission check, the backlog
    # figures and the list of waiting work.
    with django_assert_max_num_queries(12):
        response = client.get(STATUS_PAGE)

    assert response.status_code == 200
    text = response.content.decode()
    assert "Driftstatus" in text
    assert "Databas (PostgreSQL)" in text
    assert "Ingen uppgiftskö: arbetet körs i webbprocessen" in text
    assert "reports.tasks.generate_evaluation" in text
    assert "OperationalError" in text


@pytest.mark.django_db
def test_status_page_names_the_broken_part(client, settings, system_admin, refusing_redis_url):
    client.force_login(system_admin)
    with point_broker_at(settings, refusing_redis_url):
        response = client.get(STATUS_PAGE)

    text = response.content.decode()
    assert response.status_code == 200
    assert "En del av systemet fungerar inte" in text
    assert "Fungerar inte" in text
    assert "127.0.0.1" not in text


@pytest.mark.django_db
def test_the_waiting_list_query_count_does_not_grow(client, system_admin):
    client.force_login(system_admin)
    OutboxMessage.objects.create(task_name="core.tests.x", args=[1])
    client.get(STATUS_PAGE)  # whatever is cached per session is cached now
    with CaptureQueriesContext(connection) as one:
        client.get(STATUS_PAGE)
    OutboxMessage.objects.bulk_create(OutboxMessage(task_name="core.tests.x", args=[n]) for n in range(30))
    with CaptureQueriesContext(connection) as many:
        client.get(STATUS_PAGE)

    assert len(many) == len(one)


@pytest.mark.django_db
def test_both_probes_answer_over_plain_http_behind_the_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("healthz_status")).status_code == 200
    assert client.get(reverse("operations_status")).status_code == 301, "other pages are redirected"
