"""Demo data of the provider side: visits on the demo orders (with
cancellations, checklists, signals and frequency changes), housing-search
records of the training-apartment tenants, and housing-course rounds with
enrolments and attendance.

Built on what referrals/demo_casework.py and tenancies/demo.py made:

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
- Housing search: each client who has held a training apartment has a
  search record: queue registrations, an application every one to three
  months, the last one accepted for those who moved on to own housing.
- Housing course: a round in spring and one in autumn per unit for the
  tenants who moved in recently, four sessions a week apart, about six
  participants; most attend everything, some make a session up, a few drop
  out and take the next round.

At the national scale that is about two million visits, so the rows are
plain tuples written with accounts.bulk.copy_rows (COPY on PostgreSQL): no
model instances, no save(). Derived fields are therefore set here as the
services would: Visit.client_age (services.visits.age_on) and
Enrolment.completed_on (services.courses.completion_date).

Deterministic for a --seed (everything is drawn from ctx.rng, in key
order); a second run adds nothing.
"""

import time
from calendar import monthrange
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation

from accounts.bulk import copy_rows, foreign_keys_checked_once, reserve_keys
from accounts.roles import Role
from referrals.demo_casework import FIRST_YEAR, HISTORY_YEARS_BY_SCALE
from referrals.models import ErrandType, Order, OrderKind
from tenancies.models import ApartmentKind, EndReason, Tenancy

from .frequency import first_months_last_day, lowering_allowed_from
from .models import (
    DEFAULT_SESSION_TOPICS,
    SESSIONS_PER_ROUND,
    ApplicationResult,
    Attendance,
    CancelReason,
    ChecklistAnswer,
    CourseRound,
    CourseSession,
    Enrolment,
    FrequencyChange,
    HousingApplication,
    HousingSearchProfile,
    QueueRegistration,
    Signal,
    SignalKind,
    Visit,
    VisitChecklist,
    VisitInterval,
    VisitKind,
    VisitOutcome,
)
from .services.statistics import YOUNG_ADULT_AGES

TZ = ZoneInfo(settings.TIME_ZONE)

# --- Visits -------------------------------------------------------------------

# Share of planned visits that are cancelled (any outcome but done); young
# adults cancel more (seed 003).
CANCELLED_SHARE = 0.16
CANCELLED_SHARE_YOUNG = 0.30
# How a cancellation happened: cumulative shares.
CANCEL_OUTCOMES = (
    (0.47, VisitOutcome.CANCELLED_BY_CLIENT),
    (0.72, VisitOutcome.NO_SHOW),
    (0.80, VisitOutcome.CANCELLED_BY_STAFF),
    (1.00, VisitOutcome.NOBODY_HOME),
)
# The client's reasons, cumulative: feeling unwell first (seed 003); young
# adults more often give work or studies and "did not want to".
CLIENT_REASONS = (
    (0.36, CancelReason.FEELING_UNWELL),
    (0.56, CancelReason.PHYSICAL_ILLNESS),
    (0.66, CancelReason.WORK_OR_STUDIES),
    (0.81, CancelReason.FORGOT),
    (0.92, CancelReason.DID_NOT_WANT),
    (1.00, CancelReason.OTHER),
)
CLIENT_REASONS_YOUNG = (
    (0.33, CancelReason.FEELING_UNWELL),
    (0.43, CancelReason.PHYSICAL_ILLNESS),
    (0.61, CancelReason.WORK_OR_STUDIES),
    (0.77, CancelReason.FORGOT),
    (0.93, CancelReason.DID_NOT_WANT),
    (1.00, CancelReason.OTHER),
)
# A no-show sometimes explains afterwards.
NO_SHOW_REASON_SHARE = 0.5
NO_SHOW_REASONS = (
    (0.45, CancelReason.FORGOT),
    (0.80, CancelReason.FEELING_UNWELL),
    (1.00, CancelReason.DID_NOT_WANT),
)
CLIENT_OTHER_TEXTS = ("Besök hos släkting.", "Tandläkartid samma tid.", "Ville flytta besöket till nästa vecka.")
STAFF_OTHER_TEXTS = ("Bolotsen sjuk.", "Akut ärende i ett annat uppdrag.", "Personalbrist på enheten.")
# A cancelled visit is booked again within a few days this often.
REBOOKED_SHARE = 0.5
# After the first three months: weekly (no change), every other week or monthly.
LATER_INTERVALS = ((0.35, None), (0.65, VisitInterval.EVERY_OTHER_WEEK), (1.00, VisitInterval.MONTHLY))
FREQUENCY_REASONS = {
    VisitInterval.EVERY_OTHER_WEEK: "Boendet fungerar; besök varannan vecka enligt överenskommelse.",
    VisitInterval.MONTHLY: "Allt fungerar väl; månatliga besök enligt överenskommelse med klienten.",
}
# A second bolots joins an ordinary visit this often.
SECOND_PILOT_SHARE = 0.2
ESCORT_SHARE = 0.05
OUTREACH_REACHED = 0.65
DONE_NOTES = (
    "Samtal om veckans planering.", "Gick igenom posten tillsammans.", "Pratade om bostadssökandet.",
    "Klienten mår bättre; sover bättre.", "Handlade tillsammans.", "Hjälp att boka tid på vårdcentralen.",
)
NOBODY_HOME_NOTE = "Ingen öppnade; lapp lämnad."
# Checklist answers, cumulative (yes, no, not applicable).
RENT = ((0.93, ChecklistAnswer.YES), (0.965, ChecklistAnswer.NO), (1.0, ChecklistAnswer.NOT_APPLICABLE))
INSURANCE = ((0.88, ChecklistAnswer.YES), (0.94, ChecklistAnswer.NO), (1.0, ChecklistAnswer.NOT_APPLICABLE))
SEARCH = ((0.75, ChecklistAnswer.YES), (0.85, ChecklistAnswer.NO), (1.0, ChecklistAnswer.NOT_APPLICABLE))
TREATMENT = ((0.55, ChecklistAnswer.YES), (0.63, ChecklistAnswer.NO), (1.0, ChecklistAnswer.NOT_APPLICABLE))
RENT_NO_COMMENTS = ("Kunde inte visa kvitto; säger att hyran är betald.", "Hyran för denna månad är inte betald.",
                    "Väntar på utbetalning; hyran sen.")
