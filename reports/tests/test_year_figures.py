"""Closed years kept and recomputed (reports.year_figures,
reports.invalidation, reports.tasks_figures): the dashboard of a closed year
that is not fixed reads its kept figures (pinned query count, no KPI query);
the first request counts them; a correction of an old record — a late
move-out, a backdated visit, a deletion — marks exactly the affected years
stale, the dashboard says so and the recount brings the new figures; a
count overtaken by a correction is not kept; fixing a year copies fresh
kept figures."""

from datetime import date, datetime, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from bolots.models import Visit
from bolots.tests.factories import VisitFactory
from core.signals import records_updated
from referrals.models import EvictionNotice, NoticeOutcome
from referrals.tests.factories import ClientFactory, fictional_number
from referrals.tests.factories_notices import EvictionNoticeFactory
from referrals.tests.factories_orders import OrderFactory, make_pilot
from reports import invalidation, snapshots, tasks_figures, year_figures
from reports.kpis import compute_kpis
from reports.models import EnforcementFigures, YearFigures, YearSnapshot
from reports.tests.golden_data import build_golden_dataset
from tenancies.models import ApartmentStatus, EndReason
from tenancies.services.moves import move_out
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

pytestmark = pytest.mark.django_db
YEAR = 2025
# (The year list reads the first tenancy, notice and order: not counting.)
KPI_TABLES = ("bolots_visit", "referrals_decision", "tenancies_complaint", "tenancies_vacancy",
              "reports_enforcementfigures", "rent_rentnotice")


def dashboard_url(year=YEAR):
    return reverse("reports:dashboard", args=[year])


def keep(unit, *years):
    """Fresh kept rows for `years` (their data is not read by these tests)."""
    for year in years:
        YearFigures.objects.create(unit=unit, year=year, format_version=snapshots.FORMAT_VERSION, data={},
                                   counted_at=timezone.now())


def stale_years(unit):
    return set(YearFigures.objects.filter(unit=unit, stale_since__isnull=False).values_list("year", flat=True))


@pytest.fixture
def golden(unit, other_unit):
    return build_golden_dataset(unit, other_unit)


# --- The dashboard -----------------------------------------------------------------------------------


# A closed year with kept figures: the request's 2 (test_dashboard.QUERIES:
# the user and the unread notifications; session and permissions from the
# cache), the manager's unit and the years with data, whether the year is
# fixed, and the kept row. No KPI, chart or drill-down query. The budget is 12.
KEPT_QUERIES = 6


def test_a_closed_year_is_counted_once_then_read(client, golden, unit, manager, django_assert_num_queries):
    client.force_login(manager)
    first = client.get(dashboard_url())
    assert first.status_code == 200
    row = YearFigures.objects.get(unit=unit, year=YEAR)
    assert row.stale_since is None and row.format_version == snapshots.FORMAT_VERSION
    with django_assert_num_queries(KEPT_QUERIES) as captured:
        again = client.get(dashboard_url())
    assert again.status_code == 200
    sql = " ".join(query["sql"] for query in captured.captured_queries)
    for table in KPI_TABLES:
        assert table not in sql
    # The kept figures are the engine's, value for value.
    assert list(again.context["kpis"]) == list(compute_kpis(YEAR, unit))
    assert again.context["kpis"] == first.context["kpis"]
    assert b'id="recount-note"' not in again.content


def test_the_kept_figures_are_per_unit(client, golden, unit, other_unit, manager):
    other_manager = UserFactory(username="chef_other", unit=other_unit, roles=[Role.MANAGER])
    client.force_login(manager)
    mine = client.get(dashboard_url()).context["kpis"]
    client.force_login(other_manager)
    theirs = client.get(dashboard_url()).context["kpis"]
    assert list(theirs) == list(compute_kpis(YEAR, other_unit))
    assert list(theirs) != list(mine)
    assert set(YearFigures.objects.values_list("unit_id", "year")) == {(unit.pk, YEAR), (other_unit.pk, YEAR)}


def test_the_running_year_is_counted_live_and_not_kept(client, unit, manager):
    client.force_login(manager)
    assert client.get(dashboard_url(timezone.localdate().year)).status_code == 200
    assert not YearFigures.objects.exists()


def test_the_dashboard_refuses_others(client, users, unit):
    """The closed-year path is the dashboard's own URL: anonymous users go
    to the login, other roles get 403, and nothing is counted or kept."""
    assert client.get(dashboard_url()).status_code == 302
    client.force_login(users["pilot"])
    assert client.get(dashboard_url()).status_code == 403
    assert not YearFigures.objects.exists()


