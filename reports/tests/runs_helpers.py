"""Shared by the evaluation-run tests: runs in each state, written directly."""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from config.celery import app as celery_app
from reports.models import ReportRun

PDF_BYTES = b"%PDF-1.7\n% a stand-in file for the download tests\n"


def make_run(user, status=ReportRun.Status.QUEUED, year=2025, **fields):
    run = ReportRun.objects.create(unit=user.unit, year=year, requested_by=user, status=status, **fields)
    if status == ReportRun.Status.DONE:
        run.file.save("utvardering-bolotsverksamheten-2025.pdf", ContentFile(PDF_BYTES), save=False)
        run.finished_at = timezone.now()
        run.save()
    return run


# Fixtures: imported by the test modules under their function names; pytest
# knows them by `name`.


@pytest.fixture(name="media")
def media_fixture(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(name="eager")
def eager_fixture():
    """Tasks run in the request, as in `make run` without a broker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(name="other_manager")
def other_manager_fixture(other_unit):
    return UserFactory(username="chef_annan", unit=other_unit, roles=[Role.MANAGER])
