"""The visit-frequency engine: what is due on an order, and from when.

Pure functions over dates: no database and no clock. The caller passes the
facts of one order (when its support started, its last contacts, the
frequency change in effect) and the reference day; bolots.services.worklist
reads those facts for many orders in one query and calls `schedule()` per
row, and bolots.services.frequency checks a change with `check_change()`.

The rules, as implemented
=========================

Start. An order's support starts on the day it was accepted
(Order.accepted_at as a local date; see services.frequency.support_start).

The first three months are calendar months (core.calendar.add_months)
and run from the start through `add_months(start, 3)` *inclusive*: the same
convention as the IVO rule, where a decision of 30 November is "within three
months" through 28/29 February. So on the day exactly three calendar months
after the start look-ins are still weekly, and a lowered frequency can apply
at the earliest the day after (`lowering_allowed_from`). That last weekly
day is also the day the first quarterly follow-up is due: the follow-up
closes the intensive period and is where a lower frequency is considered.

Look-ins (tittin). The interval in effect on a day is
- weekly (7 days) during the first three months, whatever is recorded;
- after that, the interval of the frequency change in effect (the latest
  one with `changed_on` on or before that day), or weekly without one (or
  with a stored value that is not a VisitInterval: never fewer visits).
Intervals: weekly = 7 days, every other week = 14 days, monthly = one
calendar month (31 January + 1 month = 28/29 February). Nothing less often
than monthly exists (VisitInterval has no such value): `add_interval` raises
ValueError for any other value, and `check_change` (so the service) refuses
one.

The next look-in is due one interval after the last contact (the latest
done visit of any kind on the order), using the interval in effect on the
reference day; without any done visit it is due on the start day. So a
lowered frequency counts from the last contact as soon as it is in effect.
A due date before the reference day is overdue; on it, due today.

Quarterly follow-up. Due three calendar months after the start, then three
calendar months after the last done quarterly follow-up
(30 November + 3 months = 28/29 February).

Monthly checklist. Due one calendar month after the last visit with a
checklist, or one month after the start when there has been none.

Which kinds of order:
- bolots support: look-ins, the quarterly follow-up and the monthly
  checklist;
- outreach and eviction prevention: until the first visit attempt
  (Order.first_visit_at) only the 48 hours, shown as the time left (or as
  overdue when past); after it the look-in rules. They get no quarterly
  follow-up or checklist: those belong to the long-term support of a
  bolots-support order (the checklist asks about the second-hand tenancy's
  rent and insurance and the housing search);
- single errand: one visit, due on the start day until a done visit exists.

Frequency changes (`check_change`) are refused when the interval is not one
of VisitInterval (nothing less often than monthly), when they would take
effect before the support started, or when they lower the frequency (below
weekly) with effect within the first three months.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.calendar import add_months
from referrals.models.orders import OrderKind

from .models.visits import VisitInterval

FIRST_MONTHS = 3
QUARTER_MONTHS = 3
CHECKLIST_MONTHS = 1

# Kinds of order and what the engine plans for them.
WITH_FOLLOW_UPS = (OrderKind.BOLOTS_SUPPORT,)
WITH_48_HOURS = tuple(OrderKind.with_48_hour_rule())
ONE_VISIT = (OrderKind.SINGLE_ERRAND,)


class FrequencyRuleError(ValueError):
    """A frequency change the rules refuse; the message is for the user."""


# --- What can be due ---------------------------------------------------------


class DueKind:
    LOOK_IN = "look_in"
    QUARTERLY_FOLLOW_UP = "quarterly_follow_up"
    CHECKLIST = "checklist"
    ERRAND = "errand"

    LABELS = {
        LOOK_IN: gettext_lazy("Look-in"),
        QUARTERLY_FOLLOW_UP: gettext_lazy("Quarterly follow-up"),
        CHECKLIST: gettext_lazy("Monthly checklist"),
        ERRAND: gettext_lazy("The errand's visit"),
    }


@dataclass(frozen=True)
class Due:
    """One visit that is due on `due_on`."""

    kind: str
    due_on: date

    @property
    def label(self):
        return DueKind.LABELS[self.kind]

    def days_overdue(self, today):
        return max(0, (today - self.due_on).days)

    def is_overdue(self, today):
        return self.due_on < today

    def is_due_today(self, today):
        return self.due_on == today


@dataclass(frozen=True)
class DueOnDay:
    """A due visit as seen on a day: for lists (status "overdue", "today" or
    "later", and the days overdue)."""

    due: Due
    status: str
    days_overdue: int

    @classmethod
    def of(cls, due, today):
        status = "overdue" if due.is_overdue(today) else "today" if due.is_due_today(today) else "later"
        return cls(due, status, due.days_overdue(today))

    @property
    def kind(self):
        return self.due.kind

    @property
    def label(self):
        return self.due.label

    @property
    def due_on(self):
        return self.due.due_on


@dataclass(frozen=True)
class FirstVisit:
    """The 48 hours of a new outreach or eviction-prevention order."""

    due_at: datetime
    now: datetime

    @property
    def time_left(self):
        return self.due_at - self.now

    @property
    def is_overdue(self):
        return self.due_at < self.now

    @property
    def hours_left(self):
        """Whole hours left (0 in the last hour), or None when overdue."""
        if self.is_overdue:
            return None
        return int(self.time_left.total_seconds() // 3600)

    @property
    def hours_overdue(self):
        if not self.is_overdue:
            return None
        return int((self.now - self.due_at).total_seconds() // 3600)

    @property
    def days_overdue(self):
        """Whole days past the 48 hours (0 in the first day), or None."""
        hours = self.hours_overdue
        return None if hours is None else hours // 24


# --- The calendar of an order ------------------------------------------------


def first_months_last_day(start):
    """The last day of the first three months (weekly look-ins)."""
    return add_months(start, FIRST_MONTHS)


def lowering_allowed_from(start):
    """The first day on which a frequency below weekly may take effect."""
    return first_months_last_day(start) + timedelta(days=1)


def in_first_months(start, day):
    return day <= first_months_last_day(start)


def add_interval(day, interval):
    """`day` plus one look-in interval. Raises ValueError for anything that
    is not a VisitInterval (there is nothing less often than monthly)."""
    if interval == VisitInterval.WEEKLY:
        return day + timedelta(days=7)
    if interval == VisitInterval.EVERY_OTHER_WEEK:
        return day + timedelta(days=14)
    if interval == VisitInterval.MONTHLY:
        return add_months(day, 1)
    raise ValueError(f"unknown visit interval: {interval!r}")


def interval_on(start, day, change_interval=None, change_from=None):
    """The look-in interval in effect on `day`: weekly in the first three
    months; after that the change in effect (one with change_from <= day),
    weekly without one."""
    if in_first_months(start, day):
        return VisitInterval.WEEKLY
    if change_from is not None and change_from <= day and change_interval in VisitInterval.values:
        return VisitInterval(change_interval)
    # No change in effect, or a stored value that is not a VisitInterval
    # (the service never writes one): the default, never fewer visits.
    return VisitInterval.WEEKLY


def next_look_in(start, last_contact, interval):
    """Due one interval after the last contact, or on the start day."""
    if last_contact is None:
        return start
    return add_interval(last_contact, interval)


def next_quarterly_follow_up(start, last_follow_up):
    return add_months(last_follow_up or start, QUARTER_MONTHS)


def next_checklist(start, last_checklist):
    return add_months(last_checklist or start, CHECKLIST_MONTHS)


def check_change(start, changed_on, interval):
    """Refuse a frequency change the rules do not allow (FrequencyRuleError
    with a message for the user); return the interval as a VisitInterval."""
    if interval not in VisitInterval.values:
        raise FrequencyRuleError(
            _("Choose weekly, every other week or monthly: visits are never less often than monthly.")
        )
    if start is None:
        raise FrequencyRuleError(_("The frequency can be changed once the order has been accepted."))
    if changed_on < start:
        raise FrequencyRuleError(
            _("The change cannot take effect before the support started (%(start)s).")
            % {"start": start.isoformat()}
        )
    interval = VisitInterval(interval)
    if interval != VisitInterval.WEEKLY and in_first_months(start, changed_on):
        raise FrequencyRuleError(
            _(
                "Look-ins are weekly during the first three months (through %(last)s). "
                "A lower frequency can take effect from %(first)s at the earliest."
            )
            % {
                "last": first_months_last_day(start).isoformat(),
                "first": lowering_allowed_from(start).isoformat(),
            }
        )
    return interval


# --- One order's schedule ----------------------------------------------------


@dataclass(frozen=True)
class OrderFacts:
    """What the engine needs to know about one order. Dates are local dates;
    the 48-hour fields are aware datetimes."""

    kind: str
    start: date
    last_contact: date | None = None
    last_quarterly: date | None = None
    last_checklist: date | None = None
    change_interval: str | None = None
    change_from: date | None = None
    first_visit_due_at: datetime | None = None
    first_visit_at: datetime | None = None


@dataclass(frozen=True)
class Schedule:
    """What is due on one order, seen on `today` (and `now` for the 48
    hours). `first_visit` is set while a 48-hour order waits for its first
    visit attempt; then `dues` is empty."""

    facts: OrderFacts
    today: date
    interval: str | None = None
    dues: tuple = field(default_factory=tuple)
    first_visit: FirstVisit | None = None

    @property
    def overdue(self):
        return [due for due in self.dues if due.is_overdue(self.today)]

    @property
    def due_today(self):
        return [due for due in self.dues if due.is_due_today(self.today)]

    @property
    def due_now(self):
        """Overdue and due today, the most overdue first."""
        return sorted(self.overdue + self.due_today, key=lambda due: (due.due_on, due.kind))

    @property
    def due_now_on_day(self):
        return [DueOnDay.of(due, self.today) for due in self.due_now]

    @property
    def overdue_on_day(self):
        return [DueOnDay.of(due, self.today) for due in sorted(self.overdue, key=lambda due: (due.due_on, due.kind))]

    @property
    def all_on_day(self):
        """Every due visit, the earliest first."""
        return [DueOnDay.of(due, self.today) for due in sorted(self.dues, key=lambda due: (due.due_on, due.kind))]

    @property
    def next_due(self):
        return min(self.dues, key=lambda due: due.due_on) if self.dues else None

    @property
    def days_overdue(self):
        return max((due.days_overdue(self.today) for due in self.dues), default=0)

    @property
    def in_first_months(self):
        return in_first_months(self.facts.start, self.today)

    @property
    def first_months_last_day(self):
        return first_months_last_day(self.facts.start)


def schedule(facts, today, now=None):
    """The schedule of one order on `today`. `now` (an aware datetime) is
    needed for the 48 hours of outreach and eviction-prevention orders."""
    if facts.kind in WITH_48_HOURS and facts.first_visit_at is None and facts.first_visit_due_at is not None:
        if now is None:
            raise ValueError("now is needed for the 48 hours")
        return Schedule(facts, today, first_visit=FirstVisit(facts.first_visit_due_at, now))
    if facts.kind in ONE_VISIT:
        dues = () if facts.last_contact is not None else (Due(DueKind.ERRAND, facts.start),)
        return Schedule(facts, today, dues=dues)
    interval = interval_on(facts.start, today, facts.change_interval, facts.change_from)
    dues = [Due(DueKind.LOOK_IN, next_look_in(facts.start, facts.last_contact, interval))]
    if facts.kind in WITH_FOLLOW_UPS:
        dues.append(Due(DueKind.QUARTERLY_FOLLOW_UP, next_quarterly_follow_up(facts.start, facts.last_quarterly)))
        dues.append(Due(DueKind.CHECKLIST, next_checklist(facts.start, facts.last_checklist)))
    return Schedule(facts, today, interval=interval, dues=tuple(dues))
