"""Fixed closed years (reports.snapshots): the dashboard, the drill-down,
the exports and the yearly PDF show a fixed year's figures as they were
fixed, also after the records of some persons are culled; a year not fixed
is counted live; the running year is never fixed; the receiver of
culling_about_to_start fixes every ended year; who may fix a year; the
query count of a fixed year."""

from datetime import date
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessLogEntry
from core.signals import culling_about_to_start
from referrals.models import Client
from reports import evaluation, snapshots
from reports.kpis import additional_figures, caseload_per_pilot, compute_kpis
from reports.kpis.records import RECORD_LISTS, records_for
from reports.models import YearSnapshot
from reports.tests.golden_data import build_golden_dataset

pytestmark = pytest.mark.django_db
YEAR = 2025
# The persons whose records the tests cull: c1 (own housing in 2025, KPI 1;
# decision d6 executed in 2025), c2 (takeover, KPIs 1 and 7) and c4 (new
# tenancy and course in 2025, KPIs 4 and 5; the young adult's visits).
CULLED = ("c1", "c2", "c4")


def dashboard_url(year=YEAR):
    return reverse("reports:dashboard", args=[year])


def freeze_url(year=YEAR):
    return reverse("reports:freeze_year", args=[year])


@pytest.fixture
def golden(unit, other_unit):
    return build_golden_dataset(unit, other_unit)


def _purge(queryset):
    """Delete `queryset` and, first, every record that points to it (what
    a culling run does for a person, done directly)."""
    model = queryset.model
    for relation in model._meta.related_objects:
        if relation.many_to_many:
            continue
        related = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": queryset})
        if related.exists():
            _purge(related)
    queryset._raw_delete(queryset.db)


def cull(golden, names=CULLED):
    """Remove the persons `names` and everything recorded on them."""
    pks = [golden[name].pk for name in names]
    _purge(Client._base_manager.filter(pk__in=pks))
    assert not Client.objects.filter(pk__in=pks).exists()


def _kpi_values(kpis):
    return [(k.key, k.value, k.previous, k.numerator, k.denominator, k.met, [(f.key, f.value, f.previous)
             for f in k.figures]) for k in kpis]


# --- Fixing ----------------------------------------------------------------------------------------


def test_freeze_keeps_every_figure_and_reads_back_the_same(golden, unit, manager):
    kpis, sections, caseload = compute_kpis(YEAR, unit), additional_figures(YEAR, unit), caseload_per_pilot(YEAR, unit)
    snapshot, created = snapshots.freeze_year(unit, YEAR, user=manager)
    assert created
    assert snapshot.format_version == snapshots.FORMAT_VERSION
    frozen = snapshots.frozen_year(unit, YEAR)
    # The engine's own types, value for value (Decimal shares stay Decimal).
    assert frozen.kpis == kpis
    assert frozen.sections == sections
    assert frozen.caseload == caseload
    assert frozen.frozen_by == manager.get_full_name()
    assert frozen.drilldown.keys() == RECORD_LISTS.keys()
    independent = records_for("kpi1.independent", YEAR, unit)
    assert frozen.drilldown["kpi1.independent"] == {
        "records": independent.count(), "persons": independent.values("client").distinct().count(),
    }


def test_a_fixed_year_is_never_counted_again(golden, unit, manager):
    first, created = snapshots.freeze_year(unit, YEAR, user=manager)
    with mock.patch.object(snapshots, "year_data") as counted:
        again, created_again = snapshots.freeze_year(unit, YEAR, culling_run_id=7)
    assert (again.pk, created, created_again) == (first.pk, True, False)
    counted.assert_not_called()


