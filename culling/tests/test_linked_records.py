"""Records linked as the same person are culled as one person
(docs/culling.md "One person, several records").

Someone without a Swedish number may be registered twice; the files are
then linked (referrals PersonLink, kind same_person), never merged. The law's
rule "nothing of a person is culled while other records on them remain" is
about the person: a linked record with recent entries, an open case, a
research-day birth date or an exempt kind keeps every record of the
person, and records due together are culled together.
"""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.signals import client_culled
from culling.models import CandidateOutcome, CandidateStatus, CulledPerson, CullingCandidate, RunEventKind
from culling.registry import sources
from culling.services.assessment import assess, same_person_groups
from culling.services.execution import execute_run
from culling.services.runs import approve_run, due_list, make_run
from referrals.models import Client, PersonLink, PersonLinkKind
from referrals.tests.factories_decisions import DecisionFactory

from .files import date_back, full_file, person, remaining

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("manager")]

OLD = date(2019, 6, 3)
OLDER = date(2018, 9, 4)
RULES = {"years": 5, "research_days": [5, 15, 25], "exempt_kinds": []}


def link(a, b, officer, **fields):
    return PersonLink.objects.create(client=a, other_client=b, kind=PersonLinkKind.SAME_PERSON,
                                     linked_by=officer, **fields)


def old_person(unit, officer, day=OLD, birth=date(1980, 2, 3)):
    client = person(unit, officer, birth)
    date_back(client.pk, day)
    return client


def rows_of(run):
    return {row.client_id: row for row in run.candidates.all()}


def test_an_open_case_on_one_record_keeps_both(ctx, unit, case_officer):
    first = old_person(unit, case_officer)
    second = person(unit, case_officer, date(1980, 2, 3))
    DecisionFactory(client=second, decided_by=case_officer)
    date_back(second.pk, OLD)
    link(first, second, case_officer)
    date_back(first.pk, OLD)  # the link is as old as the rest

    run = approve_run(ctx, make_run(ctx, unit))
    rows = rows_of(run)
    assert rows[first.pk].status == rows[second.pk].status == CandidateStatus.EXEMPT
    # The reason is the person's: the first record has no decision itself.
    assert rows[first.pk].reasons == ["open:referrals.decision"]
    assert "referrals.decision" not in rows[first.pk].counts
    execute_run(ctx, run.pk)
    assert Client.objects.filter(pk__in=[first.pk, second.pk]).count() == 2
    assert PersonLink.objects.filter(client=first, other_client=second).exists()
    assert not CulledPerson.objects.exists()


def test_recent_entries_on_one_record_keep_both(ctx, unit, case_officer):
    first = old_person(unit, case_officer)
    second = person(unit, case_officer)
    date_back(second.pk, timezone.localdate() - timedelta(days=365))
    link(second, first, case_officer)  # named from the other side this time
    date_back(second.pk, timezone.localdate() - timedelta(days=365))

    assert due_list(unit, as_of=timezone.localdate()) == []
    assert not make_run(ctx, unit).candidates.exists()


def test_a_research_day_of_a_linked_record_keeps_both(ctx, unit, case_officer):
    first = old_person(unit, case_officer, birth=date(1980, 2, 3))
    # The same person, registered with another (mistaken) birth date.
    second = old_person(unit, case_officer, birth=date(1980, 2, 15))
    link(first, second, case_officer)
    date_back(first.pk, OLD)
    rows = rows_of(make_run(ctx, unit))
    assert rows[first.pk].reasons == rows[second.pk].reasons == ["research_day"]