OTHER_NO_COMMENTS = ("Ska ordnas till nästa besök.", "Behöver hjälp; bokar tid.")
# Signals older than this have been acknowledged by the case officer.
SIGNAL_OPEN_DAYS = 10

VISIT_FIELDS = (
    "id", "order_id", "client_id", "client_age", "visited_at", "kind", "outcome", "cancel_reason",
    "cancel_reason_text", "active_pilot_id", "passive_pilot_id", "notes", "logged_by_id", "created_at",
)
CHECKLIST_FIELDS = (
    "visit_id", "rent_paid", "rent_comment", "insurance_valid", "insurance_comment", "housing_search_active",
    "housing_search_comment", "treatment_followed", "treatment_comment", "new_complaint", "complaint_description",
    "notes",
)
SIGNAL_FIELDS = (
    "kind", "client_id", "visit_id", "recipient_id", "text", "created_at", "acknowledged_at", "acknowledged_by_id",
)
FREQUENCY_FIELDS = ("order_id", "changed_on", "interval", "reason", "changed_by_id", "created_at")

DONE = VisitOutcome.DONE
QUARTERLY = VisitKind.QUARTERLY_FOLLOW_UP
LOGGED_AFTER = tuple(timedelta(minutes=minutes) for minutes in range(60, 240, 15))

# --- Housing search -----------------------------------------------------------

QUEUES = ("Kommunens bostadskö", "Bostadsförmedlingen i regionen", "Fiktiva Bostäder AB:s kö",
          "Vallentunahem AB:s kö", "Seniorboende (kö)", "Studentbostäder (kö)")
APPLICATION_PLACES = ("Fiktiva Bostäder AB", "Vallentunahem AB", "Hyresbolaget Påhitt AB", "Privat hyresvärd (annons)",
                      "Andrahandsannons")
STREET_NAMES = ("Storgatan", "Kyrkvägen", "Skolgatan", "Björkvägen", "Ekbacken", "Lindvägen", "Ängsvägen")
NATIONWIDE_SHARE = 0.15

# --- Housing course -----------------------------------------------------------

COURSE_MONTHS = (3, 10)  # spring and autumn rounds
COURSE_PLACES = ("Boendeenhetens samlingslokal", "Träffpunkten, Storgatan 3", "Kommunhusets konferensrum")
COURSE_CAPACITY = 6
COURSE_MINIMUM = 4
COURSE_LONGEST_WAIT = 150  # days since the move-in
COURSE_START_TIME = clock(13, 0)
ATTENDED_SHARE = 0.9
MADE_UP_SHARE = 0.6
# A round is planned this far ahead at most.
COURSE_HORIZON = timedelta(days=120)