def test_a_stale_year_shows_the_kept_figures_with_a_note_then_the_recount(
        client, golden, unit, manager, django_capture_on_commit_callbacks, django_assert_num_queries):
    client.force_login(manager)
    before = client.get(dashboard_url()).context["kpis"]
    with django_capture_on_commit_callbacks() as callbacks:
        EvictionNoticeFactory(unit=unit, received_on=date(YEAR, 6, 3), eviction_date=date(YEAR, 9, 1))
    assert stale_years(unit) == {YEAR}
    # The recount waits for the commit (with, here, the factory's new user's
    # permission-cache renewal: accounts.permission_cache).
    assert callbacks
    with django_assert_num_queries(KEPT_QUERIES) as captured:
        response = client.get(dashboard_url())
    # Not counted live: the kept figures, and a note in Swedish.
    assert response.context["kpis"] == before
    assert "Siffrorna räknas om" in response.content.decode()
    assert "bolots_visit" not in " ".join(query["sql"] for query in captured.captured_queries)
    # The recount (the task, eager here) brings the new figures.
    for callback in callbacks:
        callback()
    assert stale_years(unit) == set()
    after = client.get(dashboard_url())
    assert list(after.context["kpis"]) == list(compute_kpis(YEAR, unit))
    assert after.context["kpis"] != before
    assert b'id="recount-note"' not in after.content


def test_an_overdue_recount_is_enqueued_again(client, unit, manager, settings, django_capture_on_commit_callbacks):
    keep(unit, YEAR)
    YearFigures.objects.update(data=snapshots.year_data(YEAR, unit),
                               stale_since=timezone.now() - timedelta(seconds=settings.YEAR_FIGURES_RECOUNT_AFTER + 5))
    client.force_login(manager)
    with mock.patch.object(tasks_figures.recount_year, "apply_async") as sent:
        with django_capture_on_commit_callbacks(execute=True):
            assert client.get(dashboard_url()).status_code == 200
    sent.assert_called_once_with(args=(unit.pk, YEAR), kwargs={})
    # Not overdue: not enqueued again on every request.
    YearFigures.objects.update(stale_since=timezone.now())
    with mock.patch.object(tasks_figures.recount_year, "apply_async") as sent:
        with django_capture_on_commit_callbacks(execute=True):
            client.get(dashboard_url())
    sent.assert_not_called()


# --- Which years a correction invalidates ------------------------------------------------------------


def test_a_late_move_out_invalidates_exactly_its_year(ctx, unit, other_unit):
    apartment = ApartmentFactory(unit=unit, status=ApartmentStatus.OCCUPIED)
    tenancy = TenancyFactory(apartment=apartment, start_date=date(2021, 4, 1))
    keep(unit, 2021, 2022, 2023, 2024, 2025)
    keep(other_unit, 2025)
    move_out(ctx, tenancy, date(YEAR, 11, 30), EndReason.MOVED_AWAY_UNKNOWN)
    assert stale_years(unit) == {2025}
    assert stale_years(other_unit) == set()


def test_a_backdated_visit_invalidates_its_year_and_the_next(unit, other_unit):
    pilot, other = make_pilot(unit, "pilot_bd"), make_pilot(unit, "pilot_bd2")
    order = OrderFactory(unit=unit, active_pilot=pilot, passive_pilot=other,
                         sent_at=timezone.make_aware(datetime(2024, 1, 10, 9)))
    keep(unit, 2022, 2023, 2024, 2025)
    keep(other_unit, 2024)
    YearFigures.objects.update(stale_since=None)
    VisitFactory(order=order, visited_at=timezone.make_aware(datetime(2024, 6, 10, 10)))
    # 2025: its Y−1 is 2024. 2023 is untouched (June is more than three
    # months into 2024).
    assert stale_years(unit) == {2024, 2025}
    assert stale_years(other_unit) == set()


def test_deleting_a_record_invalidates_its_years(unit):
    notice = EvictionNoticeFactory(unit=unit, received_on=date(2023, 5, 5), termination_date=date(2023, 5, 1))
    keep(unit, 2021, 2022, 2023, 2024, 2025)
    notice.delete()
    assert stale_years(unit) == {2023, 2024}


def test_moving_a_date_back_invalidates_the_years_between(unit):
    notice = EvictionNoticeFactory(unit=unit, received_on=date(2025, 2, 5), termination_date=date(2025, 2, 1))
    keep(unit, 2020, 2021, 2022, 2023, 2024, 2025)
    notice.received_on = date(2022, 8, 1)
    notice.save()
    assert stale_years(unit) == {2022, 2023, 2024, 2025}


def test_a_write_in_the_running_year_costs_no_query(unit):
    keep(unit, YEAR)
    pilot, other = make_pilot(unit, "pilot_now"), make_pilot(unit, "pilot_now2")
    order = OrderFactory(unit=unit, active_pilot=pilot, passive_pilot=other)
    with CaptureQueriesContext(connection) as captured:
        VisitFactory(order=order, visited_at=timezone.now())
    assert "reports_yearfigures" not in " ".join(query["sql"] for query in captured.captured_queries)
    assert stale_years(unit) == set()


def test_a_corrected_identity_number_changes_every_closed_year_of_the_unit(unit, other_unit, client_record):
    """A new birth date (and maybe gender) moves the person between the age
    groups of every year."""
    keep(unit, 2019, 2025)
    keep(other_unit, 2025)
    client_record.personal_number = fictional_number(998, birth_date=date(1990, 1, 1))
    client_record.save()
    assert client_record.birth_date == date(1990, 1, 1)
    assert stale_years(unit) == {2019, 2025}
    assert stale_years(other_unit) == set()


