"""Dry run, approval and execution of culling on hand-built files."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import AccessLogEntry
from core.signals import client_culled, culling_about_to_start
from culling.models import (
    CandidateOutcome,
    CandidateStatus,
    CulledPerson,
    CullingCandidate,
    CullingRules,
    RunEventKind,
    RunStatus,
)
from culling.registry import sources
from culling.services.assessment import deadline_for, due_date
from culling.services.execution import NotApproved, execute_run
from culling.services.runs import NotApprovable, approve_run, make_run
from referrals.models import Client, Decision
from referrals.tests.factories_decisions import DecisionFactory

from .files import date_back, full_file, person, remaining

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("manager")]

OLD = date(2019, 6, 3)


@pytest.fixture
def old_file(unit, case_officer, pilot, second_pilot, other_unit):
    client = full_file(unit, case_officer, pilot, second_pilot, other_unit)
    date_back(client.pk, OLD)
    return client


def test_the_hand_built_file_has_a_record_of_every_kind(old_file):
    assert set(remaining(old_file.pk)) == {source.kind for source in sources()}


@pytest.mark.parametrize(("last_entry", "due", "deadline"), [
    (date(2021, 12, 31), date(2026, 12, 31), date(2027, 12, 31)),  # due on New Year's Eve
    (date(2022, 1, 1), date(2027, 1, 1), date(2028, 12, 31)),  # one day later: next year's run
    (date(2020, 2, 29), date(2025, 2, 28), date(2026, 12, 31)),  # leap day
])
def test_the_date_rule(last_entry, due, deadline):
    assert due_date(last_entry, 5) == due
    assert deadline_for(due) == deadline


def test_year_boundary_on_the_yearly_run(ctx, unit, case_officer):
    """The yearly run of 10 January 2027 lists a file whose last entry was
    on 31 December 2021 and 9 January 2022, not one of 11 January 2022."""
    listed, later = person(unit, case_officer), person(unit, case_officer)
    boundary = person(unit, case_officer)
    date_back(listed.pk, date(2021, 12, 31))
    date_back(boundary.pk, date(2022, 1, 10))
    date_back(later.pk, date(2022, 1, 11))
    run = make_run(ctx, unit, as_of=date(2027, 1, 10))
    rows = {c.client_id: c for c in run.candidates.all()}
    assert set(rows) == {listed.pk, boundary.pk}
    assert rows[listed.pk].due_on == date(2026, 12, 31)
    assert rows[listed.pk].deadline == date(2027, 12, 31)
    assert rows[boundary.pk].deadline == date(2028, 12, 31)


def test_dry_run_lists_due_and_kept_with_reasons(ctx, unit, case_officer, old_file):
    research = person(unit, case_officer, birth=date(1971, 5, 15))
    date_back(research.pk, OLD)
    open_decision = person(unit, case_officer)
    DecisionFactory(client=open_decision, decided_by=case_officer)
    date_back(open_decision.pk, OLD)
    recent = person(unit, case_officer)
    date_back(recent.pk, timezone.localdate() - timedelta(days=365 * 4))

    run = make_run(ctx, unit)
    rows = {c.client_id: c for c in run.candidates.all()}
    assert recent.pk not in rows
    due = rows[old_file.pk]
    assert due.status == CandidateStatus.DUE and due.reasons == []
    assert due.last_entry == OLD and due.due_on == date(2024, 6, 3) and due.deadline == date(2025, 12, 31)
    assert due.counts["referrals.decision"] == 1 and due.counts["referrals.plangoal"] == 1
    assert due.counts["bolots.attendance"] == 1 and due.counts["tenancies.complaint"] == 1
    assert rows[research.pk].status == CandidateStatus.EXEMPT
    assert rows[research.pk].reasons == ["research_day"]
    assert rows[open_decision.pk].status == CandidateStatus.EXEMPT
    assert rows[open_decision.pk].reasons == ["open:referrals.decision"]
    assert [e.kind for e in run.events.all()] == [RunEventKind.MADE]


def test_exempt_record_kind_keeps_the_person(ctx, unit, old_file):
    CullingRules.objects.update_or_create(pk=1, defaults={"exempt_kinds": ["referrals.concernreport"]})
    run = make_run(ctx, unit)
    row = run.candidates.get(client=old_file)
    assert row.status == CandidateStatus.EXEMPT and row.reasons == ["exempt_kind:referrals.concernreport"]


def test_the_rules_years_move_the_due_date(ctx, unit, old_file):
    CullingRules.objects.update_or_create(pk=1, defaults={"years": 10})
    assert not make_run(ctx, unit).candidates.exists()


def _receivers():
    calls = []

    def started(sender, run_id, **kwargs):
        calls.append(("start", run_id, CulledPerson.objects.count()))

    def culled(sender, client_id, reference, **kwargs):
        calls.append(("culled", client_id, reference, connection.in_atomic_block,
                      Client.objects.filter(pk=client_id).exists()))

    return calls, started, culled


def test_culling_removes_every_record_in_every_app(ctx, unit, case_officer, manager, old_file):
    research = person(unit, case_officer, birth=date(1971, 5, 25))
    date_back(research.pk, OLD)
    run = approve_run(ctx, make_run(ctx, unit))
    counts = run.candidates.get(client=old_file).counts
    kept_before = remaining(research.pk)
    calls, started, culled = _receivers()
    culling_about_to_start.connect(started, weak=False)
    client_culled.connect(culled, weak=False)
    try:
        run = execute_run(ctx, run.pk)
    finally:
        culling_about_to_start.disconnect(started)
        client_culled.disconnect(culled)

    # Not one row pointing at the person is left, in any model.
    for source in sources():
        assert not source.for_clients([old_file.pk]).exists(), source.kind
    # The research-day person is untouched.
    assert remaining(research.pk) == kept_before
    year = timezone.localdate().year
    register = CulledPerson.objects.get()
    assert register.reference == f"G-{year}-0001"
    assert register.counts == counts and register.approved_by == manager and register.run == run
    # No personal data in the register row.
    stored = str([getattr(register, f.attname) for f in CulledPerson._meta.concrete_fields])
    for secret in (old_file.first_name, old_file.last_name, old_file.personal_number,
                   old_file.personal_number[:8]):
        assert secret not in stored
    assert not {"client", "client_id", "birth_date"} & {f.name for f in CulledPerson._meta.get_fields()}
    # The signals: the start once, before anything was culled; the person's
    # inside their transaction, after their records were deleted.
    assert calls == [("start", run.pk, 0), ("culled", old_file.pk, f"G-{year}-0001", True, False)]
    row = CullingCandidate.objects.get(run=run, status=CandidateStatus.DUE)
    assert row.client_id is None and row.outcome == CandidateOutcome.CULLED and row.reference == register.reference
    assert run.status == RunStatus.DONE
    assert [e.kind for e in run.events.all()] == [
        RunEventKind.MADE, RunEventKind.APPROVED, RunEventKind.STARTED, RunEventKind.CULLED, RunEventKind.FINISHED]
    notes = set(AccessLogEntry.objects.filter(object_type="culling.cullingrun").values_list("note", flat=True))
    assert {"culling list made", "culling approved", "culling executed: 1"} <= notes


def test_nothing_is_culled_without_approval(ctx, unit, old_file):
    run = make_run(ctx, unit)
    with pytest.raises(NotApproved):
        execute_run(ctx, run.pk)
    assert set(remaining(old_file.pk)) == {source.kind for source in sources()}
    assert not CulledPerson.objects.exists()
    run.refresh_from_db()
    assert run.status == RunStatus.LISTED


def test_a_list_is_approved_once(ctx, unit, old_file):
    run = approve_run(ctx, make_run(ctx, unit))
    with pytest.raises(NotApprovable):
        approve_run(ctx, run)
    execute_run(ctx, run.pk)
    with pytest.raises(NotApproved):
        execute_run(ctx, run.pk)


def test_new_entries_after_the_list_skip_the_person(ctx, unit, case_officer, old_file):
    run = approve_run(ctx, make_run(ctx, unit))
    # A new entry in the file after the list was made.
    DecisionFactory(client=old_file, decided_by=case_officer, decided_on=timezone.localdate(),
                    outcome="rejected")
    run = execute_run(ctx, run.pk)
    row = run.candidates.get(client=old_file)
    assert row.outcome == CandidateOutcome.SKIPPED and "new entries" in row.outcome_note
    assert Client.objects.filter(pk=old_file.pk).exists()
    assert not CulledPerson.objects.exists()
    assert run.events.filter(kind=RunEventKind.SKIPPED).exists()


def test_a_failure_rolls_back_only_that_person(ctx, unit, case_officer, pilot, second_pilot, other_unit, old_file):
    second = full_file(unit, case_officer, pilot, second_pilot, other_unit, birth=date(1972, 8, 9))
    date_back(second.pk, OLD)
    run = approve_run(ctx, make_run(ctx, unit))
    before = remaining(old_file.pk)

    def refuse(sender, client_id, reference, **kwargs):
        if client_id == old_file.pk:
            raise RuntimeError("receiver refused")

    client_culled.connect(refuse, weak=False)
    try:
        run = execute_run(ctx, run.pk)
    finally:
        client_culled.disconnect(refuse)
    assert remaining(old_file.pk) == before
    assert remaining(second.pk) == {}
    failed = run.candidates.get(client=old_file)
    assert failed.outcome == CandidateOutcome.FAILED and failed.outcome_note == "RuntimeError"
    assert CulledPerson.objects.count() == 1
    assert run.status == RunStatus.DONE
    assert "1 culled, 0 skipped, 1 failed" in run.events.get(kind=RunEventKind.FINISHED).note


def test_open_record_keeps_the_person_at_execution_too(ctx, unit, case_officer, old_file):
    """Opened between approval and execution: the re-check keeps the file."""
    run = approve_run(ctx, make_run(ctx, unit))
    decision = DecisionFactory(client=old_file, decided_by=case_officer, decided_on=OLD)
    Decision.objects.filter(pk=decision.pk).update(created_at=timezone.make_aware(
        timezone.datetime(2019, 6, 3, 12, 0)))
    run = execute_run(ctx, run.pk)
    row = run.candidates.get(client=old_file)
    assert row.outcome == CandidateOutcome.SKIPPED and "open:referrals.decision" in row.outcome_note
    assert Client.objects.filter(pk=old_file.pk).exists()


def test_the_yearly_dry_run_lists_every_unit_and_culls_nothing(unit, other_unit, old_file, settings):
    from culling.models import CullingRun, RunTrigger
    from culling.tasks import yearly_dry_runs

    schedule = settings.CELERY_BEAT_SCHEDULE["culling-yearly-dry-run"]["schedule"]
    assert schedule.day_of_month == {10} and schedule.month_of_year == {1}
    made = yearly_dry_runs()
    runs = CullingRun.objects.filter(pk__in=made)
    assert {run.unit_id for run in runs} >= {unit.pk, other_unit.pk}
    assert all(run.trigger == RunTrigger.SCHEDULED and run.made_by is None for run in runs)
    assert runs.get(unit=unit).candidates.get().client == old_file
    assert Client.objects.filter(pk=old_file.pk).exists() and not CulledPerson.objects.exists()
    # Once a year: a second run the same year makes no second list.
    assert yearly_dry_runs() == made
