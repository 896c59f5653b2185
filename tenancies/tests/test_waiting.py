"""The waiting list's service (tenancies.services.waiting): which decisions
wait, in which order, days waiting and the IVO flags on hand-built dates
(month and year ends, a leap year), the priority history and the housing
needs with their rules and optimistic lock."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry, FieldChange
from audit.versioning import ConcurrentEditError
from referrals.models import DecisionKind, DecisionOutcome
from referrals.tests.factories import ClientFactory
from tenancies.models import Area, HousingNeeds, WaitingPriority
from tenancies.services import waiting
from tenancies.services.waiting import IvoState, ivo_state, set_needs, set_priority, waiting_decisions

from .factories import granted_decision

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 1)
URGENT, HIGH, NORMAL = WaitingPriority.Level.URGENT, WaitingPriority.Level.HIGH, WaitingPriority.Level.NORMAL


@pytest.fixture
def make(unit, case_officer):
    def make(decided_on, kind=DecisionKind.TRAINING_APARTMENT, unit_=None, **extra):
        client = ClientFactory(unit=unit_ or unit, responsible_officer=case_officer)
        return granted_decision(client, kind=kind, decided_on=decided_on, decided_by=case_officer, **extra)

    return make


def ids(queryset):
    return [decision.pk for decision in queryset]


# --- Which decisions wait, and their order ---------------------------------------------


def test_only_the_units_granted_non_executed_apartment_decisions_wait(ctx, make, unit, other_unit, case_officer):
    waiting_ones = [make(date(2026, 1, d), kind=kind) for d, kind in enumerate(DecisionKind.apartment_kinds(), 1)]
    make(date(2026, 1, 10), kind=DecisionKind.BOLOTS_SUPPORT)
    make(date(2026, 1, 10), kind=DecisionKind.HOME_SUPPORT)
    make(date(2026, 1, 10), executed_on=date(2026, 2, 1))
    make(date(2026, 1, 10), closed_on=date(2026, 2, 1), close_reason="Återkallat")
    rejected = make(date(2026, 1, 10))
    type(rejected).objects.filter(pk=rejected.pk).update(outcome=DecisionOutcome.REJECTED)
    make(date(2026, 1, 10), unit_=other_unit)
    annulled = make(date(2026, 1, 10))
    annulled.annulled_at, annulled.annulled_by, annulled.annul_reason = timezone.now(), case_officer, "Dubblett"
    annulled.save()

    assert ids(waiting_decisions(unit, TODAY)) == [d.pk for d in waiting_ones]
    assert ids(waiting_decisions(unit, TODAY, kind=DecisionKind.HOUSING_FIRST)) == [waiting_ones[3].pk]
    assert list(waiting_decisions(None, TODAY)) == []


def test_priority_first_then_oldest_and_the_oldest_first_toggle_ignores_priority(ctx, make, unit):
    a = make(date(2026, 1, 10))                 # no priority: counts as normal
    b = make(date(2026, 2, 1))                  # urgent
    c = make(date(2025, 12, 1))                 # normal, set explicitly
    d = make(date(2026, 2, 15))                 # high
    e = make(date(2025, 11, 1))                 # urgent once, then normal: the newest counts
    set_priority(ctx, b, URGENT, "Barn i hushållet, vräkning verkställs")
    set_priority(ctx, c, NORMAL, "Inget särskilt")
    set_priority(ctx, d, HIGH, "Bor på härbärge")
    set_priority(ctx, e, URGENT, "Akut hemlös")
    set_priority(ctx, e, NORMAL, "Har fått tillfälligt boende hos släkt")

    # urgent (b), high (d), then normal and none by decision date: e, c, a
    assert ids(waiting_decisions(unit, TODAY)) == [b.pk, d.pk, e.pk, c.pk, a.pk]
    assert ids(waiting_decisions(unit, TODAY, oldest_first=True)) == [e.pk, c.pk, a.pk, b.pk, d.pk]
    rows = {row.decision.pk: row for row in waiting.rows(waiting_decisions(unit, TODAY), TODAY)}
    assert rows[e.pk].decision.priority_level == NORMAL
    assert rows[e.pk].decision.priority_reason == "Har fått tillfälligt boende hos släkt"
    assert rows[a.pk].decision.priority_level is None
    assert rows[a.pk].priority_label == ""


def test_days_waiting_count_from_the_decision_date(make, unit):
    # 2025-12-31 → 2026-03-01: 31 (January) + 28 (February) + 1 = 60 days.
    make(date(2025, 12, 31))
    # Decided today: 0 days.
    make(TODAY)
    rows = waiting.rows(waiting_decisions(unit, TODAY, oldest_first=True), TODAY)
    assert [row.days_waiting for row in rows] == [60, 0]


# --- IVO: reportable within 30 days, or already ----------------------------------------


@pytest.mark.parametrize(
    ("decided_on", "today", "expected"),
    [
        # Decided 30 November: execute by 28 February, reportable from 1 March.
        (date(2025, 11, 30), date(2026, 1, 29), None),              # today + 30 = 28 Feb
        (date(2025, 11, 30), date(2026, 1, 30), IvoState.SOON),     # today + 30 = 1 Mar
        (date(2025, 11, 30), date(2026, 2, 28), IvoState.SOON),     # the last day before
        (date(2025, 11, 30), date(2026, 3, 1), IvoState.REPORTABLE),
        # A leap year: execute by 29 February 2028, reportable from 1 March.
        (date(2027, 11, 30), date(2028, 1, 30), None),              # today + 30 = 29 Feb
        (date(2027, 11, 30), date(2028, 1, 31), IvoState.SOON),     # today + 30 = 1 Mar
        (date(2027, 11, 30), date(2028, 2, 29), IvoState.SOON),
        (date(2027, 11, 30), date(2028, 3, 1), IvoState.REPORTABLE),
        # 31 January: execute by 30 April, reportable from 1 May.
        (date(2026, 1, 31), date(2026, 3, 31), None),               # today + 30 = 30 Apr
        (date(2026, 1, 31), date(2026, 4, 1), IvoState.SOON),       # today + 30 = 1 May
        (date(2026, 1, 31), date(2026, 5, 1), IvoState.REPORTABLE),
        # Across the year end: 31 October → execute by 31 January, reportable 1 February.
        (date(2025, 10, 31), date(2026, 1, 1), None),               # today + 30 = 31 Jan
        (date(2025, 10, 31), date(2026, 1, 2), IvoState.SOON),      # today + 30 = 1 Feb
        (date(2025, 10, 31), date(2026, 2, 1), IvoState.REPORTABLE),
    ],
)
def test_the_ivo_flag_on_hand_built_dates(make, unit, decided_on, today, expected):
    decision = make(decided_on)
    assert decision.reportable_from == decision.execution_due_by + timedelta(days=1)
    assert ivo_state(decision, today) == expected
    # The list's filters (SQL on execution_due_by) agree with the row's flag.
    for state in (IvoState.SOON, IvoState.REPORTABLE):
        assert ids(waiting_decisions(unit, today, ivo=state)) == ([decision.pk] if expected == state else [])


# --- Priorities --------------------------------------------------------------------------


def test_a_priority_is_appended_and_the_history_kept(ctx, make):
    decision = make(date(2026, 1, 10))
    first = set_priority(ctx, decision, HIGH, "  Bor i bil  ")
    second = set_priority(ctx, decision, URGENT, "Barnen placeras annars", seen=first.pk)

    history = list(waiting.priorities_of(decision))
    assert history == [second, first]
    assert (first.reason, first.set_by) == ("Bor i bil", ctx.user)
    entry = AccessLogEntry.objects.filter(object_type="tenancies.waitingpriority", object_id=str(second.pk)).get()
    assert (entry.action, entry.client_id, entry.note) == (AccessAction.CREATE, decision.client_id, "priority")


def test_a_priority_needs_a_reason(ctx, make):
    decision = make(date(2026, 1, 10))
    with pytest.raises(waiting.WaitingError) as refused:
        set_priority(ctx, decision, HIGH, "   ")
    assert refused.value.field == "reason"
    assert not WaitingPriority.objects.exists()


def test_a_priority_set_meanwhile_is_a_conflict(ctx, make):
    decision = make(date(2026, 1, 10))
    set_priority(ctx, decision, HIGH, "Bor på härbärge")
    with pytest.raises(ConcurrentEditError):
        set_priority(ctx, decision, URGENT, "Opened before the first was set", seen=0)
    assert WaitingPriority.objects.count() == 1


def test_an_executed_decision_takes_no_priority(ctx, make):
    decision = make(date(2026, 1, 10), executed_on=date(2026, 2, 1))
    with pytest.raises(waiting.WaitingError):
        set_priority(ctx, decision, HIGH, "För sent")


# --- Housing needs -----------------------------------------------------------------------


def test_needs_are_created_then_updated_with_history(ctx, make, unit):
    decision = make(date(2026, 1, 10))
    north, south = Area.objects.create(unit=unit, name="Norr"), Area.objects.create(unit=unit, name="Söder")
    needs = set_needs(ctx, decision, {"rooms_min": 1, "rooms_max": 2, "needs_lift": True, "children": 2,
                                      "areas": [north], "notes": "Husdjur (katt)"}, 0)
    assert (needs.version, needs.children, list(needs.areas.all())) == (1, 2, [north])
    assert AccessLogEntry.objects.filter(object_type="tenancies.housingneeds", action=AccessAction.CREATE).count() == 1

    updated = set_needs(ctx, decision, {"rooms_min": 2, "rooms_max": 3, "children": 2, "areas": [north, south]},
                        needs.version)
    assert updated.version == 2
    changed = {change.field: (change.old_value, change.new_value) for change in FieldChange.objects.filter(
        object_type="tenancies.housingneeds", object_id=str(needs.pk))}
    assert changed == {"rooms_min": ("1.0", "2.0"), "rooms_max": ("2.0", "3.0"), "areas": ("Norr", "Norr, Söder")}
    assert waiting.needs_parts(HousingNeeds.objects.get(pk=needs.pk)) == [
        "2–3 rum", "hiss eller bottenvåning", "2 barn", "Norr, Söder",
    ]


def test_needs_saved_against_an_old_version_or_created_twice_are_conflicts(ctx, make):
    decision = make(date(2026, 1, 10))
    needs = set_needs(ctx, decision, {"children": 1}, 0)
    with pytest.raises(ConcurrentEditError):
        set_needs(ctx, decision, {"children": 3}, 0)  # a second "new" form
    set_needs(ctx, decision, {"children": 2}, needs.version)
    with pytest.raises(ConcurrentEditError):
        set_needs(ctx, decision, {"children": 4}, needs.version)  # the version it was opened with
    assert HousingNeeds.objects.get().children == 2


def test_rooms_min_above_rooms_max_is_refused_beside_the_field(ctx, make):
    decision = make(date(2026, 1, 10))
    with pytest.raises(waiting.WaitingError) as refused:
        set_needs(ctx, decision, {"rooms_min": 3, "rooms_max": 2}, 0)
    assert refused.value.field == "rooms_max"
    assert not HousingNeeds.objects.exists()


def test_needs_summary_phrases(make):
    decision = make(date(2026, 1, 10))
    assert waiting.needs_parts(None) == []
    assert waiting.needs_parts(HousingNeeds(decision=decision, rooms_min=2, rooms_max=2, children=1)) == [
        "2 rum", "1 barn",
    ]
    assert waiting.needs_parts(HousingNeeds(decision=decision, rooms_min=1.5, max_floor=2,
                                            accessibility="Rullstol")) == [
        "minst 1,5 rum", "högst våning 2", "Rullstol",
    ]
    assert waiting.needs_parts(HousingNeeds(decision=decision, rooms_max=3)) == ["högst 3 rum"]