def test_both_due_are_culled_together_as_one_person(ctx, unit, case_officer, pilot, second_pilot, other_unit):
    """A full file and two more records of the same person, linked in a
    chain (A = B, C = B): one person, one transaction, one reference."""
    first = full_file(unit, case_officer, pilot, second_pilot, other_unit)
    second = person(unit, case_officer)
    third = person(unit, case_officer)
    link(first, second, case_officer)
    link(third, second, case_officer)
    for client, day in ((first, OLD), (second, OLDER), (third, OLDER)):
        date_back(client.pk, day)
    # The file linked NOT_SAME by full_file is someone else, and recent.
    someone_else = PersonLink.objects.get(client=first, kind=PersonLinkKind.NOT_SAME).other_client_id

    run = approve_run(ctx, make_run(ctx, unit))
    rows = rows_of(run)
    assert set(rows) == {first.pk, second.pk, third.pk}
    # The person's last entry and dates on every record's row.
    assert {(r.status, r.last_entry, r.due_on) for r in rows.values()} == {
        (CandidateStatus.DUE, OLD, date(2024, 6, 3))}
    own_counts = {pk: row.counts for pk, row in rows.items()}
    assert own_counts[second.pk] == {"referrals.client": 1}
    assert own_counts[third.pk] == {"referrals.client": 1, "referrals.personlink": 1}

    calls = []

    def culled(sender, client_id, reference, **kwargs):
        calls.append((client_id, reference, connection.in_atomic_block))

    client_culled.connect(culled, weak=False)
    try:
        run = execute_run(ctx, run.pk)
    finally:
        client_culled.disconnect(culled)

    for client in (first, second, third):
        assert remaining(client.pk) == {}, client
    # The links between them went with them; the other person is untouched.
    assert not PersonLink.objects.filter(client_id__in=[first.pk, second.pk, third.pk]).exists()
    assert not PersonLink.objects.filter(other_client_id__in=[first.pk, second.pk, third.pk]).exists()
    assert Client.objects.filter(pk=someone_else).exists()
    register = CulledPerson.objects.get()
    expected = {}
    for counts in own_counts.values():
        for kind, n in counts.items():
            expected[kind] = expected.get(kind, 0) + n
    assert register.counts == expected
    # The audit app hears of every record, under the one reference.
    assert sorted(calls) == sorted((pk, register.reference, True) for pk in (first.pk, second.pk, third.pk))
    culled_rows = CullingCandidate.objects.filter(run=run)
    assert {(r.outcome, r.reference, r.client_id) for r in culled_rows} == {
        (CandidateOutcome.CULLED, register.reference, None)}
    assert {r.pk: r.counts for r in culled_rows} == {rows[pk].pk: own_counts[pk] for pk in rows}
    events = list(run.events.values_list("kind", "note"))
    assert [note for kind, note in events if kind == RunEventKind.CULLED] == [
        f"{register.reference} (3 linked records)"]
    assert not [kind for kind, _note in events if kind in (RunEventKind.SKIPPED, RunEventKind.FAILED)]
    assert "3 culled, 0 skipped, 0 failed" in run.events.get(kind=RunEventKind.FINISHED).note


def test_a_link_made_after_the_list_keeps_both(ctx, unit, case_officer):
    """The manager approved two files of two people; linked since, they are
    one person whose file has a new entry: neither is culled."""
    first, second = old_person(unit, case_officer), old_person(unit, case_officer)
    run = approve_run(ctx, make_run(ctx, unit))
    link(first, second, case_officer)
    run = execute_run(ctx, run.pk)
    rows = rows_of(run)
    assert {row.outcome for row in rows.values()} == {CandidateOutcome.SKIPPED}
    assert "new entries" in rows[second.pk].outcome_note
    assert Client.objects.filter(pk__in=[first.pk, second.pk]).count() == 2
    assert not CulledPerson.objects.exists()


def test_a_linked_record_not_on_the_list_keeps_the_person(ctx, unit, other_unit, case_officer):
    """A record of another unit (links are made within a unit; this one
    by hand) is on that unit's list, not this one: the manager of this
    list did not approve it, so nothing of the person is culled here."""
    first = old_person(unit, case_officer)
    second = old_person(other_unit, case_officer)
    link(first, second, case_officer)
    date_back(first.pk, OLD)
    run = approve_run(ctx, make_run(ctx, unit))
    assert set(rows_of(run)) == {first.pk}
    run = execute_run(ctx, run.pk)
    row = run.candidates.get()
    assert row.outcome == CandidateOutcome.SKIPPED and "linked record" in row.outcome_note
    assert Client.objects.filter(pk__in=[first.pk, second.pk]).count() == 2


