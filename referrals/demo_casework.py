"""Demo casework: decisions, orders to the bolots unit, eviction notices with
contact attempts, and concern reports, from 2016 to today.

The yearly volumes per unit follow the municipality of the 2018 evaluation
(seed 001): about 57 bolots-support decisions granted, 46 outreach and 8
eviction-prevention orders, 15 eviction notices of which 8 got an order
(6 were the enforcement authority's applications; 3 households evicted),
and at most one decision a year not executed within three months. A
training apartment is always granted together with a bolots-support
decision covering it.

Everything is built in Python and written with bulk_create, so the national
scale (290 units) stays fast. bulk_create skips save(), so the fields that
save() derives are set here: Decision.execution_due_by,
Order.first_visit_due_at and EvictionNotice.pay_by_date.
"""

import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation

from accounts.bulk import insert_many
from accounts.demo import FIRST_NAMES_FEMALE, FIRST_NAMES_MALE, LAST_NAMES, STREETS
from accounts.roles import Role
from core.calendar import add_months, last_day_within

from .models import (
    Client,
    ConcernReport,
    ContactAttempt,
    ContactMethod,
    Decision,
    DecisionKind,
    DecisionOutcome,
    ErrandType,
    EvictionNotice,
    LegalReference,
    NoticeOutcome,
    NoticeReason,
    NoticeSource,
    Order,
    OrderEvent,
    OrderKind,
    OrderState,
    ProtectionLevel,
    ReporterType,
)
from .models.decisions import REPORTING_MONTHS
from .models.orders import FIRST_VISIT_WITHIN, OUTCOMES_BY_KIND
from .services.notices import outreach_assignment, prevention_assignment

FIRST_YEAR = 2016
# The national scale (290 units) is for load and KPI benchmarks. The KPIs
# show Y and Y−1, so the last full year and this one are enough; the full
# history since 2016 would be about 2.5 million rows, over six minutes of
# bulk_create (about 0.13 s per unit and year, measured on PostgreSQL).
HISTORY_YEARS_BY_SCALE = {"national": 1}
FIRST_NAMES = FIRST_NAMES_FEMALE + FIRST_NAMES_MALE
TZ = ZoneInfo(settings.TIME_ZONE)
DEMO_NOTE = "Fiktiva uppgifter (demodata)."

# Per unit and full year. See the module docstring for the source.
YEARLY = {
    "bolots_decisions": 57,  # granted; includes those covering training apartments
    "training_decisions": 8,
    "trial_decisions": 2,
    "emergency_decisions": 6,
    "home_support_decisions": 10,
    "housing_first_decisions": 1,
    "rejected_decisions": 5,
    "concern_reports": 50,
    "outreach_orders": 46,  # one per concern report, the rest got none
    "landlord_notices": 7,
    "enforcement_applications": 6,
    "enforcement_eviction_dates": 2,
    "notices_with_order": 8,
    "evicted": 3,
    "single_errands": 12,
}
# Chance per unit and year that one decision is executed more than three
# months after it was made (the evaluation counted 1 in 2016, 0 in 2017).
LATE_DECISION_CHANCE = 0.5
FIRST_VISIT_LATE_SHARE = 0.1
# Notices peak in May–June and around the holidays (DOMAIN.md).
NOTICE_MONTH_WEIGHTS = [7, 6, 7, 8, 12, 12, 7, 6, 8, 8, 8, 11]

