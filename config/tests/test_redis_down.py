"""Redis stops (issue 16 §2): refusing (nothing listens) and hanging (a port
that accepts and never answers). Pages are served, logins work, the user's
actions that enqueue work (sending an order, requesting the yearly PDF)
show their normal success page within seconds, and the work is kept in the
outbox and sent once when Redis returns.

Cache and sessions are set up as in production (django-redis with
IGNORE_EXCEPTIONS, cached_db sessions: core.tests.redis_faults), whatever
this branch's settings are.
"""

import time

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from accounts.models import Notification
from accounts.tests.second_factor import code_for, give_totp
from config.celery import app as celery_app
from core import outbox
from core.models import OutboxMessage
from core.tests.redis_faults import (  # noqa: F401
    hung_redis_fixture,
    hung_redis_url_fixture,
    point_broker_at,
    redis_down,
    refusing_redis_url_fixture,
)
from referrals.models import Order, OrderKind
from referrals.tests.factories import ClientFactory
from reports.models import ReportRun

# A hang guard, not a performance figure: a hung broker used to block a
# request for 30 s until gunicorn killed the worker.
HANG_GUARD_SECONDS = 5
FAULTS = ["refusing_redis_url", "hung_redis_url"]
PASSWORD = "test-password-123"


def timed(call, *args, **kwargs):
    started = time.monotonic()
    response = call(*args, **kwargs)
    return response, time.monotonic() - started


@pytest.mark.django_db
@pytest.mark.parametrize("fault", FAULTS)
def test_a_user_logs_in_and_pages_are_served_while_redis_is_down(request, client, settings, case_officer, fault):
    device = give_totp(case_officer)
    with redis_down(settings, request.getfixturevalue(fault)):
        password, password_seconds = timed(client.post, reverse("accounts:login"),
                                           {"username": case_officer.username, "password": PASSWORD})
        code, code_seconds = timed(client.post, reverse("accounts:verify"), {"code": code_for(device)})
        home, home_seconds = timed(client.get, reverse("home"))
        orders, orders_seconds = timed(client.get, reverse("referrals:order_list"))

    assert password.status_code == 302 and password["Location"] == reverse("accounts:verify")
    assert code.status_code == 302 and code["Location"] == reverse("home")
    assert (home.status_code, orders.status_code) == (200, 200)
    for seconds in (password_seconds, code_seconds, home_seconds, orders_seconds):
        assert seconds < HANG_GUARD_SECONDS


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("fault", FAULTS)
def test_sending_an_order_while_redis_is_down_shows_the_sent_order(request, client, settings, unit, case_officer,
                                                                  pilot, fault):
    person = ClientFactory(unit=unit, responsible_officer=case_officer)
    with redis_down(settings, request.getfixturevalue(fault)):
        client.force_login(case_officer)
        response, seconds = timed(client.post, reverse("referrals:order_create"), {
            "kind": OrderKind.EVICTION_PREVENTION, "client": person.pk, "assignment": "Hembesök om skulden.",
        })
        order = Order.objects.get()
        detail = client.get(response["Location"])

    assert seconds < HANG_GUARD_SECONDS
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:order_detail", args=[order.pk])
    assert detail.status_code == 200
    notification = Notification.objects.get(user=pilot)
    # The pilot's e-mail is kept, with the notification's id only.
    kept = OutboxMessage.objects.get()
    assert (kept.task_name, kept.args, kept.sent_at) == (
        "accounts.tasks.send_notification_email", [notification.pk], None)
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("fault", FAULTS)
def test_requesting_the_pdf_while_redis_is_down_shows_the_queued_run(request, client, settings, manager, fault):
    with redis_down(settings, request.getfixturevalue(fault)):
        client.force_login(manager)
        response, seconds = timed(client.post, reverse("reports:run_list"), {"year": 2025})
        page = client.get(reverse("reports:run_list"))

    assert seconds < HANG_GUARD_SECONDS
    assert response.status_code == 302 and response["Location"] == reverse("reports:run_list")
    run = ReportRun.objects.get()
    assert run.status == ReportRun.Status.QUEUED
    assert "Utvärderingen för 2025 är beställd" in page.content.decode()
    kept = OutboxMessage.objects.get()
    assert (kept.task_name, kept.args, kept.sent_at) == (
        "reports.tasks.generate_evaluation", [run.pk, 2025, manager.pk], None)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_order_sent_while_redis_refused_is_e_mailed_once_when_it_returns(
        client, settings, unit, case_officer, pilot, refusing_redis_url, redis_url):
    from celery.contrib.testing.worker import start_worker

    if connection.vendor != "postgresql":
        pytest.skip("a worker thread needs a database that takes concurrent writers: the PostgreSQL pass runs this")
    person = ClientFactory(unit=unit, responsible_officer=case_officer)
    with redis_down(settings, refusing_redis_url):
        client.force_login(case_officer)
        client.post(reverse("referrals:order_create"), {
            "kind": OrderKind.EVICTION_PREVENTION, "client": person.pk, "assignment": "Hembesök om skulden.",
        })
    assert OutboxMessage.objects.pending().count() == 1

    with point_broker_at(settings, redis_url) as queue:
        # Redis is back: the relay (beat, or a starting worker) sends it once,
        # however often it runs.
        assert outbox.relay_pending().sent == 1
        assert outbox.relay_pending().sent == 0
        with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30):
            notification = Notification.objects.get(user=pilot)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and notification.emailed_at is None:
                time.sleep(0.2)
                notification.refresh_from_db()

    assert notification.emailed_at is not None
    assert [message.to for message in mail.outbox] == [[pilot.email]]
    assert not OutboxMessage.objects.pending().exists()
