"""The exports (CSV, XLSX) and the yearly PDF of a closed year that is not
fixed read its kept figures (reports.year_figures.fresh_year), as the
dashboard does: counted once and kept when missing, read without a KPI
query when fresh, counted first when stale (a file carries no "being
counted again" note). The kept figures are the live count's, value for
value, on the golden data set and on the hand-counted one; who may export."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessAction, AccessLogEntry
from referrals.tests.factories_notices import EvictionNoticeFactory
from reports import evaluation, snapshots, tasks_figures
from reports.kpis import compute_kpis
from reports.models import YearFigures
from reports.views.exports import csv_content, xlsx_content

from .evaluation_data import build_evaluation_dataset
from .golden_data import build_golden_dataset
from .test_snapshots import _pdf_figures
from .test_year_figures import KPI_TABLES

pytestmark = pytest.mark.django_db
YEAR = 2025
CSV_URL = reverse("reports:export_csv", args=[YEAR])
XLSX_URL = reverse("reports:export_xlsx", args=[YEAR])

# The export of a year with fresh kept figures: the request's 2 (the user
# and the unread notifications), whether the year is fixed, the kept row,
# and the access log's export row (its chain head read and locked, the
# row written). No KPI, chart or drill-down query.
EXPORT_KEPT_QUERIES = 6
# The PDF of such a year: whether it is fixed, the kept row, and the
# narrative texts (words, read live: reports.services.narrative.pdf_texts).
PDF_KEPT_QUERIES = 3


@pytest.fixture
def golden(unit, other_unit):
    return build_golden_dataset(unit, other_unit)


def kept_row(unit, year=YEAR):
    return YearFigures.objects.filter(unit=unit, year=year).first()


def live_csv(unit, year=YEAR):
    return csv_content(compute_kpis(year, unit), year).encode("utf-8")


def correct_a_notice(unit, django_capture_on_commit_callbacks):
    """A notice of 2025 registered late: the kept figures of 2025 go stale.
    Returns the recount callbacks, not run (no worker came by yet)."""
    with django_capture_on_commit_callbacks() as callbacks:
        EvictionNoticeFactory(unit=unit, received_on=date(YEAR, 6, 3), eviction_date=date(YEAR, 9, 1))
    assert kept_row(unit).stale_since is not None
    return callbacks


# --- The exports --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_the_first_export_counts_the_year_and_keeps_it(client, golden, unit, manager, url):
    assert kept_row(unit) is None
    client.force_login(manager)
    assert client.get(url).status_code == 200
    row = kept_row(unit)
    assert row.stale_since is None and row.format_version == snapshots.FORMAT_VERSION
    assert list(snapshots.read_data(YEAR, row.data, frozen_at=row.counted_at).kpis) == list(compute_kpis(YEAR, unit))


def test_the_csv_of_a_kept_year_is_the_live_count_byte_for_byte_and_runs_no_kpi_query(
        client, golden, unit, manager, django_assert_num_queries):
    client.force_login(manager)
    first = client.get(CSV_URL).content
    assert first == live_csv(unit)
    with django_assert_num_queries(EXPORT_KEPT_QUERIES) as captured:
        again = client.get(CSV_URL)
    assert again.content == first
    sql = " ".join(query["sql"] for query in captured.captured_queries)
    for table in KPI_TABLES:
        assert table not in sql
    assert AccessLogEntry.objects.filter(action=AccessAction.EXPORT, note=f"CSV {YEAR}").count() == 2


def test_the_xlsx_reads_what_the_dashboard_kept(client, golden, unit, manager, django_assert_num_queries):
    client.force_login(manager)
    client.get(reverse("reports:dashboard", args=[YEAR]))
    counted_at = kept_row(unit).counted_at
    with django_assert_num_queries(EXPORT_KEPT_QUERIES) as captured:
        response = client.get(XLSX_URL)
    assert response.status_code == 200
    assert "bolots_visit" not in " ".join(query["sql"] for query in captured.captured_queries)
    assert kept_row(unit).counted_at == counted_at  # read, not counted again
    # The same workbook as from the live figures (its creation time aside).
    import io

    import openpyxl

    def cells(content):
        return [[cell.value for cell in row] for row in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows()]

    assert cells(response.content) == cells(xlsx_content(compute_kpis(YEAR, unit), YEAR, unit_name=str(unit)))


def test_a_stale_year_is_counted_again_before_it_is_exported(
        client, golden, unit, manager, django_capture_on_commit_callbacks):
    client.force_login(manager)
    before = client.get(CSV_URL).content
    callbacks = correct_a_notice(unit, django_capture_on_commit_callbacks)
    # The dashboard still shows the kept figures, with its note...
    assert "Siffrorna räknas om" in client.get(reverse("reports:dashboard", args=[YEAR])).content.decode()
    # ...the file has the figures after the correction, and keeps them.
    after = client.get(CSV_URL).content
    assert after == live_csv(unit) != before
    assert kept_row(unit).stale_since is None
    assert "Siffrorna räknas om" not in client.get(reverse("reports:dashboard", args=[YEAR])).content.decode()
    # The recount the correction enqueued finds a fresh row: nothing to do.
    assert tasks_figures.recount_year.apply(args=(unit.pk, YEAR)).get() is False
    for callback in callbacks:
        callback()
    assert client.get(CSV_URL).content == after


def test_a_fixed_year_is_still_exported_from_its_snapshot(client, golden, unit, manager,
                                                          django_assert_num_queries):
    snapshots.freeze_year(unit, YEAR, user=manager)
    client.force_login(manager)
    client.get(CSV_URL)  # the session's and permissions' caches filled
    # The request's 2, the snapshot, the access log's 3: no kept row read.
    with django_assert_num_queries(EXPORT_KEPT_QUERIES - 1):
        content = client.get(CSV_URL).content
    assert content == live_csv(unit)
    assert kept_row(unit) is None


def test_the_running_year_is_exported_live_and_not_kept(client, golden, unit, manager):
    client.force_login(manager)
    year = timezone.localdate().year
    assert client.get(reverse("reports:export_csv", args=[year])).status_code == 200
    assert not YearFigures.objects.exists()


# --- Who may export a kept year ----------------------------------------------------------------------


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_anonymous_goes_to_login_and_nothing_is_counted(client, golden, url):
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert not YearFigures.objects.exists()


@pytest.mark.parametrize("role", ["case_officer", "pilot", "housing_admin", "system_admin", "outside_officer"])
@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_other_roles_are_refused_and_nothing_is_counted(client, golden, users, role, url):
    client.force_login(users[role])
    assert client.get(url).status_code == 403
    assert not YearFigures.objects.exists()
    assert not AccessLogEntry.objects.filter(action=AccessAction.EXPORT).exists()


def test_a_manager_without_unit_is_refused(client, golden):
    client.force_login(UserFactory(username="chef_utan_enhet", unit=None, roles=[Role.MANAGER]))
    assert client.get(CSV_URL).status_code == 403
    assert not YearFigures.objects.exists()


def test_another_units_manager_gets_only_their_own_units_kept_figures(client, golden, unit, other_unit, manager):
    client.force_login(manager)
    mine = client.get(CSV_URL).content
    client.force_login(UserFactory(username="chef_annan", unit=other_unit, roles=[Role.MANAGER]))
    theirs = client.get(CSV_URL).content
    assert theirs == live_csv(other_unit) != mine
    assert set(YearFigures.objects.values_list("unit_id", "year")) == {(unit.pk, YEAR), (other_unit.pk, YEAR)}


# --- The yearly PDF ----------------------------------------------------------------------------------


def live_pdf_figures(monkeypatch, unit, year=YEAR):
    """The PDF's figures counted live, as before the figures were kept."""
    with monkeypatch.context() as patch:
        patch.setattr(evaluation, "_kept", lambda unit, year, today: None)
        return _pdf_figures(evaluation.evaluation_context(year, unit))