LANDLORDS = [
    "Vallentunahem AB", "Fiktiva Bostäder AB", "Kommunfastigheter (SBF)", "Hyresbolaget Påhitt AB",
    "Brf Låtsaslunden", "Privat hyresvärd",
]
REPORTERS = {
    ReporterType.POLICE: ["Polisen, lokalpolisområdet", "Polisen"],
    ReporterType.HEALTHCARE: ["Vårdcentralen", "Psykiatriska mottagningen", "Akutmottagningen"],
    ReporterType.LANDLORD: ["Hyresvärden", "Fastighetsskötaren"],
    ReporterType.RELATIVE: ["Anhörig", "Dotter", "Bror"],
    ReporterType.NEIGHBOUR: ["Granne (anonym)", "Granne"],
    ReporterType.OTHER_AUTHORITY: ["Kriminalvården", "Arbetsförmedlingen", "Försäkringskassan"],
    ReporterType.OTHER: ["Frivilligorganisation", "Kyrkans diakon"],
}
REPORTER_WEIGHTS = [18, 22, 20, 14, 14, 7, 5]
CONCERNS = [
    "Har inte synts till på flera veckor; posten har samlats i brevlådan.",
    "Bor i ett tält i skogen bakom idrottsplatsen sedan några veckor.",
    "Sover i trapphuset och verkar påverkad.",
    "Har slutat hämta ut sina mediciner och verkar förvirrad.",
    "Störningar och bråk i lägenheten nattetid; grannarna är oroliga.",
    "Lägenheten är mycket nedgången och det luktar illa i trapphuset.",
    "Skrivs ut från sjukhuset utan bostad att gå till.",
    "Frigiven från anstalt nästa vecka utan bostad.",
]
DESCRIPTIONS = [
    "Man i 50-årsåldern", "Kvinna i 40-årsåldern", "Ung man, cirka 20 år", "Äldre kvinna", "Man i 30-årsåldern",
]
PLACES = [
    "Tältet bakom idrottsplatsen", "Trappuppgången vid centrum", "Parkbänkarna vid stationen",
    "Husvagnen vid gamla bruket", "Källarförrådet på Björkvägen",
]
CONTACT_NOTES = {
    True: ["Lovade att kontakta hyresvärden.", "Vill ha hjälp med en avbetalningsplan.", "Bokade möte."],
    False: ["Inget svar.", "Ingen öppnade; lämnade lapp.", "Fel nummer."],
}
REPORTS = {
    OrderKind.BOLOTS_SUPPORT: "Insatsen avslutad. Kontinuerliga besök enligt plan; se journal.",
    OrderKind.EVICTION_PREVENTION: "Hembesök gjort med två bolotsar. Kontakt tagen med hyresvärden.",
    OrderKind.OUTREACH: "Uppsök gjort med två bolotsar. Återkoppling till handläggaren.",
    OrderKind.SINGLE_ERRAND: "Ärendet utfört.",
}
CANCEL_REASONS = ["Klienten tackade nej till insatsen.", "Beställningen gjordes av misstag.", "Behovet tillgodoses på annat sätt."]


def seed(ctx):
    models = (Decision, Order, EvictionNotice, ConcernReport)
    if any(model.objects.exists() for model in models):
        ctx.log("Ärenden finns redan; inga nya skapas.")
        return
    started = time.monotonic()
    with translation.override("sv"):
        work = _Casework(ctx)
        for unit in ctx.units:
            work.build_unit(unit)
        built = time.monotonic()
        work.save()
    ctx.log(
        f"Skapade {len(work.decisions)} beslut, {len(work.orders)} uppdrag, "
        f"{len(work.notices)} underrättelser och {len(work.concerns)} orosanmälningar "
        f"({built - started:.1f} s + {time.monotonic() - built:.1f} s)."
    )


class _Maker:
    """Model instances built by position, the way Model.from_db builds them:
    several times faster than keyword construction, which matters for the
    hundreds of thousands of rows of the national scale. Fields not given
    get their default; an unknown name is a KeyError, not a silent typo."""

    def __init__(self, model):
        self.model = model
        fields = model._meta.concrete_fields
        self.index = {field.attname: position for position, field in enumerate(fields)}
        self.defaults = [None if field.primary_key else field.get_default() for field in fields]

    def __call__(self, **values):
        row = self.defaults.copy()
        index = self.index
        for name, value in values.items():
            row[index[name]] = value
        return self.model(*row)


def _at(day, hour, minute=0):
    """A local clock time as UTC: arithmetic on it then counts real hours
    (48 hours over a DST change are 48, not 47 or 49, as in Order.save)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ).astimezone(UTC)


def _order_address(client, address):
    """As services.notices: a protected client's address is not copied."""
    return "" if client and client["protection_level"] != ProtectionLevel.NONE else address


def _weekday(day):
    """Move a Saturday or Sunday to the Monday after: offices are shut."""
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


