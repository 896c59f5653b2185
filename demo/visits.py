"""Demo visits on the demo orders, with cancellations, checklists, signals
and frequency changes. Built on what demo/casework.py made:

- Bolots-support orders get their first visit at Order.first_visit_at (the
  day the decision was executed), look-ins weekly through the first three
  calendar months from acceptance (bolots.frequency), then weekly, every
  other week or monthly (a FrequencyChange records the lower frequency,
  dated when the rules first allow it), a quarterly follow-up every three
  months, and the monthly checklist on the first done look-in or follow-up
  of each month. A few checklists say "no" on the rent: each raises a
  Signal to the responsible case officer (acknowledged unless recent).
- Outreach and eviction-prevention orders get their first attempt at
  Order.first_visit_at (so most are within 48 hours, as the casework drew
  them), another attempt when nobody was home, then weekly visits until the
  order ended.
- Single errands get their one visit.
- Two bolotsar are present where the rules require it (the first visit of
  an order, outreach and eviction prevention, violence or threats among the
  risks), and on some other visits.
- About a fifth of the planned visits are cancelled, more among young
  adults (seed 003); "feeling unwell" is the most common reason.

At the national scale that is about two million visits, so the rows are
plain tuples written with demo.bulk.copy_rows (COPY on PostgreSQL): no
model instances, no save(). Visit.client_age, which the services derive
(bolots.services.visits.age_on), is therefore set here.
"""

import time
from calendar import monthrange
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from bolots.frequency import first_months_last_day, lowering_allowed_from
from bolots.models import (
    YOUNG_ADULT_AGES,
    CancelReason,
    ChecklistAnswer,
    FrequencyChange,
    Signal,
    SignalKind,
    Visit,
    VisitChecklist,
    VisitInterval,
    VisitKind,
    VisitOutcome,
)
from referrals.models import ErrandType, Order, OrderKind

from .bulk import copy_rows, reserve_keys
from .context import DemoContext
from .visits_plan import (
    CANCEL_OUTCOMES,
    CANCELLED_SHARE,
    CANCELLED_SHARE_YOUNG,
    CHECKLIST_FIELDS,
    CLIENT_OTHER_TEXTS,
    CLIENT_REASONS,
    CLIENT_REASONS_YOUNG,
    DONE,
    DONE_NOTES,
    ESCORT_SHARE,
    FREQUENCY_FIELDS,
    FREQUENCY_REASONS,
    INSURANCE,
    LATER_INTERVALS,
    LOGGED_AFTER,
    NO_SHOW_REASON_SHARE,
    NO_SHOW_REASONS,
    NOBODY_HOME_NOTE,
    OTHER_NO_COMMENTS,
    OUTREACH_REACHED,
    QUARTERLY,
    REBOOKED_SHARE,
    RENT,
    RENT_NO_COMMENTS,
    SEARCH,
    SECOND_PILOT_SHARE,
    SIGNAL_FIELDS,
    SIGNAL_OPEN_DAYS,
    STAFF_OTHER_TEXTS,
    TREATMENT,
    VISIT_FIELDS,
    pick,
)

TZ = ZoneInfo(settings.TIME_ZONE)


def build(ctx: DemoContext, now: datetime) -> None:
    """The visits of every started order of ctx.units (none may exist yet)."""
    _Visits(ctx, now).build()


def _on_weekday(day: date) -> date:
    """Saturdays move to Friday, Sundays to Monday."""
    weekday = day.weekday()
    if weekday == 5:
        return day - timedelta(days=1)
    if weekday == 6:
        return day + timedelta(days=1)
    return day


