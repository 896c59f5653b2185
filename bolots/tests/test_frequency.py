"""Rule tables for the visit-frequency engine (bolots/frequency.py): month
ends, leap years, the three-month switch, frequency changes and "never less
often than monthly". Pure functions: no database."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bolots import frequency as engine
from bolots.frequency import DueKind, OrderFacts, check_change, schedule
from bolots.models import VisitInterval
from referrals.models import OrderKind

WEEKLY, EVERY_OTHER_WEEK, MONTHLY = VisitInterval.WEEKLY, VisitInterval.EVERY_OTHER_WEEK, VisitInterval.MONTHLY
STOCKHOLM = ZoneInfo("Europe/Stockholm")
D = date.fromisoformat


@pytest.mark.parametrize(
    ("day", "interval", "expected"),
    [
        ("2026-01-31", MONTHLY, "2026-02-28"),  # clamped to the month's last day
        ("2024-01-31", MONTHLY, "2024-02-29"),  # leap year
        ("2026-02-28", MONTHLY, "2026-03-28"),  # counted from the day itself, not the month end
        ("2026-03-31", MONTHLY, "2026-04-30"),
        ("2026-12-31", MONTHLY, "2027-01-31"),  # over the year end
        ("2026-02-25", WEEKLY, "2026-03-04"),
        ("2024-02-25", WEEKLY, "2024-03-03"),  # 29 February counts
        ("2026-12-28", EVERY_OTHER_WEEK, "2027-01-11"),
    ],
)
def test_one_interval_later(day, interval, expected):
    assert engine.add_interval(D(day), interval) == D(expected)


@pytest.mark.parametrize("interval", ["yearly", "quarterly", "every_other_month", "", None])
def test_nothing_less_often_than_monthly_exists(interval):
    with pytest.raises(ValueError):
        engine.add_interval(D("2026-01-31"), interval)


@pytest.mark.parametrize(
    ("start", "last_weekly_day", "lowering_from"),
    [
        ("2026-01-15", "2026-04-15", "2026-04-16"),
        ("2025-11-30", "2026-02-28", "2026-03-01"),  # 30 Nov + 3 months = 28 Feb
        ("2023-11-30", "2024-02-29", "2024-03-01"),  # … = 29 Feb in a leap year
        ("2026-01-31", "2026-04-30", "2026-05-01"),
        ("2026-10-31", "2027-01-31", "2027-02-01"),
        ("2026-12-31", "2027-03-31", "2027-04-01"),
    ],
)
def test_the_first_three_months_end_on_the_day_three_calendar_months_later(start, last_weekly_day, lowering_from):
    assert engine.first_months_last_day(D(start)) == D(last_weekly_day)
    assert engine.lowering_allowed_from(D(start)) == D(lowering_from)
    assert engine.in_first_months(D(start), D(last_weekly_day))
    assert not engine.in_first_months(D(start), D(lowering_from))


@pytest.mark.parametrize(
    ("start", "day", "change_interval", "change_from", "expected"),
    [
        # The switch: exactly three months after the start is still weekly.
        ("2026-01-15", "2026-04-15", MONTHLY, "2026-04-16", WEEKLY),
        ("2026-01-15", "2026-04-16", MONTHLY, "2026-04-16", MONTHLY),
        ("2025-11-30", "2026-02-28", EVERY_OTHER_WEEK, "2026-03-01", WEEKLY),
        ("2025-11-30", "2026-03-01", EVERY_OTHER_WEEK, "2026-03-01", EVERY_OTHER_WEEK),
        ("2023-11-30", "2024-02-29", MONTHLY, "2024-03-01", WEEKLY),
        ("2023-11-30", "2024-03-01", MONTHLY, "2024-03-01", MONTHLY),
        # Without a change the default stays weekly after three months.
        ("2026-01-15", "2026-04-16", None, None, WEEKLY),
        ("2026-01-15", "2027-06-01", None, None, WEEKLY),
        # A lowering recorded within the first three months does not apply
        # there (the service refuses it; the engine holds the rule anyway) …
        ("2026-01-15", "2026-03-01", MONTHLY, "2026-02-01", WEEKLY),
        # … but it is the change in effect once the three months are over.
        ("2026-01-15", "2026-05-01", MONTHLY, "2026-02-01", MONTHLY),
        # A change from a later day is not in effect yet.
        ("2026-01-15", "2026-05-01", EVERY_OTHER_WEEK, "2026-05-02", WEEKLY),
        # Raised back to weekly.
        ("2026-01-15", "2026-06-01", WEEKLY, "2026-05-20", WEEKLY),
        # A stored value that is no VisitInterval: never fewer visits.
        ("2026-01-15", "2026-06-01", "yearly", "2026-05-01", WEEKLY),
    ],
)
def test_interval_in_effect(start, day, change_interval, change_from, expected):
    change_from = D(change_from) if change_from else None
    assert engine.interval_on(D(start), D(day), change_interval, change_from) == expected


@pytest.mark.parametrize(
    ("start", "last_contact", "interval", "expected"),
    [
        ("2026-01-15", None, WEEKLY, "2026-01-15"),  # no contact yet: due on the start day
        ("2026-01-15", None, MONTHLY, "2026-01-15"),
        ("2026-01-15", "2026-01-20", WEEKLY, "2026-01-27"),
        ("2026-01-15", "2026-05-01", EVERY_OTHER_WEEK, "2026-05-15"),
        ("2026-01-15", "2026-05-31", MONTHLY, "2026-06-30"),
        ("2023-11-15", "2024-01-31", MONTHLY, "2024-02-29"),
    ],
)
def test_next_look_in(start, last_contact, interval, expected):
    last_contact = D(last_contact) if last_contact else None
    assert engine.next_look_in(D(start), last_contact, interval) == D(expected)


@pytest.mark.parametrize(
    ("start", "last_follow_up", "expected"),
    [
        ("2026-01-15", None, "2026-04-15"),
        ("2025-11-30", None, "2026-02-28"),  # 30 Nov + 3 months
        ("2023-11-30", None, "2024-02-29"),
        ("2026-01-15", "2026-04-10", "2026-07-10"),  # from the last done follow-up, early or not
        ("2026-01-15", "2026-05-31", "2026-08-31"),
        ("2026-01-15", "2026-08-31", "2026-11-30"),
    ],
)
def test_next_quarterly_follow_up(start, last_follow_up, expected):
    last_follow_up = D(last_follow_up) if last_follow_up else None
    assert engine.next_quarterly_follow_up(D(start), last_follow_up) == D(expected)


@pytest.mark.parametrize(
    ("start", "last_checklist", "expected"),
    [
        ("2026-01-31", None, "2026-02-28"),
        ("2024-01-31", None, "2024-02-29"),
        ("2026-01-15", "2026-03-31", "2026-04-30"),
        ("2026-01-15", "2026-12-15", "2027-01-15"),
    ],
)
def test_next_checklist(start, last_checklist, expected):
    last_checklist = D(last_checklist) if last_checklist else None
    assert engine.next_checklist(D(start), last_checklist) == D(expected)


# --- Frequency changes ---------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "changed_on", "interval", "allowed"),
    [
        ("2026-01-15", "2026-04-16", MONTHLY, True),
        ("2026-01-15", "2026-04-16", EVERY_OTHER_WEEK, True),
        ("2026-01-15", "2026-04-15", MONTHLY, False),  # the last weekly day
        ("2026-01-15", "2026-04-15", EVERY_OTHER_WEEK, False),
        ("2026-01-15", "2026-02-01", MONTHLY, False),
        ("2026-01-15", "2026-02-01", WEEKLY, True),  # weekly is the rule itself
        ("2026-01-15", "2026-01-15", WEEKLY, True),
        ("2026-01-15", "2026-01-14", WEEKLY, False),  # before the support started
        ("2025-11-30", "2026-02-28", MONTHLY, False),
        ("2025-11-30", "2026-03-01", MONTHLY, True),
        ("2023-11-30", "2024-02-29", MONTHLY, False),
        ("2023-11-30", "2024-03-01", MONTHLY, True),
        # Never less often than monthly: there is no such value.
        ("2026-01-15", "2026-06-01", "yearly", False),
        ("2026-01-15", "2026-06-01", "quarterly", False),
        ("2026-01-15", "2026-06-01", "", False),
    ],
)
def test_which_changes_are_allowed(start, changed_on, interval, allowed):
    if allowed:
        assert check_change(D(start), D(changed_on), interval) == interval
    else:
        with pytest.raises(engine.FrequencyRuleError):
            check_change(D(start), D(changed_on), interval)


def test_a_change_before_the_order_is_accepted_is_refused():
    with pytest.raises(engine.FrequencyRuleError):
        check_change(None, D("2026-06-01"), WEEKLY)


def test_the_refusal_says_in_swedish_from_when_a_lower_frequency_may_apply():
    with pytest.raises(engine.FrequencyRuleError) as refusal:
        check_change(D("2025-11-30"), D("2026-02-01"), MONTHLY)
    assert str(refusal.value) == (
        "Tittin görs varje vecka under de tre första månaderna (till och med 2026-02-28). "
        "En lägre frekvens kan gälla tidigast från 2026-03-01."
    )


def test_the_refusal_of_a_frequency_below_monthly_is_in_swedish():
    with pytest.raises(engine.FrequencyRuleError) as refusal:
        check_change(D("2026-01-15"), D("2026-06-01"), "yearly")
    assert "aldrig glesare än en gång i månaden" in str(refusal.value)


# --- Schedules ---------------------------------------------------------------


def support(start, **facts):
    return OrderFacts(kind=OrderKind.BOLOTS_SUPPORT, start=D(start), **facts)


def dues(plan):
    return {due.kind: due.due_on.isoformat() for due in plan.dues}


@pytest.mark.parametrize(
    ("facts", "today", "look_in", "overdue", "due_today"),
    [
        # The first day: the first look-in is due on the start day.
        (support("2026-01-15"), "2026-01-15", "2026-01-15", [], [DueKind.LOOK_IN]),
        (support("2026-01-15"), "2026-01-16", "2026-01-15", [DueKind.LOOK_IN], []),
        # A week after the last contact; overdue the day after.
        (support("2026-01-15", last_contact=D("2026-01-20")), "2026-01-27", "2026-01-27", [], [DueKind.LOOK_IN]),
        (support("2026-01-15", last_contact=D("2026-01-20")), "2026-01-28", "2026-01-27", [DueKind.LOOK_IN], []),
        # The three-month switch (start 31 Jan: weekly through 30 Apr). A
        # change to every other week from 1 May, last contact 27 Apr:
        # on 30 April still a week after the contact …
        (support("2026-01-31", last_contact=D("2026-04-27"), last_checklist=D("2026-04-27"),
                 last_quarterly=D("2026-04-27"), change_interval=EVERY_OTHER_WEEK, change_from=D("2026-05-01")),
         "2026-04-30", "2026-05-04", [], []),
        # … from 1 May two weeks after it.
        (support("2026-01-31", last_contact=D("2026-04-27"), last_checklist=D("2026-04-27"),
                 last_quarterly=D("2026-04-27"), change_interval=EVERY_OTHER_WEEK, change_from=D("2026-05-01")),
         "2026-05-01", "2026-05-11", [], []),
        # Lowered to monthly from 1 May; last contact 31 May: due 30 June.
        (support("2026-01-15", last_contact=D("2026-05-31"), last_checklist=D("2026-05-31"),
                 last_quarterly=D("2026-04-15"), change_interval=MONTHLY, change_from=D("2026-05-01")),
         "2026-06-30", "2026-06-30", [], [DueKind.LOOK_IN]),
        # A lowered frequency counts from the last contact once in effect:
        # no contact since 1 April, monthly from 20 April → due 1 May.
        (support("2026-01-15", last_contact=D("2026-04-01"), last_checklist=D("2026-04-01"),
                 last_quarterly=D("2026-04-01"), change_interval=MONTHLY, change_from=D("2026-04-20")),
         "2026-05-04", "2026-05-01", [DueKind.LOOK_IN], []),
    ],
)
def test_look_ins_on_a_bolots_support_order(facts, today, look_in, overdue, due_today):
    plan = schedule(facts, D(today))

    assert dues(plan)[DueKind.LOOK_IN] == look_in
    assert [due.kind for due in plan.overdue if due.kind == DueKind.LOOK_IN] == overdue
    assert [due.kind for due in plan.due_today if due.kind == DueKind.LOOK_IN] == due_today


def test_days_overdue_are_counted_from_the_due_date():
    plan = schedule(support("2026-01-15", last_contact=D("2026-01-20"), last_checklist=D("2026-01-20")), D("2026-02-03"))

    # Look-in due 2026-01-27: 7 days before 3 February.
    assert plan.days_overdue == 7
    assert [(row.label, row.status, row.days_overdue) for row in plan.overdue_on_day] == [("Tittin", "overdue", 7)]


@pytest.mark.parametrize(
    ("start", "last_quarterly", "today", "due_on", "status"),
    [
        ("2025-11-30", None, "2026-02-27", "2026-02-28", "later"),
        ("2025-11-30", None, "2026-02-28", "2026-02-28", "today"),
        ("2025-11-30", None, "2026-03-01", "2026-02-28", "overdue"),
        ("2023-11-30", None, "2024-02-29", "2024-02-29", "today"),
        ("2026-01-15", "2026-04-15", "2026-07-15", "2026-07-15", "today"),
        ("2026-01-15", "2026-04-15", "2026-07-16", "2026-07-15", "overdue"),
    ],
)
def test_quarterly_follow_up_on_a_bolots_support_order(start, last_quarterly, today, due_on, status):
    last = D(last_quarterly) if last_quarterly else None
    plan = schedule(support(start, last_quarterly=last, last_contact=D(today), last_checklist=D(today)), D(today))

    row = next(row for row in plan.all_on_day if row.due.kind == DueKind.QUARTERLY_FOLLOW_UP)
    assert (row.due_on, row.status) == (D(due_on), status)


@pytest.mark.parametrize(
    ("start", "last_checklist", "today", "due_on", "status"),
    [
        ("2026-01-31", None, "2026-02-28", "2026-02-28", "today"),
        ("2026-01-31", None, "2026-03-01", "2026-02-28", "overdue"),
        ("2026-01-15", "2026-03-31", "2026-04-30", "2026-04-30", "today"),
        ("2026-01-15", "2026-03-31", "2026-04-29", "2026-04-30", "later"),
    ],
)
def test_monthly_checklist_on_a_bolots_support_order(start, last_checklist, today, due_on, status):
    last = D(last_checklist) if last_checklist else None
    plan = schedule(support(start, last_checklist=last, last_contact=D(today)), D(today))

    row = next(row for row in plan.all_on_day if row.due.kind == DueKind.CHECKLIST)
    assert (row.due_on, row.status) == (D(due_on), status)


def test_a_new_outreach_order_shows_the_time_left_of_its_48_hours_instead_of_look_ins():
    due_at = datetime(2026, 3, 3, 14, 0, tzinfo=STOCKHOLM)
    facts = OrderFacts(kind=OrderKind.OUTREACH, start=D("2026-03-02"), first_visit_due_at=due_at)

    plan = schedule(facts, D("2026-03-02"), now=due_at - timedelta(hours=5, minutes=30))

    assert plan.dues == ()
    assert plan.first_visit.hours_left == 5
    assert not plan.first_visit.is_overdue


def test_a_new_eviction_prevention_order_past_its_48_hours_is_overdue():
    due_at = datetime(2026, 3, 3, 14, 0, tzinfo=STOCKHOLM)
    facts = OrderFacts(kind=OrderKind.EVICTION_PREVENTION, start=D("2026-03-02"), first_visit_due_at=due_at)

    plan = schedule(facts, D("2026-03-05"), now=due_at + timedelta(hours=49))

    assert plan.first_visit.is_overdue
    assert plan.first_visit.hours_left is None
    assert (plan.first_visit.hours_overdue, plan.first_visit.days_overdue) == (49, 2)


def test_after_the_first_attempt_an_outreach_order_follows_the_look_in_rules_only():
    due_at = datetime(2026, 3, 3, 14, 0, tzinfo=STOCKHOLM)
    facts = OrderFacts(
        kind=OrderKind.OUTREACH, start=D("2026-03-02"), first_visit_due_at=due_at,
        first_visit_at=due_at - timedelta(hours=20), last_contact=D("2026-03-02"),
    )

    plan = schedule(facts, D("2026-03-10"))

    assert plan.first_visit is None
    assert dues(plan) == {DueKind.LOOK_IN: "2026-03-09"}
    assert [due.kind for due in plan.overdue] == [DueKind.LOOK_IN]


@pytest.mark.parametrize(("last_contact", "expected"), [(None, {DueKind.ERRAND: "2026-03-02"}), ("2026-03-04", {})])
def test_a_single_errand_has_one_visit_due_until_it_is_done(last_contact, expected):
    facts = OrderFacts(
        kind=OrderKind.SINGLE_ERRAND, start=D("2026-03-02"), last_contact=D(last_contact) if last_contact else None
    )

    assert dues(schedule(facts, D("2026-03-10"))) == expected