def seed(ctx):
    started = time.monotonic()
    now = timezone.now()
    with translation.override("sv"):
        if Visit.objects.exists():
            ctx.log("Besök finns redan; inga nya skapas.")
        else:
            with foreign_keys_checked_once(Visit, VisitChecklist, Signal, FrequencyChange):
                _Visits(ctx, now).build()
        if HousingSearchProfile.objects.exists():
            ctx.log("Bostadssökande finns redan; inga nya skapas.")
        else:
            _housing_search(ctx)
        if CourseRound.objects.exists():
            ctx.log("Boendekurser finns redan; inga nya skapas.")
        else:
            _courses(ctx, now)
    ctx.log(f"Bolotsdelen klar på {time.monotonic() - started:.1f} s.")


def _pick(rng, table):
    """The value whose cumulative share first exceeds a random draw."""
    roll = rng.random()
    for share, value in table:
        if roll < share:
            return value
    return table[-1][1]


def _on_weekday(day):
    """Saturdays move to Friday, Sundays to Monday."""
    weekday = day.weekday()
    if weekday == 5:
        return day - timedelta(days=1)
    if weekday == 6:
        return day + timedelta(days=1)
    return day


def _plus_months(day, months):
    """referrals.calendar.add_months without relativedelta's overhead (it is
    called for every visit): the same day `months` later, clamped to the
    month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


class _Visits:
    """Visits of every started order, unit by unit: a unit's visits are
    built, given keys and written before the next unit's are built, so that
    the national scale never holds two million rows in memory."""

    def __init__(self, ctx, now):
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

    def build(self):
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
                outcome = _pick(rng, CANCEL_OUTCOMES)
            else:
                outcome = DONE
        if outcome is DONE:
            if rng.random() < 0.15:
                notes = rng.choice(DONE_NOTES)
        elif outcome == VisitOutcome.CANCELLED_BY_CLIENT:
            reason = _pick(rng, CLIENT_REASONS_YOUNG if young else CLIENT_REASONS)
            if reason == CancelReason.OTHER:
                reason_text = rng.choice(CLIENT_OTHER_TEXTS)
        elif outcome == VisitOutcome.CANCELLED_BY_STAFF:
            reason = CancelReason.OTHER
            reason_text = rng.choice(STAFF_OTHER_TEXTS)
        elif outcome == VisitOutcome.NO_SHOW:
            if rng.random() < NO_SHOW_REASON_SHARE:
                reason = _pick(rng, NO_SHOW_REASONS)
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
        later = _pick(rng, LATER_INTERVALS)
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
        rent = _pick(rng, RENT)
        insurance = _pick(rng, INSURANCE)
        search = _pick(rng, SEARCH)
        treatment = _pick(rng, TREATMENT)
        rent_comment = rng.choice(RENT_NO_COMMENTS) if rent == ChecklistAnswer.NO else ""
        self.checklists.append((
            index, rent, rent_comment,
            insurance, rng.choice(OTHER_NO_COMMENTS) if insurance == ChecklistAnswer.NO else "",
            search, rng.choice(OTHER_NO_COMMENTS) if search == ChecklistAnswer.NO else "",
            treatment, rng.choice(OTHER_NO_COMMENTS) if treatment == ChecklistAnswer.NO else "",
            False, "", "",
        ))
        if rent == ChecklistAnswer.NO and row[4] is not None:
            # To the responsible case officer, else the one who ordered (services.signals).
            recipient = row[6] or row[7]
            created = self.visits[index][-1]
            acknowledged = None
            if (self.now - created).days > SIGNAL_OPEN_DAYS:
                acknowledged = created + timedelta(hours=1 + int(rng.random() * 47))
            self.signals.append((
                SignalKind.RENT_UNPAID, row[4], index, recipient, rent_comment, created,
                acknowledged, recipient if acknowledged else None,
            ))

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


# --- Housing search ------------------------------------------------------------


def _training_stays(ctx):
    """{client id: [(unit id, start, end, end reason)]} of training-apartment
    tenancies, oldest first."""
    stays = {}
    for client_id, unit_id, start, end, reason in (
        Tenancy.objects.filter(apartment__unit__in=ctx.units, apartment__kind=ApartmentKind.TRAINING)
        .order_by("client_id", "start_date", "pk")
        .values_list("client_id", "apartment__unit_id", "start_date", "end_date", "end_reason")
    ):
        stays.setdefault(client_id, []).append((unit_id, start, end, reason))
    return stays


def _housing_search(ctx):
    rng, today = ctx.rng, ctx.today
    profiles, queues, applications = [], [], []
    for client_id, stays in _training_stays(ctx).items():
        first = stays[0][1]
        last_end, last_reason = stays[-1][2], stays[-1][3]
        moved_on = last_end is not None and last_reason in (EndReason.OWN_HOUSING, EndReason.FIRST_HAND_TAKEOVER)
        search_end = min(last_end or today, today)
        checked = search_end - timedelta(days=int(rng.random() * 30))
        profiles.append((client_id, rng.random() < NATIONWIDE_SHARE, "", max(checked, first)))
        chosen = rng.sample(QUEUES[:4], 1 + int(rng.random() * 3))
        for number, queue in enumerate(chosen):
            since = first - timedelta(days=int(rng.random() * 900)) if rng.random() < 0.6 else (
                first + timedelta(days=int(rng.random() * 60)))
            since = min(since, today)
            ended = last_end if moved_on and number == 0 and last_end >= since else None
            queues.append((client_id, queue, since, ended))
        day = first + timedelta(days=20 + int(rng.random() * 60))
        last_application = None
        while day <= search_end:
            recent = (today - day).days < 45
            result = ApplicationResult.PENDING if recent else _pick(rng, (
                (0.86, ApplicationResult.NOT_CHOSEN), (0.94, ApplicationResult.DECLINED),
                (1.0, ApplicationResult.OFFERED)))
            where = (f"{rng.choice(APPLICATION_PLACES)}: {rng.choice(STREET_NAMES)} {1 + int(rng.random() * 60)}, "
                     f"{1 + int(rng.random() * 3)} rok")
            applications.append([client_id, day, where, result])
            last_application = applications[-1]
            day += timedelta(days=30 + int(rng.random() * 60))
        if moved_on and last_end is not None and last_reason == EndReason.OWN_HOUSING:
            # The application that gave them their own home.
            accepted_on = last_end - timedelta(days=30 + int(rng.random() * 30))
            if last_application is not None and last_application[1] >= accepted_on:
                last_application[3] = ApplicationResult.ACCEPTED
            elif accepted_on >= first:
                applications.append([client_id, accepted_on, f"{rng.choice(APPLICATION_PLACES)}: "
                                     f"{rng.choice(STREET_NAMES)} {1 + int(rng.random() * 60)}, 1 rok",
                                     ApplicationResult.ACCEPTED])
    # Every row starts at version 1 (audit.versioning), as a save would store it.
    copy_rows(HousingSearchProfile, ("client_id", "nationwide", "notes", "checked_on", "version"),
              ((*row, 1) for row in profiles))
    copy_rows(QueueRegistration, ("client_id", "queue", "registered_since", "ended_on", "version"),
              ((*row, 1) for row in queues))
    copy_rows(HousingApplication, ("client_id", "applied_on", "where", "result", "version"),
              ((*row, 1) for row in applications))
    ctx.log(f"Skapade bostadssökande för {len(profiles)} klienter: {len(queues)} köer och "
            f"{len(applications)} ansökningar.")


# --- Housing course ------------------------------------------------------------


def _first_year(ctx):
    years_back = HISTORY_YEARS_BY_SCALE.get(ctx.scale)
    return ctx.today.year - years_back if years_back is not None else FIRST_YEAR


def _round_start(year, month):
    """The first Tuesday of the month."""
    day = date(year, month, 1)
    return day + timedelta(days=(1 - day.weekday()) % 7)


def _courses(ctx, now):
    rng, today = ctx.rng, ctx.today
    topics = [str(topic) for topic in DEFAULT_SESSION_TOPICS]
    new_tenants = {}  # unit id -> [(move-in day, client id)] of first training stays
    for client_id, stays in _training_stays(ctx).items():
        unit_id, start = stays[0][0], stays[0][1]
        if start >= date(_first_year(ctx), 1, 1) - timedelta(days=120):
            new_tenants.setdefault(unit_id, []).append((start, client_id))
    rounds, leaders, sessions, enrolments, attendances = [], [], [], [], []
    for unit in ctx.units:
        pilots = ctx.users_by_unit.get(unit.pk, {}).get(Role.PILOT) or []
        tenants = sorted(new_tenants.get(unit.pk, []))
        if len(pilots) < 2 or not tenants:
            continue
        waiting = []  # (move-in day, client id) still to take the course
        position = 0
        for year in range(_first_year(ctx), today.year + 2):
            for month in COURSE_MONTHS:
                starts_on = _round_start(year, month)
                if starts_on > today + COURSE_HORIZON:
                    break
                # Tenants who have moved in by a month after the start.
                while position < len(tenants) and tenants[position][0] <= starts_on + timedelta(days=30):
                    waiting.append(tenants[position])
                    position += 1
                # A round needs a few participants, unless someone has waited long.
                if len(waiting) < COURSE_MINIMUM and not (
                    waiting and waiting[0][0] <= starts_on - timedelta(days=COURSE_LONGEST_WAIT)
                ):
                    continue
                participants, waiting = waiting[:COURSE_CAPACITY], waiting[COURSE_CAPACITY:]
                dropped = _course_round(rng, unit, starts_on, pilots, [client for _day, client in participants],
                                        topics, today, rounds, leaders, sessions, enrolments, attendances)
                moved_in = {client: day for day, client in participants}
                waiting = sorted([(moved_in[client], client) for client in dropped] + waiting)
    _write_courses(rounds, leaders, sessions, enrolments, attendances, now)
    completed = sum(1 for row in enrolments if row[4] is not None)
    ctx.log(f"Skapade {len(rounds)} boendekurser med {len(enrolments)} deltagare ({completed} har fullföljt).")


def _course_round(rng, unit, starts_on, pilots, participants, topics, today,
                  rounds, leaders, sessions, enrolments, attendances):
    """One round with its sessions, enrolments and the attendance recorded
    so far. Returns the participants who did not complete and will take the
    next round."""
    round_index = len(rounds)
    rounds.append((unit.pk, starts_on, rng.choice(COURSE_PLACES), COURSE_CAPACITY))
    for pilot in rng.sample(pilots, 2):
        leaders.append((round_index, pilot.pk))
    days = [starts_on + timedelta(weeks=number) for number in range(SESSIONS_PER_ROUND)]
    first_session = len(sessions)
    for number, day in enumerate(days, start=1):
        sessions.append((round_index, number, day, COURSE_START_TIME, 120, topics[number - 1]))
    dropped = []
    for client_id in participants:
        enrolled_on = min(starts_on - timedelta(days=7 + int(rng.random() * 30)), today)
        counted = []
        marks = []
        for number, day in enumerate(days):
            if day > today:
                counted.append(None)
                continue
            if rng.random() < ATTENDED_SHARE:
                marks.append((first_session + number, True, None))
                counted.append(day)
                continue
            made_up = day + timedelta(days=3 + int(rng.random() * 12))
            if rng.random() < MADE_UP_SHARE and made_up <= today:
                marks.append((first_session + number, False, made_up))
                counted.append(made_up)
            else:
                marks.append((first_session + number, False, None))
                counted.append(None)
        # As services.courses.completion_date: the last day needed, once all count.
        completed_on = max(counted) if all(counted) else None
        enrolment_index = len(enrolments)
        enrolments.append([round_index, client_id, enrolled_on, None, completed_on])
        for session_index, attended, made_up in marks:
            attendances.append((enrolment_index, session_index, attended, made_up))
        if completed_on is None and days[-1] <= today:
            dropped.append(client_id)
    return dropped


def _write_courses(rounds, leaders, sessions, enrolments, attendances, now):
    round_keys = reserve_keys(CourseRound, len(rounds))
    copy_rows(CourseRound, ("id", "unit_id", "starts_on", "place", "capacity", "created_at", "version"), (
        (key, unit_id, starts_on, place, capacity,
         datetime.combine(starts_on - timedelta(days=45), clock(10), TZ).astimezone(UTC), 1)
        for key, (unit_id, starts_on, place, capacity) in zip(round_keys, rounds, strict=True)
    ))
    copy_rows(CourseRound.leaders.through, ("courseround_id", "user_id"),
              ((round_keys[index], user_id) for index, user_id in leaders))
    session_keys = reserve_keys(CourseSession, len(sessions))
    copy_rows(CourseSession, ("id", "round_id", "number", "held_on", "starts_at", "minutes", "topic"), (
        (key, round_keys[index], *rest) for key, (index, *rest) in zip(session_keys, sessions, strict=True)
    ))
    enrolment_keys = reserve_keys(Enrolment, len(enrolments))
    copy_rows(Enrolment, ("id", "round_id", "client_id", "enrolled_on", "completed_on", "version"), (
        (key, round_keys[index], client_id, enrolled_on, completed_on, 1)
        for key, (index, client_id, enrolled_on, _unused, completed_on) in zip(enrolment_keys, enrolments, strict=True)
    ))
    copy_rows(Attendance, ("enrolment_id", "session_id", "attended", "made_up_on"), (
        (enrolment_keys[enrolment], session_keys[session], attended, made_up)
        for enrolment, session, attended, made_up in attendances
    ))
