"""The BgMax import as a background job (docs/rent.md, "The import as a
background job"): the upload stores the file and queues the job; the job's
page shows waiting, running, the result or the file's errors; a large file
is checked by the job; a job delivered again imports nothing twice.

The job is run eagerly here (no broker); rent/tests/test_bgmax_worker_killed.py
runs it in a real worker that is killed in the middle."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from rent.models import BgMaxFile, BgMaxImportJob, Payment
from rent.services import bgmax_import
from rent.services.bgmax_import import BgMaxImportError, queue_import, run_import_job
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

from .bgmax_factories import bgmax_bytes, notice, payment, rent_settings

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
DEC = date(2026, 12, 1)


@pytest.fixture
def tenancy(unit):
    rent_settings(unit)
    return TenancyFactory(apartment=ApartmentFactory(unit=unit))


@pytest.fixture
def data(tenancy):
    due = notice(tenancy, DEC)
    return bgmax_bytes(payment(due.ocr, 450000), payment("99999", 1000))


@pytest.fixture
def job(unit, housing_admin, data):
    return queue_import(AuditContext.system(housing_admin), unit, "dec.bgmax", data)


def job_url(job):
    return reverse("rent:bgmax_job", args=[job.pk])


# --- Who may see a job ----------------------------------------------------------------


def test_anonymous_goes_to_login(client, job):
    response = client.get(job_url(job))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_wrong_role_is_refused(client, case_officer, job):
    client.force_login(case_officer)
    assert client.get(job_url(job)).status_code == 403


def test_a_housing_administrator_of_another_unit_gets_404(client, other_unit, job):
    rent_settings(other_unit)
    client.force_login(UserFactory(username="boendeadmin2", unit=other_unit, roles=[Role.HOUSING_ADMIN]))
    assert client.get(job_url(job)).status_code == 404


def test_the_housing_administrator_follows_the_job_to_its_end(client, housing_admin, job):
    client.force_login(housing_admin)
    text = client.get(job_url(job)).content.decode()
    assert "Väntar i kö…" in text and f'hx-get="{job_url(job)}?seen=queued"' in text
    # htmx polls: nothing changed, nothing swapped.
    assert client.get(job_url(job), {"seen": "queued"}, HTTP_HX_REQUEST="true").status_code == 204
    assert run_import_job(job.pk) == BgMaxImportJob.Status.DONE
    partial = client.get(job_url(job), {"seen": "queued"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    text = partial.content.decode()
    assert "2 inbetalningar, 1 matchade automatiskt." in text and "hx-get" not in text
    job.refresh_from_db()
    assert job.attempts == 1 and bytes(job.data) == b"" and job.file.payments == 2


# --- Queueing -------------------------------------------------------------------------


def test_the_same_file_is_queued_once(unit, housing_admin, data, job):
    with pytest.raises(BgMaxImportError) as refused:
        queue_import(AuditContext.system(housing_admin), unit, "again.bgmax", data)
    assert refused.value.errors == [
        (None, "Filen importeras just nu eller är redan importerad. Inget importerades.")]
    assert BgMaxImportJob.objects.count() == 1


def test_a_large_file_is_checked_by_the_job_and_its_errors_shown_on_its_page(
        client, unit, housing_admin, tenancy, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(bgmax_import, "CHECK_IN_REQUEST_BYTES", 10)
    client.force_login(housing_admin)
    wrong_bankgiro = bgmax_bytes(payment("99999", 1000), bankgiro="1234566")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("rent:bgmax_upload"), {"file": SimpleUploadedFile("x.bgmax", wrong_bankgiro)})
    job = BgMaxImportJob.objects.get()
    assert response["Location"] == job_url(job)
    assert job.status == BgMaxImportJob.Status.FAILED
    text = client.get(job_url(job)).content.decode()
    assert "Filen avvisades och inget importerades." in text
    assert "Filen gäller bankgiro 1234566, inte enhetens 9912346." in text
    assert not Payment.objects.exists() and not BgMaxFile.objects.exists()


def test_the_upload_page_lists_the_latest_jobs_in_fixed_queries(client, unit, housing_admin, tenancy,
                                                                django_assert_max_num_queries):
    client.force_login(housing_admin)
    for index in range(7):
        BgMaxImportJob.objects.create(unit=unit, filename=f"{index}.bgmax", sha256=f"{index:064d}",
                                      status=BgMaxImportJob.Status.DONE, requested_by=housing_admin)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("rent:bgmax_upload"))
    assert len(response.context["jobs"]) == 5
    assert response.content.decode().count("Importerad") >= 5


# --- Delivered again ------------------------------------------------------------------


def test_a_finished_job_delivered_again_imports_nothing(job):
    assert run_import_job(job.pk) == BgMaxImportJob.Status.DONE
    assert run_import_job(job.pk) is None
    assert Payment.objects.count() == 2 and BgMaxFile.objects.count() == 1
    assert BgMaxImportJob.objects.get().attempts == 1


def test_a_job_left_running_by_a_lost_worker_is_imported_by_the_next_delivery(job):
    """What a worker killed mid-import leaves: the job running (its start was
    committed), no payment (the import's transaction was rolled back)."""
    BgMaxImportJob.objects.filter(pk=job.pk).update(status=BgMaxImportJob.Status.RUNNING, attempts=1)
    assert run_import_job(job.pk) == BgMaxImportJob.Status.DONE
    assert Payment.objects.count() == 2
    assert BgMaxImportJob.objects.get().attempts == 2


def test_a_second_delivery_losing_the_race_keeps_the_winners_done(job, unit, housing_admin, data):
    """Two deliveries at once: the loser meets the unique checksum and must
    not mark the winner's job refused."""
    assert run_import_job(job.pk) == BgMaxImportJob.Status.DONE
    bgmax_import.fail_job(job.pk, [(None, "x")])
    job.refresh_from_db()
    assert job.status == BgMaxImportJob.Status.DONE and job.errors == []


def test_an_unexpected_error_fails_the_job_with_a_swedish_message(job, monkeypatch):
    from rent.tasks import bgmax

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(bgmax, "run_import_job", broken)
    assert bgmax.import_bgmax_job.apply(args=[job.pk]).get() == "failed"
    job.refresh_from_db()
    assert job.status == BgMaxImportJob.Status.FAILED
    assert job.errors == [[None, "Importen misslyckades och inget importerades. Ladda upp filen igen; om det "
                                 "misslyckas igen, kontakta systemadministratören."]]
