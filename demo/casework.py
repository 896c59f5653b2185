"""Demo casework: decisions, orders to the bolots unit, eviction notices with
contact attempts, and concern reports, from 2016 to today, in the yearly
volumes of demo/casework_plan.py; each order's life is drawn by
demo/order_life.py.

Everything is built in Python as plain records (demo.bulk.RecordMaker) and
written with COPY (demo.bulk.write_records, copy_rows), so the national
scale (290 units) stays fast. That skips save(), so the fields that save()
derives are set here: Decision.execution_due_by, Order.first_visit_due_at
(order_life) and EvictionNotice.pay_by_date.
"""

import time
from datetime import date, timedelta

from django.utils import timezone, translation

from accounts.models import Unit
from accounts.roles import Role
from core.calendar import add_months, last_day_within
from referrals.models import (
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
    LegalTopic,
    NoticeOutcome,
    NoticeReason,
    NoticeSource,
    Order,
    OrderEvent,
    OrderKind,
    OrderState,
    ProtectionLevel,
)
from referrals.models.decisions import REPORTING_MONTHS
from referrals.services.legal import reference_for
from referrals.services.notices import outreach_assignment, prevention_assignment

from .bulk import (
    InstanceMaker,
    RecordMaker,
    copy_rows,
    foreign_keys_checked_once,
    indexes_built_once,
    write_records,
)
from .casework_plan import (
    CONCERNS,
    CONTACT_NOTES,
    DEMO_NOTE,
    DESCRIPTIONS,
    LANDLORDS,
    LATE_DECISION_CHANCE,
    NOTICE_MONTH_WEIGHTS,
    PLACES,
    REPORTER_WEIGHTS,
    REPORTERS,
    YEARLY,
)
from .context import DemoContext, first_year
from .names import FIRST_NAMES_FEMALE, FIRST_NAMES_MALE, LAST_NAMES, STREETS
from .order_life import OrderLife, local_moment

FIRST_NAMES = FIRST_NAMES_FEMALE + FIRST_NAMES_MALE


def seed(ctx: DemoContext) -> None:
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


def _order_address(client: dict | None, address: str) -> str:
    """As referrals.services.notices: a protected client's address is not copied."""
    return "" if client and client["protection_level"] != ProtectionLevel.NONE else address


def _weekday(day: date) -> date:
    """Move a Saturday or Sunday to the Monday after: offices are shut."""
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


class _Casework(OrderLife):
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.rng = ctx.rng
        self.today = ctx.today
        self.now = timezone.now()
        # Plain records (demo.bulk.RecordMaker) for the many rows; model
        # instances for the notices and concern reports, whose order texts
        # the services write from their display methods.
        self.make = {model: RecordMaker(model) for model in (Decision, Order, ContactAttempt)}
        self.make.update({model: InstanceMaker(model) for model in (EvictionNotice, ConcernReport)})
        self.decisions, self.orders, self.events = [], [], []
        self.notices, self.attempts, self.concerns = [], [], []
        # The right to assistance under the act in force on the decision day
        # (referrals.services.legal): decisions from 1 July 2025 on use SoL 2025:400.
        any_reference = LegalReference.objects.order_by("pk").first()
        self.old_act = reference_for(LegalTopic.ASSISTANCE, date(2025, 6, 30)) or any_reference
        self.new_act = reference_for(LegalTopic.ASSISTANCE, date(2025, 7, 1)) or self.old_act
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
        return local_moment(day, self.rng.randint(8, 16), self.rng.choice((0, 10, 20, 30, 40, 50)))

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

    def build_unit(self, unit: Unit) -> None:
        clients = self.clients_by_unit.get(unit.pk, [])
        people = self.ctx.users_by_unit.get(unit.pk, {})
        officers = people.get(Role.CASE_OFFICER) or []
        pilots = people.get(Role.PILOT) or []
        if not clients or not officers or len(pilots) < 2:
            return
        self.unit, self.clients, self.officers, self.pilots = unit, clients, officers, pilots
        busy = {}
        for year in range(first_year(self.ctx), self.today.year + 1):
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
                client=client, decision=decision, start=local_moment(start, 10), end_day=valid_to, may_cancel=not packaged,
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

    # --- writing -----------------------------------------------------------

    def save(self) -> None:
        """Parents first; children get their parents' ids as they become known.
        The foreign keys are checked once at the end (PostgreSQL): row by row
        PostgreSQL queued over a million deferred checks for the commit. The
        largest tables' plain indexes are built once after the rows too."""
        with foreign_keys_checked_once(Decision, EvictionNotice, ConcernReport, ContactAttempt, Order, OrderEvent), \
                indexes_built_once(Decision, ConcernReport, Order, OrderEvent):
            self._save()

    def _save(self) -> None:
        write_records(Decision, self.decisions)
        write_records(EvictionNotice, self.notices)
        write_records(ConcernReport, self.concerns)
        attempts = []
        for notice, attempt in self.attempts:
            attempt.notice_id = notice.pk
            attempts.append(attempt)
        write_records(ContactAttempt, attempts)
        for order in self.orders:
            decision, notice, concern = order._links
            order.decision_id = decision.pk if decision else None
            order.eviction_notice_id = notice.pk if notice else None
            order.concern_report_id = concern.pk if concern else None
        write_records(Order, self.orders)
        # The events' keys come from the table's default, in this order.
        copy_rows(OrderEvent, ("order_id", "at", "by_id", "transition", "text"), (
            (order.pk, at, by, transition, text)
            for order, events in self.events
            for at, by, transition, text in events
        ))