def test_one_snapshot_per_unit_and_year_is_a_constraint(unit, manager):
    YearSnapshot.objects.create(unit=unit, year=2020, format_version=1, data={}, frozen_at=timezone.now(),
                                frozen_by=manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        YearSnapshot.objects.create(unit=unit, year=2020, format_version=1, data={}, frozen_at=timezone.now(),
                                    culling_run_id=1)


def test_a_snapshot_says_where_it_came_from(unit):
    with pytest.raises(IntegrityError), transaction.atomic():
        YearSnapshot.objects.create(unit=unit, year=2020, format_version=1, data={}, frozen_at=timezone.now())


@pytest.mark.parametrize("ahead", [0, 1])
def test_the_running_year_is_never_fixed(unit, manager, ahead):
    with pytest.raises(snapshots.FreezeError):
        snapshots.freeze_year(unit, timezone.localdate().year + ahead, user=manager)
    assert not YearSnapshot.objects.exists()


def test_the_last_day_of_the_year_is_not_closed_the_first_of_the_next_is(unit, manager):
    assert not snapshots.is_closed(2025, date(2025, 12, 31))
    assert snapshots.is_closed(2025, date(2026, 1, 1))
    with pytest.raises(snapshots.FreezeError):
        snapshots.freeze_year(unit, 2025, user=manager, today=date(2025, 12, 31))


def test_the_receiver_fixes_every_ended_year_of_every_unit(golden, unit, other_unit, manager):
    this_year = timezone.localdate().year
    snapshots.freeze_year(unit, YEAR, user=manager)  # fixed before: kept as it is
    culling_about_to_start.send(sender=None, run_id=42)
    fixed = {(s.unit_id, s.year): s for s in YearSnapshot.objects.all()}
    # The golden data start in 2020 (tenancy T9) in the unit; the other unit's
    # records are in 2024–2025 (at least).
    unit_years = set(snapshots.years_with_records(unit))
    assert unit_years == set(range(2020, this_year))
    assert {year for unit_id, year in fixed if unit_id == unit.pk} == unit_years
    assert {year for unit_id, year in fixed if unit_id == other_unit.pk} == set(
        snapshots.years_with_records(other_unit))
    assert all(year < this_year for _unit, year in fixed)
    assert fixed[(unit.pk, YEAR)].frozen_by == manager and fixed[(unit.pk, YEAR)].culling_run_id is None
    assert fixed[(unit.pk, 2024)].culling_run_id == 42 and fixed[(unit.pk, 2024)].frozen_by is None
    # Sent again (a second run): nothing new, nothing counted.
    with mock.patch.object(snapshots, "year_data") as counted:
        culling_about_to_start.send(sender=None, run_id=43)
    counted.assert_not_called()
    assert YearSnapshot.objects.count() == len(fixed)


def test_a_failing_freeze_stops_the_culling_run(golden, unit):
    """The signal's receiver raises: the sender (the culling run) fails
    before anything is deleted (core.signals)."""
    with mock.patch.object(snapshots, "year_data", side_effect=RuntimeError("disk full")), \
            pytest.raises(RuntimeError):
        culling_about_to_start.send(sender=None, run_id=5)


# --- The figures after culling ---------------------------------------------------------------------


def test_culling_changes_live_figures_but_not_fixed_ones(client, golden, unit, manager):
    client.force_login(manager)
    live = client.get(dashboard_url())
    before = {
        "kpis": live.context["kpis"], "sections": live.context["sections"], "caseload": live.context["caseload"],
        "charts": [data for data, _svg in live.context["charts"]],
    }
    assert client.post(freeze_url()).status_code == 302
    cull(golden)
    # The culled persons counted: the live figures of 2025 are not the same any more.
    assert _kpi_values(compute_kpis(YEAR, unit)) != _kpi_values(before["kpis"])

    response = client.get(dashboard_url())
    assert response.status_code == 200
    assert response.context["kpis"] == before["kpis"]
    assert response.context["sections"] == before["sections"]
    assert response.context["caseload"] == before["caseload"]
    assert [data for data, _svg in response.context["charts"]] == before["charts"]
    page = response.content.decode()
    assert f"Fastställd {timezone.localdate():%Y-%m-%d}" in page
    assert 'id="freeze-form"' not in page


def test_a_year_not_fixed_is_counted_live(client, golden, unit, manager):
    client.force_login(manager)
    cull(golden)
    response = client.get(dashboard_url())
    assert response.context["frozen"] is None
    assert _kpi_values(response.context["kpis"]) == _kpi_values(compute_kpis(YEAR, unit))
    assert 'id="freeze-form"' in response.content.decode()


def test_drilldown_of_a_fixed_year_shows_the_fixed_count_and_the_culled(client, golden, unit, manager):
    key = "kpi1.clients"  # the clients who held a training apartment in 2025
    before = records_for(key, YEAR, unit).count()
    snapshots.freeze_year(unit, YEAR, user=manager)
    cull(golden)
    now = records_for(key, YEAR, unit).count()
    assert now == before - 3  # c1, c2 and c4 held one

    client.force_login(manager)
    response = client.get(reverse("reports:drilldown", args=[YEAR, key]))
    assert response.status_code == 200
    assert response.context["total"] == before
    assert response.context["gone"] == 3
    assert response.context["culled_persons"] == 3
    # The records still in the register are listed.
    assert response.context["page_obj"].paginator.count + response.context["hidden"] == now
    page = response.content.decode()
    assert "3 personer gallrade" in page
    assert f"räknade figuren {before} poster" in page


def test_drilldown_counts_per_person_not_per_record(client, golden, unit, manager):
    """A person with several visits counts once among those culled."""
    key = "visits.all.planned"
    snapshots.freeze_year(unit, YEAR, user=manager)
    frozen = snapshots.frozen_year(unit, YEAR).drilldown[key]
    cull(golden, names=("c4",))
    client.force_login(manager)
    response = client.get(reverse("reports:drilldown", args=[YEAR, key]))
    assert response.context["total"] == frozen["records"]
    assert response.context["gone"] == frozen["records"] - records_for(key, YEAR, unit).count() > 1
    assert response.context["culled_persons"] == 1


def test_drilldown_of_a_year_not_fixed_is_live(client, golden, unit, manager):
    cull(golden)
    client.force_login(manager)
    response = client.get(reverse("reports:drilldown", args=[YEAR, "kpi1.clients"]))
    assert response.context["frozen"] is None
    assert response.context["total"] == records_for("kpi1.clients", YEAR, unit).count()
    assert "gallrade" not in response.content.decode()


def _pdf_figures(context):
    keys = ("goals", "goals_met", "goals_judged", "apartments", "clients", "orders", "visits", "staff",
            "caseload", "cancellations", "figure_sections", "visits_chart", "notices_chart", "end_reasons_chart")
    return {key: context[key] for key in keys}


def test_the_pdf_of_a_fixed_year_is_the_same_after_culling(golden, unit, manager, monkeypatch):
    # The charts' data, not their PNG bytes (matplotlib's output is not
    # byte-stable between renders): the same data draws the same chart.
    monkeypatch.setattr(evaluation, "dashboard_chart", lambda data: data)
    before = _pdf_figures(evaluation.evaluation_context(YEAR, unit))
    snapshots.freeze_year(unit, YEAR, user=manager)
    cull(golden)
    assert _pdf_figures(evaluation.evaluation_context(YEAR, unit, kpis=compute_kpis(YEAR, unit)))["goals"] \
        != before["goals"]  # live, the culled persons are missing
    after = evaluation.evaluation_context(YEAR, unit)
    assert after["frozen"] is not None
    assert _pdf_figures(after) == before
    monkeypatch.undo()
    _filename, _mime, content = evaluation.render_evaluation(YEAR, unit)
    from .test_evaluation_pdf import body_text

    assert f"Fastställd {timezone.localdate():%Y-%m-%d}" in body_text(content).replace("\n", " ")


def test_the_exports_of_a_fixed_year_are_the_fixed_figures(client, golden, unit, manager):
    client.force_login(manager)
    before = client.get(reverse("reports:export_csv", args=[YEAR])).content
    snapshots.freeze_year(unit, YEAR, user=manager)
    cull(golden)
    assert client.get(reverse("reports:export_csv", args=[YEAR])).content == before


# --- Who may fix a year ------------------------------------------------------------------------------


def test_anonymous_goes_to_login(client):
    response = client.post(freeze_url())
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert not YearSnapshot.objects.exists()


@pytest.mark.parametrize("role", ["case_officer", "pilot", "housing_admin", "system_admin", "outside_officer"])
def test_other_roles_are_refused(client, users, role):
    client.force_login(users[role])
    assert client.post(freeze_url()).status_code == 403
    assert not YearSnapshot.objects.exists()


def test_manager_without_unit_is_refused(client):
    client.force_login(UserFactory(username="chef_utan", unit=None, roles=[Role.MANAGER]))
    assert client.post(freeze_url()).status_code == 403
    assert not YearSnapshot.objects.exists()


def test_get_is_not_allowed(client, manager):
    client.force_login(manager)
    assert client.get(freeze_url()).status_code == 405
    assert not YearSnapshot.objects.exists()


def test_a_manager_fixes_only_their_own_unit(client, golden, unit, other_unit):
    """The outsider: another unit's manager fixes their own unit's year; the
    first unit's stays live."""
    outsider = UserFactory(username="chef_annan", unit=other_unit, roles=[Role.MANAGER])
    client.force_login(outsider)
    assert client.post(freeze_url()).status_code == 302
    assert list(YearSnapshot.objects.values_list("unit", "year")) == [(other_unit.pk, YEAR)]
    assert snapshots.frozen_year(unit, YEAR) is None


def test_manager_fixes_the_year_and_it_is_logged(client, golden, unit, manager):
    client.force_login(manager)
    response = client.post(freeze_url(), follow=True)
    assert response.redirect_chain[-1][0] == dashboard_url()
    snapshot = YearSnapshot.objects.get(unit=unit, year=YEAR)
    assert snapshot.frozen_by == manager
    assert "Siffrorna för 2025 är fastställda." in response.content.decode()
    row = AccessLogEntry.objects.get(note=f"fixed {YEAR}")
    assert (row.user, row.client_id) == (manager, None)
    # Again: nothing changes, no second row.
    response = client.post(freeze_url(), follow=True)
    assert "redan fastställda" in response.content.decode()
    assert YearSnapshot.objects.count() == 1 and AccessLogEntry.objects.filter(note=f"fixed {YEAR}").count() == 1


def test_the_running_year_cannot_be_fixed_on_the_page(client, golden, unit, manager):
    this_year = timezone.localdate().year
    client.force_login(manager)
    assert 'id="freeze-form"' not in client.get(dashboard_url(this_year)).content.decode()
    response = client.post(freeze_url(this_year), follow=True)
    assert "har inte tagit slut" in response.content.decode()
    assert not YearSnapshot.objects.exists()


def test_year_out_of_range_is_404(client, manager):
    client.force_login(manager)
    assert client.post(freeze_url(1999)).status_code == 404


# --- Queries -------------------------------------------------------------------------------------------


# A fixed year: the request's 2 (see test_dashboard.QUERIES), the manager's
# unit and the years with data, and the snapshot. No KPI or chart query.
FROZEN_QUERIES = 5


def test_a_fixed_year_runs_no_kpi_query(client, golden, unit, manager, django_assert_num_queries):
    snapshots.freeze_year(unit, YEAR, user=manager)
    client.force_login(manager)
    client.get(dashboard_url())
    with django_assert_num_queries(FROZEN_QUERIES) as captured:
        assert client.get(dashboard_url()).status_code == 200
    tables = " ".join(query["sql"] for query in captured.captured_queries)
    for table in ("bolots_visit", "referrals_decision", "tenancies_complaint", "reports_enforcementfigures"):
        assert table not in tables


def test_the_pdf_of_a_fixed_year_counts_nothing(golden, unit, manager, django_assert_max_num_queries):
    snapshots.freeze_year(unit, YEAR, user=manager)
    # The snapshot, and the narrative texts, which are read live: they are
    # words, not figures, and a manager may finish them after the year is
    # fixed (reports.services.narrative.pdf_texts).
    with django_assert_max_num_queries(2):
        evaluation.evaluation_context(YEAR, unit)


def test_drilldown_of_a_fixed_year_costs_what_a_live_one_does(client, golden, unit, manager,
                                                               django_assert_num_queries):
    from .test_drilldown import QUERIES

    snapshots.freeze_year(unit, YEAR, user=manager)
    client.force_login(manager)
    client.get(reverse("reports:drilldown", args=[YEAR, "kpi1.clients"]))
    with django_assert_num_queries(QUERIES):
        assert client.get(reverse("reports:drilldown", args=[YEAR, "kpi1.clients"])).status_code == 200
