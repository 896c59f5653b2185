"""The evaluation-run pages: who may do what on every URL, the list and
its query count, requesting a year (built at once in eager mode), the htmx
status partial, the access-logged download and retrying a failed run."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.navigation import items_for
from audit.models import AccessAction, AccessLogEntry
from reports.models import ReportRun

from .runs_helpers import PDF_BYTES, eager_fixture, make_run, media_fixture, other_manager_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

WRONG_ROLES = ["case_officer", "pilot", "second_pilot", "housing_admin", "system_admin", "outside_officer"]


def run_urls(run):
    return {
        "status": ("get", reverse("reports:run_status", args=[run.pk])),
        "download": ("get", reverse("reports:run_download", args=[run.pk])),
        "retry": ("post", reverse("reports:run_retry", args=[run.pk])),
    }


def all_urls(run):
    return {"list": ("get", reverse("reports:run_list")), "request": ("post", reverse("reports:run_list")),
            **run_urls(run)}


@pytest.fixture
def done_run(manager, media):
    return make_run(manager, ReportRun.Status.DONE)


# --- Permissions --------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_login_page(client, done_run):
    for name, (method, url) in all_urls(done_run).items():
        response = getattr(client, method)(url, {"year": 2025} if name == "request" else {})
        assert response.status_code == 302, name
        assert "/konto/logga-in/" in response["Location"], name


@pytest.mark.parametrize("role", WRONG_ROLES)
def test_every_other_role_is_refused(client, users, done_run, role):
    client.force_login(users[role])
    for name, (method, url) in all_urls(done_run).items():
        response = getattr(client, method)(url, {"year": 2025} if name == "request" else {})
        assert response.status_code == 403, (role, name)
    assert ReportRun.objects.count() == 1, "nothing was requested"


def test_a_manager_of_another_unit_gets_404_for_a_run(client, done_run, other_manager, media):
    failed = make_run(done_run.requested_by, ReportRun.Status.FAILED, error="Fel")
    client.force_login(other_manager)
    for run in (done_run, failed):
        for name, (method, url) in run_urls(run).items():
            assert getattr(client, method)(url).status_code == 404, name
    page = client.get(reverse("reports:run_list"))
    assert page.status_code == 200
    assert page.context["runs"] == [] or not list(page.context["runs"]), "another unit's runs are not listed"
    assert not AccessLogEntry.objects.filter(action=AccessAction.EXPORT).exists()
    failed.refresh_from_db()
    assert failed.status == ReportRun.Status.FAILED


def test_the_manager_may_use_every_url(client, manager, done_run, media, eager, monkeypatch,
                                       django_capture_on_commit_callbacks):
    import reports.tasks

    monkeypatch.setattr(reports.tasks, "render_evaluation", lambda year, unit: ("x.pdf", "application/pdf", PDF_BYTES))
    failed = make_run(manager, ReportRun.Status.FAILED, error="Fel")
    client.force_login(manager)
    assert client.get(reverse("reports:run_list")).status_code == 200
    assert client.get(reverse("reports:run_status", args=[done_run.pk])).status_code == 200
    assert client.get(reverse("reports:run_download", args=[done_run.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("reports:run_retry", args=[failed.pk])).status_code == 302
        assert client.post(reverse("reports:run_list"), {"year": 2024}).status_code == 302


def test_the_menu_shows_the_evaluation_to_managers_only(users, manager):
    url = reverse("reports:run_list")
    assert url in [item["url"] for item in items_for(manager)]
    for role in WRONG_ROLES:
        assert url not in [item["url"] for item in items_for(users[role])], role


# --- The list -----------------------------------------------------------------------------------------


def test_the_list_shows_the_units_runs_with_their_status(client, manager, other_manager, media):
    make_run(manager, ReportRun.Status.DONE, year=2024)
    make_run(manager, ReportRun.Status.RUNNING, attempts=1)
    make_run(other_manager, ReportRun.Status.DONE, year=2023)
    client.force_login(manager)

    response = client.get(reverse("reports:run_list"))

    html = response.content.decode()
    assert [run.year for run in response.context["runs"]] == [2025, 2024]
    assert "Skapas (försök 1)…" in html
    assert "Ladda ner utvärderingen 2024 (PDF)" in html
    assert 'role="status"' in html and 'aria-live="polite"' in html
    assert response.context["form"].initial["year"] >= 2025


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_lists_query_count_does_not_grow_with_the_runs(client, manager, media):
    client.force_login(manager)
    url = reverse("reports:run_list")
    make_run(manager, ReportRun.Status.DONE)
    client.get(url)  # warm the session and permission caches: the first page after a login fills them (issue 16 §1)
    few = count_queries(client, url)
    for year in range(2000, 2030):
        make_run(manager, ReportRun.Status.FAILED, year=year, error="Fel")
    many = count_queries(client, url)
    assert few == many <= 12


# --- Requesting an evaluation ----------------------------------------------------------------------


def test_requesting_a_year_builds_the_pdf_at_once_in_eager_mode(client, manager, media, eager,
                                                                 django_capture_on_commit_callbacks):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("reports:run_list"), {"year": 2025})

    assert len(callbacks) == 1, "the task is sent once the request commits"
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:run_list")
    run = ReportRun.objects.get()
    assert (run.unit, run.year, run.requested_by, run.status, run.attempts) == (
        manager.unit, 2025, manager, ReportRun.Status.DONE, 1)
    assert run.started_at <= run.finished_at
    assert run.file.name.startswith("reports/") and run.file.name.endswith(".pdf")
    with run.file.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"
    assert AccessLogEntry.objects.filter(
        user=manager, action=AccessAction.CREATE, object_type="reports.reportrun", object_id=str(run.pk)
    ).exists()
    page = client.get(response["Location"])
    assert "Utvärderingen för 2025 är beställd." in page.content.decode()


@pytest.mark.parametrize("year", ["", "1999", "3000", "tjugo"])
def test_an_invalid_year_is_refused_in_swedish(client, manager, year):
    client.force_login(manager)
    response = client.post(reverse("reports:run_list"), {"year": year})
    assert response.status_code == 200
    assert response.context["form"].errors["year"]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not ReportRun.objects.exists()


def test_a_future_year_gets_a_clear_message(client, manager):
    client.force_login(manager)
    response = client.post(reverse("reports:run_list"), {"year": 3000})
    assert "Året har inte börjat än." in response.content.decode()


# --- The status partial ------------------------------------------------------------------------------------


def status(client, run, **params):
    return client.get(reverse("reports:run_status", args=[run.pk]), params, headers={"HX-Request": "true"})


def test_the_status_polls_itself_while_queued_or_running(client, manager):
    client.force_login(manager)
    run = make_run(manager)

    html = status(client, run).content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert f'hx-get="{reverse("reports:run_status", args=[run.pk])}?seen=queued"' in html
    assert "Väntar i kö…" in html

    assert status(client, run, seen="queued").status_code == 204, "nothing to swap while unchanged"

    run.status, run.attempts = ReportRun.Status.RUNNING, 1
    run.save()
    response = status(client, run, seen="queued")
    assert response.status_code == 200
    assert "Skapas (försök 1)…" in response.content.decode()
    assert 'hx-trigger="every 2s"' in response.content.decode()


def test_the_status_stops_polling_when_done_and_links_the_download(client, manager, done_run):
    client.force_login(manager)
    response = status(client, done_run, seen="running")
    html = response.content.decode()
    assert response.status_code == 200
    assert "hx-trigger" not in html and "hx-get" not in html
    assert reverse("reports:run_download", args=[done_run.pk]) in html
    assert "Klar" in html


def test_a_failed_run_shows_its_message_and_a_retry_button(client, manager):
    client.force_login(manager)
    run = make_run(manager, ReportRun.Status.FAILED, error="Utvärderingen kunde inte skapas.")
    html = status(client, run, seen="running").content.decode()
    assert "hx-trigger" not in html
    assert "Misslyckades" in html and "Utvärderingen kunde inte skapas." in html
    assert f'action="{reverse("reports:run_retry", args=[run.pk])}"' in html
    assert "Försök igen (2025)" in html


# --- Download ----------------------------------------------------------------------------------------------


def test_the_download_is_a_pdf_attachment_and_is_access_logged(client, manager, done_run):
    client.force_login(manager)
    response = client.get(reverse("reports:run_download", args=[done_run.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="utvardering-bolotsverksamheten-2025.pdf"'
    assert b"".join(response.streaming_content) == PDF_BYTES
    entry = AccessLogEntry.objects.get(action=AccessAction.EXPORT)
    assert (entry.user, entry.object_type, entry.object_id, entry.client_id) == (
        manager, "reports.reportrun", str(done_run.pk), None)
    assert entry.path == reverse("reports:run_download", args=[done_run.pk])


@pytest.mark.parametrize("state", [ReportRun.Status.QUEUED, ReportRun.Status.RUNNING, ReportRun.Status.FAILED])
def test_there_is_nothing_to_download_before_the_run_is_done(client, manager, state):
    client.force_login(manager)
    run = make_run(manager, state)
    assert client.get(reverse("reports:run_download", args=[run.pk])).status_code == 404
    assert not AccessLogEntry.objects.filter(action=AccessAction.EXPORT).exists()


# --- Retry --------------------------------------------------------------------------------------------------


def test_retry_only_by_post(client, manager):
    client.force_login(manager)
    run = make_run(manager, ReportRun.Status.FAILED, error="Fel")
    assert client.get(reverse("reports:run_retry", args=[run.pk])).status_code == 405


def test_only_a_failed_run_can_be_retried(client, manager, done_run):
    client.force_login(manager)
    response = client.post(reverse("reports:run_retry", args=[done_run.pk]), follow=True)
    assert "Bara en misslyckad utvärdering kan försökas igen." in response.content.decode()
    done_run.refresh_from_db()
    assert done_run.status == ReportRun.Status.DONE