@pytest.fixture
def data_charts(monkeypatch):
    # The charts' data, not their PNG bytes (not byte-stable between renders).
    monkeypatch.setattr(evaluation, "dashboard_chart", lambda data: data)


@pytest.mark.parametrize("dataset", ["golden", "hand-counted"])
def test_the_pdf_of_a_kept_year_has_the_live_figures_and_counts_nothing_the_second_time(
        unit, other_unit, case_officer, monkeypatch, data_charts, django_assert_num_queries, dataset):
    if dataset == "golden":
        build_golden_dataset(unit, other_unit)
    else:
        build_evaluation_dataset(unit, case_officer)
    live = live_pdf_figures(monkeypatch, unit)
    assert kept_row(unit) is None

    first = evaluation.evaluation_context(YEAR, unit)  # counted and kept
    assert kept_row(unit).stale_since is None
    with django_assert_num_queries(PDF_KEPT_QUERIES) as captured:
        again = evaluation.evaluation_context(YEAR, unit)
    sql = " ".join(query["sql"] for query in captured.captured_queries)
    for table in KPI_TABLES:
        assert table not in sql
    assert _pdf_figures(first) == _pdf_figures(again) == live
    assert again["frozen"] is None  # not said to be fixed


def test_the_hand_counted_pdf_reads_its_figures_from_the_kept_row(unit, case_officer):
    build_evaluation_dataset(unit, case_officer)
    evaluation.evaluation_context(YEAR, unit)
    from .test_evaluation_pdf import body_text

    # Read from the kept row: the figures of the hand-counted set
    # (test_evaluation_pdf.test_volumes_and_cancellations_of_a_small_data_set).
    text = body_text(evaluation.render_evaluation(YEAR, unit)[2])
    assert "Planerade besök 6 1 Genomförda besök 3 1 Avbokade besök 3 0" in text
    assert "Aktiva bolotsar i enheten: 2." in text
    assert "Fastställd" not in text


def test_the_pdf_of_a_stale_year_is_counted_again_first(golden, unit, monkeypatch, data_charts,
                                                       django_capture_on_commit_callbacks):
    before = evaluation.evaluation_context(YEAR, unit)
    correct_a_notice(unit, django_capture_on_commit_callbacks)
    after = evaluation.evaluation_context(YEAR, unit)
    assert kept_row(unit).stale_since is None
    assert _pdf_figures(after) == live_pdf_figures(monkeypatch, unit)
    assert _pdf_figures(after)["goals"] != _pdf_figures(before)["goals"]


def test_the_pdf_of_a_fixed_year_still_reads_its_snapshot(golden, unit, manager, django_assert_num_queries):
    snapshots.freeze_year(unit, YEAR, user=manager)
    with django_assert_num_queries(PDF_KEPT_QUERIES - 1):
        context = evaluation.evaluation_context(YEAR, unit)
    assert context["frozen"] is not None
    assert kept_row(unit) is None