def test_a_failure_rolls_back_every_record_of_the_person(ctx, unit, case_officer):
    first, second = old_person(unit, case_officer), old_person(unit, case_officer)
    link(first, second, case_officer)
    date_back(first.pk, OLD)
    run = approve_run(ctx, make_run(ctx, unit))

    def refuse(sender, client_id, reference, **kwargs):
        if client_id == second.pk:
            raise RuntimeError("receiver refused")

    client_culled.connect(refuse, weak=False)
    try:
        run = execute_run(ctx, run.pk)
    finally:
        client_culled.disconnect(refuse)
    assert Client.objects.filter(pk__in=[first.pk, second.pk]).count() == 2
    assert PersonLink.objects.filter(client=first, other_client=second).exists()
    rows = rows_of(run)
    assert rows[first.pk].outcome == CandidateOutcome.FAILED
    # The second record's turn: its linked record failed, so it is not culled alone.
    assert rows[second.pk].outcome == CandidateOutcome.SKIPPED
    assert not CulledPerson.objects.exists()


def test_undone_links_and_someone_else_tie_nothing(ctx, unit, case_officer):
    due = old_person(unit, case_officer)
    kept = person(unit, case_officer)
    DecisionFactory(client=kept, decided_by=case_officer)
    different = person(unit, case_officer)
    DecisionFactory(client=different, decided_by=case_officer)
    link(kept, due, case_officer, unlinked_at=timezone.now(), unlinked_by=case_officer, unlink_reason="Fel")
    PersonLink.objects.create(client=due, other_client=different, kind=PersonLinkKind.NOT_SAME,
                              linked_by=case_officer)
    for client in (due, kept, different):
        date_back(client.pk, OLD)
    run = approve_run(ctx, make_run(ctx, unit))
    rows = rows_of(run)
    assert rows[due.pk].status == CandidateStatus.DUE and rows[kept.pk].status == CandidateStatus.EXEMPT
    execute_run(ctx, run.pk)
    assert remaining(due.pk) == {}
    # The undone link named the culled file from the other side: it went with it.
    assert not PersonLink.objects.filter(other_client=due).exists()
    assert remaining(kept.pk) == {"referrals.client": 1, "referrals.decision": 1}
    assert Client.objects.filter(pk=different.pk).exists()


def test_groups_follow_links_in_force_transitively(unit, case_officer):
    a, b, c, d, e = (person(unit, case_officer) for _i in range(5))
    link(a, b, case_officer)
    link(c, b, case_officer)
    link(d, e, case_officer, unlinked_at=timezone.now(), unlinked_by=case_officer)
    groups = same_person_groups([a.pk])
    assert groups == {a.pk: {a.pk, b.pk, c.pk}, b.pk: {a.pk, b.pk, c.pk}, c.pk: {a.pk, b.pk, c.pk}}
    assert same_person_groups([d.pk, e.pk]) == {}


def test_the_dry_runs_queries_do_not_grow_with_the_links(unit, case_officer, django_assert_num_queries):
    def pairs(n):
        made = []
        for _i in range(n):
            a, b = person(unit, case_officer), person(unit, case_officer)
            link(a, b, case_officer)
            made += [(a.pk, a.birth_date), (b.pk, b.birth_date)]
        return made

    few = pairs(1)
    queries = 2 * len(sources()) + 1
    with django_assert_num_queries(queries - sum(1 for s in sources() if s.open is None)):
        assess(few, rules=RULES, as_of=date(2100, 1, 1))
    many = few + pairs(4)
    with django_assert_num_queries(queries - sum(1 for s in sources() if s.open is None)):
        found = assess(many, rules=RULES, as_of=date(2100, 1, 1))
    assert {a.client_id: a.linked for a in found}[many[0][0]] == [many[1][0]]
