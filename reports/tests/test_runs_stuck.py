"""A yearly evaluation stuck in the queue (its message waiting in the
outbox for a Redis that is down, or lost with it) can be tried again from
its page once it has waited REPORT_RUN_STUCK_MINUTES, by whoever may request
one (reports.add_reportrun), at most once per that many minutes.

The broker refuses here (core.tests.redis_faults): the retried message is
kept in the outbox instead of running the task in the request.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry
from core.models import OutboxMessage
from core.tests.redis_faults import point_broker_at, refusing_redis_url_fixture  # noqa: F401
from reports.models import ReportRun

from .runs_helpers import make_run, other_manager_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

LIST = reverse("reports:run_list")


def retry_url(run):
    return reverse("reports:run_retry", args=[run.pk])


@pytest.fixture
def broker_down(settings, refusing_redis_url):
    settings.REPORT_RUN_STUCK_MINUTES = 10
    with point_broker_at(settings, refusing_redis_url):
        yield


def queued_since(user, minutes):
    run = make_run(user)
    ReportRun.objects.filter(pk=run.pk).update(requested_at=timezone.now() - timedelta(minutes=minutes))
    run.refresh_from_db()
    return run


def kept_for(run):
    return list(OutboxMessage.objects.filter(task_name="reports.tasks.generate_evaluation")
                .values_list("args", flat=True))


def test_a_run_queued_for_a_short_while_has_no_retry_button_and_cannot_be_retried(client, manager, broker_down):
    run = queued_since(manager, 9)
    client.force_login(manager)

    assert retry_url(run) not in client.get(LIST).content.decode()
    response = client.post(retry_url(run), follow=True)

    assert "Utvärderingen för 2025 väntar i kön. Den kan försökas igen när den har väntat 10 minuter." in (
        response.content.decode())
    assert kept_for(run) == []


def test_a_stuck_run_is_enqueued_again_from_its_page(client, manager, broker_down):
    run = queued_since(manager, 11)
    client.force_login(manager)
    page = client.get(LIST).content.decode()
    assert "Utvärderingen har väntat länge i kön." in page
    assert f'action="{retry_url(run)}"' in page and "Försök igen (2025)" in page

    response = client.post(retry_url(run))

    assert response.status_code == 302 and response["Location"] == LIST
    run.refresh_from_db()
    assert run.status == ReportRun.Status.QUEUED
    assert (timezone.now() - run.requested_at).total_seconds() < 60, "waiting counts from the retry"
    assert kept_for(run) == [[run.pk, 2025, manager.pk]]
    assert AccessLogEntry.objects.filter(action=AccessAction.UPDATE, note="retry queued",
                                         object_id=str(run.pk)).count() == 1
    assert "Utvärderingen för 2025 försöks igen." in client.get(LIST).content.decode()
    # Not again at once: the button is gone and a second post is refused.
    assert retry_url(run) not in client.get(LIST).content.decode()
    client.post(retry_url(run))
    assert len(kept_for(run)) == 1


def test_the_polled_status_shows_the_button_when_the_run_becomes_stuck(client, manager, broker_down):
    run = queued_since(manager, 11)
    client.force_login(manager)

    def status(seen):
        return client.get(reverse("reports:run_status", args=[run.pk]), {"seen": seen},
                          headers={"HX-Request": "true"})

    became_stuck = status("queued")
    assert became_stuck.status_code == 200
    html = became_stuck.content.decode()
    assert "Försök igen (2025)" in html
    assert "?seen=queued-stuck" in html
    assert status("queued-stuck").status_code == 204, "nothing to swap while unchanged"


def test_retrying_a_stuck_run_needs_the_right_to_request_one(client, users, manager, other_manager, broker_down):
    run = queued_since(manager, 11)

    assert "/konto/logga-in/" in client.post(retry_url(run))["Location"]
    for role in ("case_officer", "pilot", "housing_admin", "system_admin", "outside_officer"):
        client.force_login(users[role])
        assert client.post(retry_url(run)).status_code == 403, role
    client.force_login(other_manager)
    assert client.post(retry_url(run)).status_code == 404, "another unit's run"
    assert kept_for(run) == []

    client.force_login(manager)
    assert client.post(retry_url(run)).status_code == 302
    assert len(kept_for(run)) == 1