def _plus_months(day: date, months: int) -> date:
    """The calendar's add_months without relativedelta's overhead (it is
    called for every visit): the same day `months` later, clamped to the
    month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


class _Visits:
    """Visits of every started order, unit by unit: a unit's visits are
    built, given keys and written before the next unit's are built, so that
    the national scale never holds two million rows in memory."""

    def __init__(self, ctx: DemoContext, now: datetime) -> None:
        self.ctx = ctx
        self.rng = ctx.rng
        # Local, so that comparisons with the (local) visit times need no
        # time-zone conversion: datetimes with the same tzinfo compare as they are.
        self.now = timezone.localtime(now, TZ)
        self.today = self.now.date()
        self.young_low, self.young_high = YOUNG_ADULT_AGES
        self.counts = dict.fromkeys(("visits", "checklists", "signals", "changes", "cancelled"), 0)
        self.build_seconds = 0.0
        self.write_seconds = 0.0

    def build(self) -> None:
        by_unit = {}
        for row in (
            Order.objects.filter(unit__in=self.ctx.units, first_visit_at__isnull=False, active_pilot__isnull=False)
            .order_by("pk")
            .values_list(
                "pk", "unit_id", "kind", "errand_type", "client_id", "client__birth_date",
                "client__responsible_officer_id", "ordered_by_id", "accepted_at", "first_visit_at", "completed_at",
                "active_pilot_id", "passive_pilot_id", "risk_violence", "risk_threats",
            )
        ):
            by_unit.setdefault(row[1], []).append(row)
        for unit in self.ctx.units:
            self._unit(by_unit.get(unit.pk, []))
        c = self.counts
        share = c["cancelled"] / c["visits"] if c["visits"] else 0
        self.ctx.log(
            f"Skapade {c['visits']} besök ({share:.0%} avbokade), {c['checklists']} checklistor, "
            f"{c['signals']} signaler och {c['changes']} frekvensändringar "
            f"({self.build_seconds:.1f} s + {self.write_seconds:.1f} s)."
        )

    # --- one unit -----------------------------------------------------------

    @staticmethod
    def _order(row):
        """What every visit of the order needs: (id, client id, client's birth
        date, active bolots, passive bolots, whether two are always required)."""
        always_two = row[13] or row[14] or row[2] in (OrderKind.OUTREACH, OrderKind.EVICTION_PREVENTION)
        return (row[0], row[4], row[5], row[11], row[12], always_two)

    def _unit(self, orders):
        if not orders:
            return
        started = time.monotonic()
        self.visits, self.checklists, self.signals, self.changes = [], [], [], []
        for order in orders:
            kind = order[2]
            if kind == OrderKind.BOLOTS_SUPPORT:
                self._support(order)
            elif kind in (OrderKind.OUTREACH, OrderKind.EVICTION_PREVENTION):
                self._outreach(order)
            else:
                self._errand(order)
        self._leave_newest_signals_open()
        built = time.monotonic()
        keys = reserve_keys(Visit, len(self.visits))
        copy_rows(Visit, VISIT_FIELDS, ((key, *row) for key, row in zip(keys, self.visits, strict=True)))
        copy_rows(VisitChecklist, CHECKLIST_FIELDS, ((keys[index], *row) for index, *row in self.checklists))
        copy_rows(Signal, SIGNAL_FIELDS, (
            (kind, client, keys[index], *rest) for kind, client, index, *rest in self.signals
        ))
        copy_rows(FrequencyChange, FREQUENCY_FIELDS, self.changes)
        self.build_seconds += built - started
        self.write_seconds += time.monotonic() - built
        self.counts["visits"] += len(self.visits)
        self.counts["checklists"] += len(self.checklists)
        self.counts["signals"] += len(self.signals)
        self.counts["changes"] += len(self.changes)

    # --- one visit ----------------------------------------------------------

    def _visit(self, order, at, kind, *, first=False, cancellable=True, outcome=None):
        """Append one visit at `at` (aware, local) on `order` (see _order);
        returns (index, outcome). Called two million times at the national
        scale, hence the plain code."""
        rng = self.rng
        order_id, client_id, birth, active, passive, always_two = order
        if birth is None:
            age = None
            young = False
        else:
            day = at.date()
            age = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
            young = self.young_low <= age <= self.young_high
        reason = reason_text = notes = ""
        if outcome is None:
            if cancellable and rng.random() < (CANCELLED_SHARE_YOUNG if young else CANCELLED_SHARE):
                outcome = pick(rng, CANCEL_OUTCOMES)
            else:
                outcome = DONE
        if outcome is DONE:
            if rng.random() < 0.15:
                notes = rng.choice(DONE_NOTES)
        elif outcome == VisitOutcome.CANCELLED_BY_CLIENT:
            reason = pick(rng, CLIENT_REASONS_YOUNG if young else CLIENT_REASONS)
            if reason == CancelReason.OTHER:
                reason_text = rng.choice(CLIENT_OTHER_TEXTS)
        elif outcome == VisitOutcome.CANCELLED_BY_STAFF:
            reason = CancelReason.OTHER
            reason_text = rng.choice(STAFF_OTHER_TEXTS)
        elif outcome == VisitOutcome.NO_SHOW:
            if rng.random() < NO_SHOW_REASON_SHARE:
                reason = pick(rng, NO_SHOW_REASONS)
        else:
            notes = NOBODY_HOME_NOTE
        two = first or always_two or rng.random() < SECOND_PILOT_SHARE
        logged = at + LOGGED_AFTER[int(rng.random() * len(LOGGED_AFTER))]
        if logged > self.now:
            logged = self.now
        visits = self.visits
        visits.append((
            order_id, client_id, age, at, kind, outcome, reason, reason_text, active,
            passive if two else None, notes, active, logged,
        ))
        if outcome is not DONE:
            self.counts["cancelled"] += 1
        return len(visits) - 1, outcome

    def _at(self, day):
        """A visit time on `day` in office hours, local time."""
        rng = self.rng
        return datetime(day.year, day.month, day.day, 9 + int(rng.random() * 7), 15 * int(rng.random() * 4),
                        tzinfo=TZ)

    # --- bolots support -----------------------------------------------------------

    def _support(self, row):
        rng = self.rng
        order = self._order(row)
        accepted = timezone.localtime(row[8], TZ).date()
        first_at = timezone.localtime(row[9], TZ)
        end = min(timezone.localtime(row[10], TZ), self.now) if row[10] else self.now
        end_day = end.date()
        weekly_until = first_months_last_day(accepted)
        later = pick(rng, LATER_INTERVALS)
        change_on = lowering_allowed_from(accepted) + timedelta(days=int(rng.random() * 14))
        if later is not None and change_on <= end_day:
            self.changes.append((
                row[0], change_on, later, FREQUENCY_REASONS[later], row[11],
                datetime(change_on.year, change_on.month, change_on.day, 16, 0, tzinfo=TZ),
            ))
        else:
            later = None
        quarterly_due = _plus_months(accepted, 3)
        checklist_due = _plus_months(accepted, 1)

        self._visit(order, first_at, VisitKind.LOOK_IN, first=True, outcome=VisitOutcome.DONE)
        day = first_at.date() + timedelta(days=7)
        while True:
            day = _on_weekday(day)
            at = self._at(day)
            if at > end:
                break
            kind = QUARTERLY if day >= quarterly_due - timedelta(days=3) else VisitKind.LOOK_IN
            index, outcome = self._visit(order, at, kind)
            if outcome is not DONE and rng.random() < REBOOKED_SHARE:
                again = self._at(_on_weekday(day + timedelta(days=2 + int(rng.random() * 3))))
                if again <= end:
                    index, outcome = self._visit(order, again, kind)
                    day = again.date()
            if outcome is DONE:
                if kind is QUARTERLY:
                    quarterly_due = _plus_months(day, 3)
                if kind is QUARTERLY or day >= checklist_due - timedelta(days=3):
                    self._checklist(row, index)
                    checklist_due = _plus_months(day, 1)
            if rng.random() < ESCORT_SHARE:
                escort = self._at(_on_weekday(day + timedelta(days=1 + int(rng.random() * 3))))
                if escort <= end:
                    self._visit(order, escort, VisitKind.ESCORT if rng.random() < 0.6 else VisitKind.MEETING)
            if later is None or day < change_on or day <= weekly_until:
                day += timedelta(days=7)
            elif later == VisitInterval.EVERY_OTHER_WEEK:
                day += timedelta(days=14)
            else:
                day = _plus_months(day, 1)

    def _checklist(self, row, index):
        rng = self.rng
        rent = pick(rng, RENT)
        insurance = pick(rng, INSURANCE)
        search = pick(rng, SEARCH)
        treatment = pick(rng, TREATMENT)
        rent_comment = rng.choice(RENT_NO_COMMENTS) if rent == ChecklistAnswer.NO else ""
        self.checklists.append((
            index, rent, rent_comment,
            insurance, rng.choice(OTHER_NO_COMMENTS) if insurance == ChecklistAnswer.NO else "",
            search, rng.choice(OTHER_NO_COMMENTS) if search == ChecklistAnswer.NO else "",
            treatment, rng.choice(OTHER_NO_COMMENTS) if treatment == ChecklistAnswer.NO else "",
            False, "", "",
        ))
        if rent == ChecklistAnswer.NO and row[4] is not None:
            # To the responsible case officer, else the one who ordered (bolots.services.signals).
            recipient = row[6] or row[7]
            created = self.visits[index][-1]
            acknowledged = None
            if (self.now - created).days > SIGNAL_OPEN_DAYS:
                acknowledged = created + timedelta(hours=1 + int(rng.random() * 47))
            self.signals.append((
                SignalKind.RENT_UNPAID, row[4], index, recipient, rent_comment, created,
                acknowledged, recipient if acknowledged else None,
            ))

    def _leave_newest_signals_open(self):
        """Each recipient's newest signal stays unread, however old, so every
        demo case officer's start page has a signal to read whatever the day
        the demo is seeded (the ten-day rule alone left some officers none)."""
        newest = {}
        for position, signal in enumerate(self.signals):
            recipient, created = signal[3], signal[5]
            if recipient not in newest or created > self.signals[newest[recipient]][5]:
                newest[recipient] = position
        for position in newest.values():
            signal = self.signals[position]
            self.signals[position] = (*signal[:6], None, None)

    # --- outreach and eviction prevention ---------------------------------------------

    def _outreach(self, row):
        rng = self.rng
        order = self._order(row)
        at = timezone.localtime(row[9], TZ)
        end = min(timezone.localtime(row[10], TZ), self.now) if row[10] else self.now
        # The first attempt is the order's first visit; until someone opens,
        # the bolotsar come back after a day or two.
        for attempt in range(3):
            reached = attempt == 2 or rng.random() < OUTREACH_REACHED + 0.1 * attempt
            self._visit(order, at, VisitKind.OUTREACH_ATTEMPT, first=True,
                        outcome=VisitOutcome.DONE if reached else VisitOutcome.NOBODY_HOME)
            if reached:
                break
            at = self._at(_on_weekday(at.date() + timedelta(days=1 + int(rng.random() * 2))))
            if at > end:
                return
        day = at.date() + timedelta(days=7)
        while True:
            day = _on_weekday(day)
            at = self._at(day)
            if at > end:
                break
            roll = rng.random()
            kind = VisitKind.LOOK_IN if roll < 0.5 else VisitKind.MEETING if roll < 0.9 else VisitKind.ESCORT
            self._visit(order, at, kind)
            day += timedelta(days=7)

    # --- single errands ---------------------------------------------------------

    def _errand(self, row):
        at = timezone.localtime(row[9], TZ)
        kind = VisitKind.ESCORT if row[3] in (ErrandType.ESCORT_TREATMENT, ErrandType.ESCORT_DOCTOR) else VisitKind.MEETING
        self._visit(self._order(row), at, kind, first=True)