def test_an_apartment_let_again_changes_no_closed_year(unit):
    apartment = ApartmentFactory(unit=unit, status=ApartmentStatus.VACANT)
    keep(unit, 2024, 2025)
    apartment.status = ApartmentStatus.OCCUPIED
    apartment.save()
    assert stale_years(unit) == set()


def test_enforcement_figures_change_that_year_for_every_unit(unit, other_unit, manager):
    keep(unit, 2023, 2024, 2025)
    keep(other_unit, 2024)
    EnforcementFigures.objects.create(municipality=unit.municipality, year=2024, eviction_applications=3,
                                       executed_evictions=1, entered_by=manager)
    assert stale_years(unit) == {2024, 2025}
    assert stale_years(other_unit) == {2024}


# --- The recount ---------------------------------------------------------------------------------------


def test_a_count_overtaken_by_a_correction_is_not_kept(unit):
    real = snapshots.year_data

    def counted_while_corrected(year, counted_unit):
        data = real(year, counted_unit)
        year_figures.invalidate([unit.pk], [year])
        return data

    with mock.patch.object(year_figures, "year_data", counted_while_corrected):
        _data, kept = year_figures.count_year(unit.pk, YEAR)
    assert not kept
    row = YearFigures.objects.get(unit=unit, year=YEAR)
    assert row.stale_since is not None and row.data is None
    # The recount that correction enqueued keeps its own.
    assert tasks_figures.recount_year(unit.pk, YEAR) is True
    assert YearFigures.objects.get(unit=unit, year=YEAR).stale_since is None


def test_a_fresh_year_is_not_recounted(unit):
    keep(unit, YEAR)
    with mock.patch.object(year_figures, "year_data") as counted:
        assert tasks_figures.recount_year(unit.pk, YEAR) is False
        assert tasks_figures.recount_year(unit.pk, 2019) is False
    counted.assert_not_called()


def test_fixing_copies_fresh_kept_figures_and_drops_them(unit, manager):
    year_figures.count_year(unit.pk, YEAR)
    kept = YearFigures.objects.get(unit=unit, year=YEAR).data
    with mock.patch.object(snapshots, "year_data") as counted:
        snapshot, created = snapshots.freeze_year(unit, YEAR, user=manager)
    counted.assert_not_called()
    assert created and snapshot.data == kept
    assert not YearFigures.objects.exists()


def test_fixing_a_stale_year_counts_it(unit, manager):
    year_figures.count_year(unit.pk, YEAR)
    year_figures.invalidate([unit.pk], [YEAR])
    with mock.patch.object(snapshots, "year_data", wraps=snapshots.year_data) as counted:
        snapshots.freeze_year(unit, YEAR, user=manager)
    counted.assert_called_once_with(YEAR, unit)
    assert YearSnapshot.objects.filter(unit=unit, year=YEAR).exists()


def test_an_annulled_old_visit_invalidates_the_years_it_was_counted_in(unit, manager):
    pilot, other = make_pilot(unit, "pilot_an"), make_pilot(unit, "pilot_an2")
    order = OrderFactory(unit=unit, active_pilot=pilot, passive_pilot=other,
                         sent_at=timezone.make_aware(datetime(2024, 5, 10, 9)))
    visit = VisitFactory(order=order, visited_at=timezone.make_aware(datetime(2024, 6, 10, 10)))
    keep(unit, 2023, 2024, 2025)
    stored = Visit.objects.get(pk=visit.pk)
    # As audit.annulment.annul saves it (save_tracked, update_fields).
    stored.annulled_at, stored.annulled_by, stored.annul_reason = timezone.now(), manager, "Fel klient"
    stored.save(update_fields=["annulled_at", "annulled_by", "annul_reason"])
    assert stale_years(unit) == {2024, 2025}


def test_a_service_writing_with_update_sends_records_updated(unit):
    notice = EvictionNoticeFactory(unit=unit, received_on=date(2024, 9, 2), termination_date=date(2024, 9, 1))
    keep(unit, 2023, 2024, 2025)
    EvictionNotice.objects.filter(pk=notice.pk).update(outcome=NoticeOutcome.PREVENTED_PAID)
    assert stale_years(unit) == set()  # update() alone is not seen
    records_updated.send(sender=EvictionNotice, pks=[notice.pk])
    assert stale_years(unit) == {2024, 2025}


def test_a_client_created_changes_no_figure(unit):
    keep(unit, 2025)
    ClientFactory(unit=unit)
    assert stale_years(unit) == set()


def test_a_suspended_bulk_writer_marks_every_kept_year_once_at_the_end(unit, other_unit):
    """seed_demo writes backdated records by the thousand."""
    keep(unit, 2019, 2025)
    keep(other_unit, 2024)
    with invalidation.suspended():
        EvictionNoticeFactory(unit=unit, received_on=date(2019, 3, 3), termination_date=date(2019, 3, 1))
        assert stale_years(unit) == set()
    assert stale_years(unit) == {2019, 2025}
    assert stale_years(other_unit) == {2024}
