"""A scheduled job that fails in eager mode (`make run`, CELERY_EAGER=1) is
recorded as failed and shown on the operations page, as a worker's failure
is (core.scheduled._failed_eagerly).

Why it was not: with CELERY_TASK_EAGER_PROPAGATES the exception goes to the
caller, and Celery's tracer re-raises it before it sends task_failure
(celery.app.trace, on_error). Only task_prerun and task_postrun (with no
state) are sent; the start was recorded, the failure never. It was not the
caller's transaction: core.tasks.enqueue_after_commit runs an eager task
after the commit, outside any transaction (the transactional test below)."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from django.urls import reverse

from config.celery import app as celery_app
from core import housekeeping
from core.models import ScheduledJobRun
from core.tasks import enqueue_after_commit

JOB = "clear-sessions"


@pytest.fixture
def eager():
    """Celery as `make run` sets it: no broker, eager, errors propagated."""
    keys = ("task_always_eager", "task_eager_propagates")
    previous = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    celery_app.conf.update(previous)


@pytest.fixture
def broken_job(monkeypatch):
    def broken():
        raise ValueError("details that may name a person")

    monkeypatch.setattr(SessionStore, "clear_expired", staticmethod(broken))


def failed_run():
    run = ScheduledJobRun.objects.get(name=JOB)
    assert run.last_started_at is not None
    assert run.last_failed_at is not None and run.last_failed_at >= run.last_started_at
    assert run.last_succeeded_at is None
    # The class only, as for a worker: the message could quote personal data.
    assert run.last_failure == "ValueError"
    return run


@pytest.mark.django_db
def test_an_eager_run_that_raises_is_recorded_as_failed(eager, broken_job):
    # As an operator runs a job by hand with make run's settings: the error
    # still reaches them...
    with pytest.raises(ValueError):
        housekeeping.clear_sessions.delay()
    # ...and is recorded.
    failed_run()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_job_sent_after_a_commit_records_its_failure_for_good(eager, broken_job):
    """The way the app sends work (core.tasks.enqueue_after_commit): the
    task runs after the commit; its failure is written outside the
    committed transaction and stays (really committed: a transactional
    test, on both databases)."""
    with pytest.raises(ValueError), transaction.atomic():
        enqueue_after_commit(housekeeping.clear_sessions)
        # Not run yet: it waits for the commit.
        assert not ScheduledJobRun.objects.filter(name=JOB, last_started_at__isnull=False).exists()
    assert transaction.get_autocommit()
    failed_run()


@pytest.mark.django_db
def test_an_eager_success_is_not_recorded_as_a_failure(eager):
    housekeeping.clear_sessions.delay()
    run = ScheduledJobRun.objects.get(name=JOB)
    assert run.last_succeeded_at is not None and run.last_failed_at is None and run.last_failure == ""


@pytest.mark.django_db
def test_a_workers_failure_is_recorded_once_as_before(broken_job):
    """No propagation (a worker): task_failure records it; the postrun
    receiver sees the state FAILURE and leaves it alone."""
    result = housekeeping.clear_sessions.apply(throw=False)
    assert result.failed()
    failed_run()


@pytest.mark.django_db
def test_the_eager_failure_is_on_the_operations_page_for_the_system_administrator(
        client, users, eager, broken_job):
    with pytest.raises(ValueError):
        housekeeping.clear_sessions.delay()
    run = failed_run()
    url = reverse("operations:jobs")

    client.force_login(users["system_admin"])
    page = client.get(url).content.decode()
    row = page[page.index(f"<strong>{JOB}</strong>"):]
    row = row[:row.index("</tr>")]
    from django.utils import timezone

    assert f"{timezone.localtime(run.last_failed_at):%Y-%m-%d %H:%M} (ValueError)" in row
    assert "details that may name a person" not in page

    # The page is the system administrator's only.
    client.logout()
    assert client.get(url).status_code == 302
    for role in ("manager", "case_officer", "outside_officer"):
        client.force_login(users[role])
        assert client.get(url).status_code == 403
