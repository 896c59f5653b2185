"""One queued or running evaluation per unit and year: requesting the yearly
evaluation had no limit (each run costs a worker and a stored PDF)."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from audit.context import AuditContext
from reports.models import ReportRun
from reports.services import runs as services

from .runs_helpers import make_run, media_fixture, other_manager_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

MESSAGE = "En utvärdering för 2025 håller redan på att tas fram."


@pytest.mark.parametrize("status", [ReportRun.Status.QUEUED, ReportRun.Status.RUNNING])
def test_a_second_request_while_one_is_active_is_refused_beside_the_year(client, manager, status):
    make_run(manager, status, year=2025)
    client.force_login(manager)

    response = client.post(reverse("reports:run_list"), {"year": "2025"})

    assert response.status_code == 200
    assert response.context["form"].errors["year"][0].startswith(MESSAGE)
    assert ReportRun.objects.count() == 1


@pytest.mark.parametrize("status", [ReportRun.Status.DONE, ReportRun.Status.FAILED])
def test_a_finished_run_does_not_block_a_new_one(manager, media, status):
    make_run(manager, status, year=2025)
    services.request_run(AuditContext(manager, "/test/"), 2025)
    assert ReportRun.objects.count() == 2


def test_another_year_or_another_unit_is_not_blocked(manager, other_manager):
    make_run(manager, ReportRun.Status.QUEUED, year=2025)
    services.request_run(AuditContext(manager, "/test/"), 2024)
    services.request_run(AuditContext(other_manager, "/test/"), 2025)
    assert ReportRun.objects.count() == 3


def test_the_database_refuses_a_second_active_run(manager):
    make_run(manager, ReportRun.Status.QUEUED, year=2025)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportRun.objects.create(unit=manager.unit, year=2025, requested_by=manager,
                                 status=ReportRun.Status.RUNNING)


def test_a_race_past_the_check_gets_the_same_message(manager, monkeypatch):
    make_run(manager, ReportRun.Status.QUEUED, year=2025)
    real = services._active
    calls = []

    def first_sees_nothing(unit_id, year):
        calls.append(year)
        return real(unit_id, year).none() if len(calls) == 1 else real(unit_id, year)

    monkeypatch.setattr(services, "_active", first_sees_nothing)
    with pytest.raises(services.RunError) as error:
        services.request_run(AuditContext(manager, "/test/"), 2025)
    assert str(error.value).startswith(MESSAGE)
    assert ReportRun.objects.count() == 1


def test_a_retry_while_another_run_is_active_is_refused(manager):
    failed = make_run(manager, ReportRun.Status.FAILED, year=2025)
    make_run(manager, ReportRun.Status.QUEUED, year=2025)
    with pytest.raises(services.RunError):
        services.retry_run(AuditContext(manager, "/test/"), failed)
    failed.refresh_from_db()
    assert failed.status == ReportRun.Status.FAILED