class _Casework:
    def __init__(self, ctx):
        self.ctx = ctx
        self.rng = ctx.rng
        self.today = ctx.today
        self.now = timezone.now()
        self.make = {model: _Maker(model) for model in
                     (Decision, Order, OrderEvent, EvictionNotice, ContactAttempt, ConcernReport)}
        self.decisions, self.orders, self.events = [], [], []
        self.notices, self.attempts, self.concerns = [], [], []
        references = {ref.code: ref for ref in LegalReference.objects.all()}
        self.old_act = references.get("4 kap. 1 § SoL (2001:453)") or next(iter(references.values()))
        self.new_act = references.get("3 kap. 2 § SoL (2025:400)") or self.old_act
        self.clients_by_unit = {}
        for row in (
            Client.objects.filter(unit__in=ctx.units)
            .order_by("pk")
            .values("pk", "unit_id", "children_in_home", "street_address", "city", "protection_level")
        ):
            self.clients_by_unit.setdefault(row["unit_id"], []).append(row)

    # --- helpers -----------------------------------------------------------

    def _count(self, key, fraction):
        base = YEARLY[key] * fraction
        return max(0, round(base * self.rng.uniform(0.85, 1.15)))

    def _day_in(self, year, last, weights=None):
        first = date(year, 1, 1)
        if weights:
            month = self.rng.choices(range(1, 13), weights=weights)[0]
            start = date(year, month, 1)
            end = add_months(start, 1) - timedelta(days=1)
            day = start + timedelta(days=self.rng.randint(0, (end - start).days))
        else:
            day = first + timedelta(days=self.rng.randint(0, (date(year, 12, 31) - first).days))
        return min(_weekday(day), last) if day <= last else None

    def _office_time(self, day):
        return _at(day, self.rng.randint(8, 16), self.rng.choice((0, 10, 20, 30, 40, 50)))

    def _hours(self, low, high):
        return timedelta(minutes=self.rng.randint(int(low * 60), int(high * 60)))

    def _legal_basis(self, day):
        return self.new_act if day >= date(2025, 7, 1) else self.old_act

    def _risks(self, children=0):
        rng = self.rng
        return {
            "risk_animals": rng.random() < 0.1,
            "risk_substance_use": rng.random() < 0.35,
            "risk_violence": rng.random() < 0.08,
            "risk_children": children > 0,
            "risk_threats": rng.random() < 0.04,
        }

    def _free_client(self, clients, busy, start):
        """A client without another bolots decision running on `start`."""
        for _attempt in range(25):
            client = self.rng.choice(clients)
            if busy.get(client["pk"], date.min) < start:
                return client
        return client

    # --- one unit ----------------------------------------------------------

    def build_unit(self, unit):
        clients = self.clients_by_unit.get(unit.pk, [])
        people = self.ctx.users_by_unit.get(unit.pk, {})
        officers = people.get(Role.CASE_OFFICER) or []
        pilots = people.get(Role.PILOT) or []
        if not clients or not officers or len(pilots) < 2:
            return
        self.unit, self.clients, self.officers, self.pilots = unit, clients, officers, pilots
        busy = {}
        years_back = HISTORY_YEARS_BY_SCALE.get(self.ctx.scale)
        first_year = self.today.year - years_back if years_back is not None else FIRST_YEAR
        for year in range(first_year, self.today.year + 1):
            last = min(date(year, 12, 31), self.today)
            fraction = ((last - date(year, 1, 1)).days + 1) / 365
            self._decisions(year, last, fraction, busy)
            self._concerns(year, last, fraction)
            self._notices(year, last, fraction)
            self._errands(year, last, fraction)
        self._current_queue()

    def _decisions(self, year, last, fraction, busy):
        rng = self.rng
        n_bolots = self._count("bolots_decisions", fraction)
        n_training = min(self._count("training_decisions", fraction), n_bolots)
        # The late one is never a training package: IVO would count both.
        late_index = (
            rng.randrange(n_training, n_bolots) if n_bolots > n_training and rng.random() < LATE_DECISION_CHANCE
            else None
        )
        for index in range(n_bolots):
            decided = self._day_in(year, last)
            if decided is None:
                continue
            client = self._free_client(self.clients, busy, decided)
            valid_to = add_months(decided, 12) - timedelta(days=1)
            busy[client["pk"]] = valid_to
            late = index == late_index
            start = decided + timedelta(days=rng.randint(95, 140) if late else rng.randint(2, 30))
            officer = rng.choice(self.officers)
            applied = decided - timedelta(days=rng.randint(3, 30))
            packaged = index < n_training
            decision = self._decision(client, DecisionKind.BOLOTS_SUPPORT, applied, decided, officer, valid_to=valid_to)
            if late:
                decision.delay_reason = "Ingen bolots med utrymme i ärendemängden."
            order = self._order(
                OrderKind.BOLOTS_SUPPORT, self._office_time(decided + timedelta(days=rng.randint(0, 2))), officer.pk,
                client=client, decision=decision, start=_at(start, 10), end_day=valid_to, may_cancel=not packaged,
                assignment="Bolotsinsats enligt beslut: stöd i boendet, veckovisa besök de första tre månaderna.",
                risks=self._risks(client["children_in_home"]),
            )
            if order.started_at:
                decision.executed_on = timezone.localtime(order.started_at).date()
            elif order.state == OrderState.CANCELLED:
                decision.closed_on = timezone.localtime(order.cancelled_at).date()
                decision.close_reason = order.cancel_reason
            if packaged:
                # Granted as a package with the bolots support covering it:
                # decided together, valid for the same period, executed on
                # the move-in day when the support starts.
                self._decision(
                    client, DecisionKind.TRAINING_APARTMENT, applied, decided, officer,
                    valid_to=valid_to, executed_on=decision.executed_on,
                )
        for key, kind, months in (
            ("trial_decisions", DecisionKind.TRIAL_APARTMENT, 12),
            ("emergency_decisions", DecisionKind.EMERGENCY_HOUSING, 3),
            ("home_support_decisions", DecisionKind.HOME_SUPPORT, 6),
            ("housing_first_decisions", DecisionKind.HOUSING_FIRST, None),
        ):
            for _ in range(self._count(key, fraction)):
                decided = self._day_in(year, last)
                if decided is None:
                    continue
                executed = decided + timedelta(days=rng.randint(1, 30))
                self._decision(
                    rng.choice(self.clients), kind, decided - timedelta(days=rng.randint(1, 20)), decided,
                    rng.choice(self.officers),
                    valid_to=add_months(decided, months) - timedelta(days=1) if months else None,
                    executed_on=executed if executed <= self.today else None,
                )
        for _ in range(self._count("rejected_decisions", fraction)):
            decided = self._day_in(year, last)
            if decided is None:
                continue
            kind = rng.choice([DecisionKind.BOLOTS_SUPPORT, DecisionKind.TRIAL_APARTMENT, DecisionKind.HOME_SUPPORT,
                               DecisionKind.EMERGENCY_HOUSING])
            decision = self._decision(rng.choice(self.clients), kind, decided - timedelta(days=rng.randint(5, 30)),
                                      decided, rng.choice(self.officers), valid_to=None)
            decision.outcome = DecisionOutcome.REJECTED
            decision.reasoning = "Behovet bedöms kunna tillgodoses på annat sätt. " + DEMO_NOTE

    def _decision(self, client, kind, applied, decided, officer, *, valid_to, executed_on=None):
        decision = self.make[Decision](
            client_id=client["pk"], kind=kind, legal_basis_id=self._legal_basis(decided).pk, applied_on=applied,
            decided_on=decided, outcome=DecisionOutcome.GRANTED, valid_from=decided, valid_to=valid_to,
            decided_by_id=officer.pk, reasoning=DEMO_NOTE, executed_on=executed_on,
            # Derived in Decision.save(), which bulk_create skips.
            execution_due_by=last_day_within(decided, REPORTING_MONTHS),
        )
        self.decisions.append(decision)
        return decision

    def _concerns(self, year, last, fraction):
        rng = self.rng
        n_reports = self._count("concern_reports", fraction)
        n_orders = min(self._count("outreach_orders", fraction), n_reports)
        for index in range(n_reports):
            received = self._day_in(year, last)
            if received is None:
                continue
            concern = self._concern(received)
            if index < n_orders:
                sent = self._office_time(min(received + timedelta(days=rng.randint(0, 1)), self.today))
                self._outreach_order(concern, min(sent, self.now))

    def _concern(self, received, officer=None):
        rng = self.rng
        reporter_type = rng.choices(list(REPORTERS), weights=REPORTER_WEIGHTS)[0]
        registered = rng.random() < 0.45
        client = rng.choice(self.clients) if registered else None
        concern = self.make[ConcernReport](
            unit_id=self.unit.pk, received_on=received, reporter_type=reporter_type,
            reporter=rng.choice(REPORTERS[reporter_type]),
            client_id=client["pk"] if client else None,
            subject_name="" if client else rng.choice(DESCRIPTIONS),
            subject_address="" if client else rng.choice(PLACES),
            concern=f"{rng.choice(CONCERNS)} {DEMO_NOTE}",
            registered_by_id=(officer or rng.choice(self.officers)).pk,
        )
        concern._client_row = client
        self.concerns.append(concern)
        return concern

    def _outreach_order(self, concern, sent, **kwargs):
        client = concern._client_row
        return self._order(
            OrderKind.OUTREACH, sent, concern.registered_by_id, client=client, concern=concern,
            subject_name=concern.subject_name, subject_address=concern.subject_address,
            assignment=outreach_assignment(concern), risks=self._risks(client["children_in_home"] if client else 0),
            **kwargs,
        )

    def _notices(self, year, last, fraction):
        rng = self.rng
        sources = (
            [NoticeSource.LANDLORD_TERMINATION] * self._count("landlord_notices", fraction)
            + [NoticeSource.ENFORCEMENT_APPLICATION] * self._count("enforcement_applications", fraction)
            + [NoticeSource.ENFORCEMENT_EVICTION_DATE] * self._count("enforcement_eviction_dates", fraction)
        )
        n_orders = min(self._count("notices_with_order", fraction), len(sources))
        with_order = set(rng.sample(range(len(sources)), n_orders))
        # Evictions happen where the enforcement authority is involved.
        enforcement = [i for i, source in enumerate(sources) if source != NoticeSource.LANDLORD_TERMINATION]
        evicted = set(rng.sample(enforcement, min(self._count("evicted", fraction), len(enforcement))))
        for index, source in enumerate(sources):
            received = self._day_in(year, last, NOTICE_MONTH_WEIGHTS)
            if received is None:
                continue
            notice = self._notice(received, source, evicted=index in evicted)
            if index in with_order:
                sent = self._office_time(min(received + timedelta(days=rng.randint(0, 2)), self.today))
                self._prevention_order(notice, min(sent, self.now))

    def _notice(self, received, source, *, evicted=False, officer=None, open_=False):
        rng = self.rng
        client = rng.choice(self.clients) if rng.random() < 0.5 else None
        if source == NoticeSource.LANDLORD_TERMINATION:
            reason = rng.choices([NoticeReason.RENT_ARREARS, NoticeReason.DISTURBANCE, NoticeReason.OTHER],
                                 weights=[75, 20, 5])[0]
            termination = received - timedelta(days=rng.randint(0, 4))
            eviction = None
        else:
            reason = rng.choices([NoticeReason.RENT_ARREARS, NoticeReason.DISTURBANCE], weights=[85, 15])[0]
            termination = received - timedelta(days=rng.randint(30, 120))
            eviction = received + timedelta(days=rng.randint(14, 40)) if (
                source == NoticeSource.ENFORCEMENT_EVICTION_DATE or evicted or rng.random() < 0.4
            ) else None
        children = client["children_in_home"] if client else (rng.randint(1, 3) if rng.random() < 0.3 else 0)
        notice = self.make[EvictionNotice](
            unit_id=self.unit.pk, received_on=received, source=source, landlord=rng.choice(LANDLORDS),
            client_id=client["pk"] if client else None,
            tenant_name="" if client else f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            address=(f"{client['street_address']}, {client['city']}" if client
                     else f"{rng.choice(STREETS)} {rng.randint(1, 60)}, {self.unit.municipality}"),
            reason=reason,
            amount_owed=rng.randint(400, 6000) * 1000 if reason == NoticeReason.RENT_ARREARS else None,
            termination_date=termination, eviction_date=eviction, children_count=children,
            notes=DEMO_NOTE, registered_by_id=(officer or rng.choice(self.officers)).pk,
        )
        # Derived in EvictionNotice.save(), which bulk_create skips.
        notice.pay_by_date = notice.compute_pay_by_date()
        notice._client_row = client
        settled_by = received + timedelta(days=rng.randint(10, 70))
        if evicted and eviction and eviction <= self.today:
            notice.outcome, notice.outcome_on = NoticeOutcome.EVICTED, eviction
        elif not open_ and settled_by <= self.today and not evicted:
            notice.outcome = rng.choices(
                [NoticeOutcome.PREVENTED_PAID, NoticeOutcome.PREVENTED_REPAYMENT_PLAN,
                 NoticeOutcome.PREVENTED_ASSISTANCE, NoticeOutcome.MOVED_VOLUNTARILY, NoticeOutcome.UNKNOWN],
                weights=[30, 25, 20, 15, 10],
            )[0]
            notice.outcome_on = settled_by
        self.notices.append(notice)
        for _ in range(rng.randint(1, 4)):
            at = self._office_time(received + timedelta(days=rng.randint(0, 10)))
            if at > self.now:
                continue
            reached = rng.random() < 0.55
            attempt = self.make[ContactAttempt](
                at=at, by_id=notice.registered_by_id,
                method=rng.choices([ContactMethod.PHONE, ContactMethod.LETTER, ContactMethod.HOME_VISIT],
                                   weights=[50, 30, 20])[0],
                reached=reached, note=rng.choice(CONTACT_NOTES[reached]),
            )
            self.attempts.append((notice, attempt))
        return notice

    def _prevention_order(self, notice, sent, **kwargs):
        return self._order(
            OrderKind.EVICTION_PREVENTION, sent, notice.registered_by_id, client=notice._client_row, notice=notice,
            subject_name=notice.tenant_name, subject_address=_order_address(notice._client_row, notice.address),
            assignment=prevention_assignment(notice), risks={**self._risks(), "risk_children": notice.children_count > 0},
            **kwargs,
        )

    def _errands(self, year, last, fraction):
        rng = self.rng
        texts = {
            ErrandType.ESCORT_TREATMENT: "Följ med till intagning på behandlingshem.",
            ErrandType.ESCORT_DOCTOR: "Följ med till läkarbesök.",
            ErrandType.LVM_HOME_VISIT: "Hembesök i LVM-ärende tillsammans med handläggaren.",
            ErrandType.OTHER: "Hjälp med flyttstädning och nyckelöverlämning.",
        }
        for _ in range(self._count("single_errands", fraction)):
            day = self._day_in(year, last)
            if day is None:
                continue
            client = rng.choice(self.clients)
            errand = rng.choice(list(texts))
            sent = min(self._office_time(day), self.now)
            self._order(OrderKind.SINGLE_ERRAND, sent, rng.choice(self.officers).pk, client=client,
                        errand_type=errand, assignment=texts[errand], risks=self._risks(client["children_in_home"]))

    def _current_queue(self):
        """Today's work, so that every state is seen: a concern report
        answered by an order still waiting for the unit, and an
        eviction-prevention order returned with a question."""
        officer = self.officers[0]
        sent = self.now - timedelta(hours=2)
        concern = self._concern(timezone.localtime(sent).date(), officer=officer)
        self._outreach_order(concern, sent, force=OrderState.SENT)
        notice = self._notice(self.today - timedelta(days=1), NoticeSource.LANDLORD_TERMINATION,
                              officer=officer, open_=True)
        self._prevention_order(notice, self.now - timedelta(hours=20), force=OrderState.RETURNED)

    # --- an order and its life so far --------------------------------------

    def _order(self, kind, sent, officer_id, *, client=None, decision=None, concern=None, notice=None,
               subject_name="", subject_address="", assignment, risks, errand_type="", start=None, end_day=None,
               force=None, may_cancel=True):
        rng = self.rng
        now = self.now
        order = self.make[Order](
            unit_id=self.unit.pk, kind=kind, errand_type=errand_type, client_id=client["pk"] if client else None,
            subject_name="" if client else subject_name, subject_address=subject_address,
            ordered_by_id=officer_id, assignment=assignment, state=OrderState.SENT, sent_at=sent, **risks,
        )
        # Their ids are known once they are saved; see save().
        order._links = (decision, notice, concern)
        rule = kind in OrderKind.with_48_hour_rule()
        if rule:
            # Derived in Order.save(), which bulk_create skips.
            order.first_visit_due_at = sent + FIRST_VISIT_WITHIN
        self.orders.append(order)
        events = [(sent, officer_id, OrderEvent.Transition.SENT, "")]
        self.events.append((order, events))

        answered = sent
        if force == OrderState.RETURNED or (force is None and rng.random() < 0.08):
            returned_at = sent + self._hours(1, 20)
            events.append((returned_at, rng.choice(self.pilots).pk, OrderEvent.Transition.RETURNED,
                           "Finns det en aktuell adress och ett telefonnummer?"))
            answered = returned_at + self._hours(1, 24)
            if force == OrderState.RETURNED or answered > now:
                order.state = OrderState.RETURNED
                return order
            events.append((answered, officer_id, OrderEvent.Transition.ANSWERED, "Ja, se uppdaterad beställning."))
        if force == OrderState.SENT:
            return order

        if rule:
            late = rng.random() < FIRST_VISIT_LATE_SHARE
            visit = answered + (self._hours(49, 110) if late else self._hours(2, 46))
            accepted = answered + self._hours(0.5, min(12, (visit - answered).total_seconds() / 3600 - 0.5))
            start = visit
        else:
            accepted = answered + self._hours(4, 96)
            if start is None:
                start = accepted + self._hours(1, 24 * 7)
            elif start - answered > timedelta(days=30):
                # A late start: the unit had nobody free, and took it on late.
                accepted = start - self._hours(24, 120)
            elif start <= accepted:
                start = accepted + self._hours(1, 48)
            visit = start
        if accepted > now:
            return order

        if may_cancel and rng.random() < 0.05:
            cancelled = accepted + self._hours(1, 24 * 10)
            if cancelled <= now and cancelled < start:
                order.state = OrderState.CANCELLED
                order.cancelled_at = cancelled
                order.cancel_reason = rng.choice(CANCEL_REASONS)
                events.append((cancelled, officer_id, OrderEvent.Transition.CANCELLED, order.cancel_reason))
                return order

        active, passive = (pilot.pk for pilot in rng.sample(self.pilots, 2))
        order.active_pilot_id, order.passive_pilot_id = active, passive
        order.state = OrderState.ACCEPTED
        order.accepted_at = accepted
        events.append((accepted, active, OrderEvent.Transition.ACCEPTED, ""))
        if start > now:
            return order

        order.state = OrderState.IN_PROGRESS
        order.started_at = start
        order.first_visit_at = visit
        events.append((start, active, OrderEvent.Transition.STARTED, ""))
        if kind == OrderKind.BOLOTS_SUPPORT:
            # Most run their full year; some end early (goals reached, moved).
            end = (_at(end_day, 15) if end_day and rng.random() < 0.6
                   else start + timedelta(days=rng.randint(60, 330)))
        elif kind == OrderKind.EVICTION_PREVENTION:
            end = start + timedelta(days=rng.randint(7, 60))
        elif kind == OrderKind.OUTREACH:
            end = start + timedelta(days=rng.randint(3, 40))
        else:
            end = start + self._hours(2, 48)
        if end > now:
            return order

        order.state = OrderState.COMPLETED
        order.completed_at = end
        order.outcome = rng.choice(OUTCOMES_BY_KIND[kind][:-1])
        order.report = REPORTS[kind]
        events.append((end, active, OrderEvent.Transition.COMPLETED, order.report))
        return order

    # --- writing -----------------------------------------------------------

    def save(self):
        """Parents first; children get their parents' ids as they become known."""
        insert_many(Decision, self.decisions)
        insert_many(EvictionNotice, self.notices)
        insert_many(ConcernReport, self.concerns)
        attempts = []
        for notice, attempt in self.attempts:
            attempt.notice_id = notice.pk
            attempts.append(attempt)
        insert_many(ContactAttempt, attempts)
        for order in self.orders:
            decision, notice, concern = order._links
            order.decision_id = decision.pk if decision else None
            order.eviction_notice_id = notice.pk if notice else None
            order.concern_report_id = concern.pk if concern else None
        insert_many(Order, self.orders)
        make_event = self.make[OrderEvent]
        insert_many(OrderEvent, [
                make_event(order_id=order.pk, at=at, by_id=by, transition=transition, text=text)
                for order, events in self.events
                for at, by, transition, text in events
            ],
        )

