"""reports.tasks.generate_evaluation: the states of a run, a real failure
and its retry from the page, transient database errors retried with
backoff, task arguments checked against the record, and a second delivery
of the same message (acks_late) changing nothing."""

import logging

import pytest
from django.db import OperationalError
from django.urls import reverse

from audit.models import AccessAction, AccessLogEntry
from reports import tasks
from reports.models import ReportRun
from reports.services import runs as services

from .runs_helpers import PDF_BYTES, eager_fixture, make_run, media_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

STAND_IN = ("utvardering-bolotsverksamheten-2025.pdf", "application/pdf", PDF_BYTES)


def run_task(run):
    return tasks.generate_evaluation.apply(args=(run.pk, run.year, run.requested_by_id))


def test_a_run_goes_from_queued_to_done_with_the_pdf_stored(manager, media):
    run = make_run(manager)

    run_task(run)

    run.refresh_from_db()
    assert (run.status, run.attempts, run.error) == (ReportRun.Status.DONE, 1, "")
    assert run.started_at and run.finished_at and run.started_at <= run.finished_at
    assert run.file.name.startswith("reports/")
    with run.file.open("rb") as stored:
        assert stored.read().startswith(b"%PDF-")


def test_a_failure_is_stored_with_a_message_for_the_user_and_the_page_can_retry_it(
    client, manager, settings, tmp_path, eager, caplog, django_capture_on_commit_callbacks
):
    # A real failure: the storage cannot create its directory, because a
    # file stands where the media directory should be.
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker
    run = make_run(manager)

    with caplog.at_level(logging.ERROR, logger="reports.tasks"):
        run_task(run)

    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    assert run.error == ("Utvärderingen kunde inte skapas. Försök igen; om det misslyckas igen, "
                         "kontakta systemförvaltaren.")
    assert "Traceback" not in run.error and "Errno" not in run.error
    assert not run.file
    assert any(record.exc_info for record in caplog.records), "the exception is logged for the administrator"

    client.force_login(manager)
    page = client.get(reverse("reports:run_list")).content.decode()
    assert "Utvärderingen kunde inte skapas." in page and "Försök igen (2025)" in page

    # The disk is fixed; the manager retries the same run.
    settings.MEDIA_ROOT = tmp_path / "media"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:run_retry", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.attempts, run.error) == (ReportRun.Status.DONE, 2, "")
    assert run.file
    assert AccessLogEntry.objects.filter(action=AccessAction.UPDATE, object_id=str(run.pk), note="retry").exists()


def test_transient_database_errors_are_retried_then_succeed(manager, media, monkeypatch):
    calls = []

    def flaky(year, unit):
        calls.append(year)
        if len(calls) < 3:
            raise OperationalError("server closed the connection unexpectedly")
        return STAND_IN

    monkeypatch.setattr(tasks, "render_evaluation", flaky)
    run = make_run(manager)

    run_task(run)

    run.refresh_from_db()
    assert len(calls) == 3
    assert (run.status, run.attempts) == (ReportRun.Status.DONE, 3)


def test_after_three_retries_a_transient_error_fails_the_run(manager, media, monkeypatch):
    def down(year, unit):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(tasks, "render_evaluation", down)
    run = make_run(manager)

    run_task(run)

    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    assert run.attempts == 1 + tasks.MAX_RETRIES
    assert run.error == "Databasen svarade inte när utvärderingen skapades. Försök igen om en stund."


def test_the_backoff_doubles():
    assert [tasks.backoff(retries) for retries in range(tasks.MAX_RETRIES)] == [10, 20, 40]


def test_arguments_that_do_not_match_the_record_fail_the_run(manager, second_pilot, media, monkeypatch):
    monkeypatch.setattr(tasks, "render_evaluation", lambda year, unit: pytest.fail("must not render"))
    # Two different years: one active run per unit and year (reports_run_one_active_per_unit_year).
    wrong_year, wrong_user = make_run(manager), make_run(manager, year=2024)

    tasks.generate_evaluation.apply(args=(wrong_year.pk, 2019, manager.pk))
    tasks.generate_evaluation.apply(args=(wrong_user.pk, 2024, second_pilot.pk))

    for run in (wrong_year, wrong_user):
        run.refresh_from_db()
        assert run.status == ReportRun.Status.FAILED
        assert run.error == "Beställningen stämde inte med utvärderingskörningen och utfördes inte."
        assert run.attempts == 0


def test_a_second_delivery_changes_nothing(manager, media, monkeypatch):
    run = make_run(manager)
    run_task(run)
    run.refresh_from_db()
    before = (run.status, run.attempts, run.file.name, run.finished_at)

    monkeypatch.setattr(tasks, "render_evaluation", lambda year, unit: pytest.fail("must not render again"))
    run_task(run)

    run.refresh_from_db()
    assert (run.status, run.attempts, run.file.name, run.finished_at) == before


def test_a_race_between_two_deliveries_keeps_the_first_file(manager, media):
    run = make_run(manager)
    run_task(run)
    run.refresh_from_db()
    first = run.file.name

    assert tasks._finish(run.pk, STAND_IN) == ReportRun.Status.DONE
    run.refresh_from_db()
    assert run.file.name == first


def test_a_missing_run_is_ignored(manager):
    assert tasks.generate_evaluation.apply(args=(987654, 2025, manager.pk)).get() is None


def test_the_task_gets_the_run_id_year_and_user_id(manager, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(tasks.generate_evaluation, "apply_async", lambda args, kwargs: sent.append((args, kwargs)))
    from audit.context import AuditContext

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = services.request_run(AuditContext.system(manager), 2024)
    assert sent == [], "nothing is sent before the commit"
    for callback in callbacks:
        callback()
    assert sent == [((run.pk, 2024, manager.pk), {})]


def test_a_failure_in_eager_mode_leaves_the_run_failed_not_running(
        client, manager, media, eager, monkeypatch, caplog, django_capture_on_commit_callbacks):
    """`make run` (issue 16): the task runs in the request once it commits,
    with no worker to catch its error. The task's own handler marks the run
    failed, so the page shows the failure and offers the retry; nothing
    reaches the manager as a server error, and the run is never left
    "running" (or "queued")."""
    def broken(year, unit):
        raise RuntimeError("WeasyPrint fell over")

    monkeypatch.setattr(tasks, "render_evaluation", broken)
    client.force_login(manager)
    with caplog.at_level(logging.ERROR, logger="reports.tasks"), \
            django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("reports:run_list"), {"year": 2025})
    assert len(callbacks) == 1 and response.status_code == 302
    run = ReportRun.objects.get()
    assert (run.status, run.attempts) == (ReportRun.Status.FAILED, 1)
    assert run.error.startswith("Utvärderingen kunde inte skapas.")
    assert "WeasyPrint" not in run.error
    assert any(record.exc_info for record in caplog.records), "logged for the administrator"
    assert "Försök igen (2025)" in client.get(reverse("reports:run_list")).content.decode()
