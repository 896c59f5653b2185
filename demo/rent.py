"""Demo rent ledger (issue 14): for every demo tenancy a rent notice for each
month of the demo years, payments in realistic patterns, repayment plans
for a few tenants in arrears, one termination for arrears with its two
letters delivered, the unit's rent settings, and the BgMax files of the
last month on disk, so that `make run` shows a live ledger.

How the months are made follows the monthly run (rent.services.runs): the
notice for a month is made on the 20th of the month before, due on the last
weekday before the 1st, with a rent line pro rata by the days of the month
for a move-in or move-out inside it (monthly rent × days ÷ days of the
month, rounded to whole öre), an instalment line while a repayment plan
runs, and its OCR reference from its number (rent.ocr.notice_reference).
Payments settle the oldest open notices first, as
rent.services.allocation.allocate_tenancy does; the same rule is computed
here in Python and written in bulk, since a call per tenancy would cost
queries per tenancy.

Payment patterns (drawn per tenancy): most pay on time by bankgiro, some
pay late, a few fall behind; of those some get a repayment plan, and one
current tenant of the first unit is terminated for arrears. Tenancies that
ended with "terminated for rent arrears" leave their last months unpaid.
Some notices are unpaid past their due date on the seed day, so the aging
list, the arrears signals and the figures have something to show.

The BgMax files of the last month (one file per unit and payment day,
written with rent.bgmax.writer) go to MEDIA_ROOT/demo/bgmax/ (media/ is not
in git). They are recorded as imported (BgMaxFile with their checksum), so
uploading one again shows the refusal of a duplicate; each unit's last one
also holds a payment with a wrong reference, which waits in the manual
matching queue.

Deterministic for a --seed (draws from ctx.rng, in tenancy order); a second
run adds nothing. At the national scale the rent history is the last
twelve months (RENT_MONTHS_BY_SCALE), to keep the seed within its budget.
"""

from __future__ import annotations

import calendar
import hashlib
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from stdnum import luhn

from accounts.roles import Role
from referrals.models import EvictionNotice, NoticeReason, NoticeSource, Order, OrderState
from rent.bgmax.records import BgMaxDeposit, BgMaxFileContent, BgMaxPayment, ReferenceCode
from rent.bgmax.writer import write_bytes
from rent.models import (
    Allocation,
    ArrearsTermination,
    BgMaxFile,
    DeliveryMethod,
    InstalmentOutcome,
    LetterDelivery,
    LetterKind,
    LineKind,
    NoticeKind,
    NoticeLine,
    NoticeRun,
    Payment,
    PaymentSource,
    PlanInstalment,
    PlanStatus,
    RentNotice,
    RentSettings,
    RepaymentPlan,
    TerminationStatus,
)
from rent.ocr import notice_reference
from tenancies.models import EndReason, Tenancy

from .bulk import copy_rows, foreign_keys_checked_once, indexes_built_once, reserve_keys
from .context import DemoContext, first_year

RENT_MONTHS_BY_SCALE = {"national": 12}
RUN_DAY = 20
GRACE_DAYS = 5
DEFAULT_RENT = 550_000
# (pattern, weight): how a tenant pays.
PATTERNS = (("on_time", 78), ("late", 15), ("behind", 7))
# A stray payment's reference: fails the OCR check (rent.ocr).
STRAY_REFERENCE = "4711000815"
MONTH_NAMES = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
               "oktober", "november", "december")


def _add_month(month: date, months: int = 1) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def due_date_for(period: date) -> date:
    """The last weekday (Monday–Friday) before the 1st of `period`."""
    day = period - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def pro_rata(monthly_rent: int, days: int, days_in_month: int) -> int:
    """Monthly rent × days ÷ days of the month, to whole öre (half up)."""
    return (monthly_rent * days * 2 + days_in_month) // (2 * days_in_month)


def fictional_bankgiro(index: int) -> str:
    """A 7-digit bankgiro number with a valid check digit (fictional)."""
    base = f"99{index % 10000:04d}"
    return base + luhn.calc_check_digit(base)


def fictional_organisation_number(index: int) -> str:
    base = f"212000{index % 1000:03d}"
    digits = base + luhn.calc_check_digit(base)
    return f"{digits[:6]}-{digits[6:]}"


@dataclass
class _Notice:
    pk: int
    tenancy: dict
    period: date
    issued_on: date
    due_date: date
    lines: list = field(default_factory=list)  # (kind, text, amount, days, days_in_month, plan key)

    @property
    def amount(self) -> int:
        return sum(line[2] for line in self.lines)


@dataclass
class _Payment:
    tenancy: dict | None
    unit_id: int
    paid_on: date
    amount: int
    reference: str
    source: str = PaymentSource.BGMAX
    note: str = ""
    pk: int | None = None
    payer_name: str = ""
    file_key: tuple | None = None


def seed(ctx: DemoContext) -> None:
    if RentNotice.objects.exists():
        ctx.log("Hyresavier finns redan; inga nya skapas.")
        return
    started = time.monotonic()
    ledger = _Ledger(ctx)
    ledger.build()
    built = time.monotonic()
    ledger.save()
    ctx.log(
        f"Skapade {len(ledger.notices)} hyresavier, {len(ledger.payments)} inbetalningar, "
        f"{len(ledger.plans)} avbetalningsplaner, {len(ledger.files)} BgMax-filer och "
        f"{1 if ledger.termination else 0} uppsägning för hyresskuld "
        f"({built - started:.1f} s + {time.monotonic() - built:.1f} s)."
    )


class _Ledger:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx, self.rng, self.today = ctx, ctx.rng, ctx.today
        self._moments: dict[tuple[date, int], datetime] = {}
        months = RENT_MONTHS_BY_SCALE.get(ctx.scale)
        this_month = self.today.replace(day=1)
        self.first_period = (_add_month(this_month, -months + 1) if months
                             else date(first_year(ctx), 1, 1))
        # The notices made by today: next month's once the run day has come.
        self.last_period = _add_month(this_month, 1 if self.today.day >= RUN_DAY else 0)
        self.notices: list[_Notice] = []
        self.payments: list[_Payment] = []
        self.plans: list[dict] = []
        self.instalments: list[tuple] = []
        self.files: list[dict] = []
        self.runs: dict[tuple[int, date], int] = {}
        self.termination = None
        self.by_tenancy: dict[int, list[_Notice]] = defaultdict(list)
        self.payments_by_tenancy: dict[int, list[_Payment]] = defaultdict(list)
        self.admins = {
            unit.pk: (ctx.users_by_unit.get(unit.pk, {}).get(Role.HOUSING_ADMIN) or [None])[0] for unit in ctx.units
        }
        self.tenancies = list(
            Tenancy.objects.filter(apartment__unit__in=ctx.units)
            .filter(start_date__lte=self.last_period.replace(day=28) + timedelta(days=4))
            .exclude(end_date__lt=self.first_period)
            .order_by("pk")
            .values("pk", "client_id", "client__first_name", "client__last_name", "apartment__unit_id",
                    "apartment__rent", "start_date", "end_date", "end_reason", "rent")
        )

    # --- building ----------------------------------------------------------

    def build(self) -> None:
        periods = []
        period = self.first_period
        while period <= self.last_period:
            periods.append(period)
            period = _add_month(period)
        notice_keys = iter(reserve_keys(RentNotice, self._count_notices(periods)))
        # The tenant terminated for arrears: a current tenant of the first
        # unit, there for half a year at least, who stops paying.
        unit_ids = [unit.pk for unit in self.ctx.units[:1]]
        candidates = [t for t in self.tenancies if t["apartment__unit_id"] in unit_ids and t["end_date"] is None
                      and t["start_date"] <= self.today - timedelta(days=200)]
        self.terminated_pk = self.rng.choice(candidates)["pk"] if candidates else None
        # Tenants who fell behind and got a repayment plan: about one in
        # twelve of each unit's current tenants, two at least.
        current_by_unit = defaultdict(list)
        for tenancy in self.tenancies:
            if (tenancy["end_date"] is None and tenancy["pk"] != self.terminated_pk
                    and tenancy["start_date"] <= self.today - timedelta(days=300)):
                current_by_unit[tenancy["apartment__unit_id"]].append(tenancy["pk"])
        self.plan_pks = set()
        for unit in self.ctx.units:
            current = current_by_unit.get(unit.pk, [])
            self.plan_pks.update(self.rng.sample(current, min(len(current), max(2, len(current) // 12))))
        termination_candidates = []
        for tenancy in self.tenancies:
            pattern = self.rng.choices([p for p, _w in PATTERNS], weights=[w for _p, w in PATTERNS])[0]
            if (tenancy["end_reason"] == EndReason.TERMINATED_ARREARS or tenancy["pk"] == self.terminated_pk
                    or tenancy["pk"] in self.plan_pks):
                pattern = "behind"
            notices = []
            for period in periods:
                notice = self._notice(tenancy, period, notice_keys)
                if notice is not None:
                    notices.append(notice)
            if not notices:
                continue
            plan = None if tenancy["pk"] == self.terminated_pk else self._plan_for(tenancy, pattern, notices)
            self._pay(tenancy, pattern, notices, plan)
            self.by_tenancy[tenancy["pk"]] = notices
            self.notices.extend(notices)
            if pattern == "behind" and plan is None and tenancy["end_date"] is None:
                termination_candidates.append(tenancy)
        self._termination(termination_candidates)
        self._strays()

    def _count_notices(self, periods) -> int:
        return sum(1 for tenancy in self.tenancies for period in periods if self._days(tenancy, period))

    def _days(self, tenancy, period) -> tuple[int, int] | None:
        """(days charged, days of the month), or None outside the tenancy."""
        days_in_month = calendar.monthrange(period.year, period.month)[1]
        last = period.replace(day=days_in_month)
        start, end = tenancy["start_date"], tenancy["end_date"]
        if start > last or (end is not None and end < period):
            return None
        first_day = max(start, period)
        last_day = min(end, last) if end is not None else last
        return (last_day - first_day).days + 1, days_in_month

    def _notice(self, tenancy, period, keys) -> _Notice | None:
        days = self._days(tenancy, period)
        if days is None:
            return None
        charged, days_in_month = days
        # Made by the run on the 20th before the month, or at a later move-in.
        issued_on = min(max(_add_month(period, -1).replace(day=RUN_DAY), tenancy["start_date"]), self.today)
        due = due_date_for(period)
        if tenancy["start_date"] > due:
            # A move-in after the due date: the first notice is due in ten days.
            due = tenancy["start_date"] + timedelta(days=10)
        monthly = tenancy["rent"] or tenancy["apartment__rent"] or DEFAULT_RENT
        whole = charged == days_in_month
        text = f"Hyra {MONTH_NAMES[period.month - 1]} {period.year}"
        notice = _Notice(next(keys), tenancy, period, issued_on, due)
        notice.lines.append((LineKind.RENT, text, monthly if whole else pro_rata(monthly, charged, days_in_month),
                             None if whole else charged, None if whole else days_in_month, None))
        self.runs.setdefault((tenancy["apartment__unit_id"], period), 0)
        self.runs[(tenancy["apartment__unit_id"], period)] += 1
        return notice

    def _plan_for(self, tenancy, pattern, notices) -> dict | None:
        """The plan of a tenant chosen for one: from a month in the last
        half year, for what they owe by then (worked out while paying, _pay)."""
        if tenancy["pk"] not in self.plan_pks:
            return None
        start = _add_month(self.today.replace(day=1), -self.rng.randint(1, 6))
        if start <= notices[0].period:
            return None
        return {"tenancy": tenancy, "start_month": start, "months": self.rng.choice((6, 10, 12, 18)),
                "adviser": self.rng.choice(("Budget- och skuldrådgivningen, Fiktiva kommunen",
                                            "Skuldrådgivare Fiktiv Person", ""))}

    def _pay(self, tenancy, pattern, notices, plan) -> None:
        rng = self.rng
        terminated = tenancy["end_reason"] == EndReason.TERMINATED_ARREARS or tenancy["pk"] == self.terminated_pk
        owed = 0  # unpaid so far (before the plan)
        unpaid_from = len(notices) - rng.randint(2, 4) if terminated else len(notices)
        for index, notice in enumerate(notices):
            if plan is not None and notice.period == plan["start_month"] and plan.get("debt") is None:
                debt = max(owed, 100_000)
                monthly = max(50_000, -(-debt // plan["months"] // 10_000) * 10_000)
                plan["debt"], plan["monthly"], plan["kept"] = debt, monthly, set()
                plan["end_month"] = _add_month(plan["start_month"], -(-debt // monthly) - 1)
                self.plans.append(plan)
            if plan is not None and plan.get("debt") is not None and notice.period <= plan["end_month"]:
                notice.lines.append((LineKind.INSTALMENT, "Avbetalning enligt avbetalningsplan", plan["monthly"],
                                     None, None, id(plan)))
            amount = notice.amount
            due = notice.due_date
            if index >= unpaid_from:
                continue  # the months that ended the tenancy
            if pattern == "on_time":
                day, paid = due - timedelta(days=rng.randint(0, 8)), amount
            elif pattern == "late":
                day = due - timedelta(days=rng.randint(0, 4)) if rng.random() < 0.6 else \
                    due + timedelta(days=rng.randint(3, 35))
                paid = amount
            elif plan is not None and plan.get("debt") is not None:
                # On a plan: mostly kept, now and then late.
                day = due - timedelta(days=rng.randint(0, 3)) if rng.random() < 0.8 else \
                    due + timedelta(days=rng.randint(6, 25))
                paid = amount
            else:
                roll = rng.random()
                if roll < 0.35:
                    owed += amount
                    continue  # not paid
                day = due + timedelta(days=rng.randint(2, 45))
                paid = amount if roll < 0.8 else amount // 2
                owed += amount - paid
            day = max(day, notice.issued_on)
            if day > self.today:
                continue
            if plan is not None and plan.get("debt") is not None and notice.period <= plan["end_month"]:
                # The instalment is kept when the month is paid by its due date and grace.
                if day <= due + timedelta(days=GRACE_DAYS):
                    plan["kept"].add(notice.pk)
            source, note = PaymentSource.BGMAX, ""
            if rng.random() < 0.03:
                source, note = rng.choice(((PaymentSource.CASH, "Betalt kontant i receptionen, kvitto lämnat."),
                                           (PaymentSource.TRANSFER, "Överföring utan OCR-nummer, meddelande: hyra.")))
            payment = _Payment(tenancy, tenancy["apartment__unit_id"], day, paid,
                               notice_reference(notice.pk) if source == PaymentSource.BGMAX else "", source, note,
                               payer_name=f"{tenancy['client__first_name']} {tenancy['client__last_name']}"[:70])
            self.payments.append(payment)
            self.payments_by_tenancy[tenancy["pk"]].append(payment)

    def _termination(self, candidates) -> None:
        """One current tenant of the first unit who is behind, terminated
        ten days ago; the letters handed over by a bolots two days later."""
        if not self.ctx.units:
            return
        unit = self.ctx.units[0]
        decided_on = self.today - timedelta(days=10)
        for tenancy in sorted(candidates, key=lambda t: t["pk"] != self.terminated_pk):
            if tenancy["apartment__unit_id"] != unit.pk:
                continue
            owed = self._outstanding(tenancy["pk"], decided_on, due_before=decided_on)
            if owed > 0:
                self.termination = {"tenancy": tenancy, "decided_on": decided_on, "amount_owed": owed}
                return

    def _strays(self) -> None:
        """One payment per unit with a wrong reference, paid two days ago,
        of a current tenant's rent: the manual queue's suggestion finds it
        by the amount."""
        current = {}
        for tenancy in self.tenancies:
            if tenancy["end_date"] is None and tenancy["pk"] in self.by_tenancy:
                current.setdefault(tenancy["apartment__unit_id"], tenancy)
        for unit in self.ctx.units:
            tenancy = current.get(unit.pk)
            amount = self.by_tenancy[tenancy["pk"]][-1].amount if tenancy else 450_000
            self.payments.append(_Payment(None, unit.pk, self.today - timedelta(days=2), amount, STRAY_REFERENCE,
                                          payer_name="Fiktiv Inbetalare"))

    # --- oldest first, as rent.services.allocation ---------------------------

    def _allocations(self, tenancy_id):
        """(notice, payment, amount, on) for the tenancy, oldest notice first."""
        notices = sorted(self.by_tenancy.get(tenancy_id, []), key=lambda n: (n.due_date, n.pk))
        open_amounts = {notice.pk: notice.amount for notice in notices}
        made = []
        for payment in sorted(self.payments_by_tenancy.get(tenancy_id, []), key=lambda p: (p.paid_on, p.pk or 0)):
            left = payment.amount
            for notice in notices:
                if left == 0:
                    break
                take = min(left, open_amounts[notice.pk])
                if take <= 0:
                    continue
                made.append((notice, payment, take, max(payment.paid_on, notice.issued_on)))
                open_amounts[notice.pk] -= take
                left -= take
        return made

    def _outstanding(self, tenancy_id, on, *, due_before=None) -> int:
        settled = defaultdict(int)
        for notice, _payment, amount, day in self._allocations(tenancy_id):
            if day <= on:
                settled[notice.pk] += amount
        return sum(
            notice.amount - settled[notice.pk] for notice in self.by_tenancy.get(tenancy_id, [])
            if notice.issued_on <= on and (due_before is None or notice.due_date < due_before)
        )

    # --- writing -----------------------------------------------------------

    def save(self) -> None:
        now = timezone.now()
        self._save_settings()
        # The foreign keys of the ledger's large tables are checked once at
        # the end (PostgreSQL), not queued row by row for the commit.
        # So are the plain indexes of the four largest (built once after).
        with foreign_keys_checked_once(NoticeRun, RepaymentPlan, RentNotice, NoticeLine, BgMaxFile, Payment,
                                       Allocation, PlanInstalment), \
                indexes_built_once(RentNotice, NoticeLine, Payment, Allocation):
            self._save_runs(now)
            plan_pks = self._save_plans(now)
            self._save_notices(now, plan_pks)
            self._save_files(now)
            self._save_payments(now)
            self._save_allocations(now)
            self._save_instalments(plan_pks)
        self._save_termination(now)

    def _save_settings(self) -> None:
        existing = set(RentSettings.objects.filter(unit__in=self.ctx.units).values_list("unit_id", flat=True))
        RentSettings.objects.bulk_create([
            RentSettings(unit=unit, bankgiro=fictional_bankgiro(index), payee_name=f"{unit.municipality}, {unit.name}",
                         organisation_number=fictional_organisation_number(index), notice_run_day=RUN_DAY,
                         grace_days=GRACE_DAYS, cost_centre=f"7{index % 1000:03d}")
            for index, unit in enumerate(self.ctx.units, start=1) if unit.pk not in existing
        ])
        self.bankgiro = dict(RentSettings.objects.filter(unit__in=self.ctx.units).values_list("unit_id", "bankgiro"))

    def _save_runs(self, now) -> None:
        keys = iter(reserve_keys(NoticeRun, len(self.runs)))
        self.run_pks = {}
        rows = []
        for (unit_id, period), count in sorted(self.runs.items(), key=lambda item: (item[0][1], item[0][0])):
            pk = next(keys)
            self.run_pks[(unit_id, period)] = pk
            rows.append((pk, unit_id, period, self._moment(_add_month(period, -1).replace(day=RUN_DAY), now), None,
                         count))
        copy_rows(NoticeRun, ("id", "unit_id", "period", "started_at", "started_by_id", "notices_made"), rows)

    def _save_plans(self, now) -> dict:
        keys = iter(reserve_keys(RepaymentPlan, len(self.plans)))
        pks, rows = {}, []
        for plan in self.plans:
            pk = next(keys)
            pks[id(plan)] = pk
            plan["pk"] = pk
            tenancy = plan["tenancy"]
            admin = self.admins.get(tenancy["apartment__unit_id"])
            status = PlanStatus.COMPLETED if plan["end_month"] < self.today.replace(day=1) else PlanStatus.ACTIVE
            rows.append((pk, 1, tenancy["pk"], plan["debt"], plan["monthly"], plan["start_month"], plan["end_month"],
                         plan["adviser"], status, "Fiktiv plan (demodata).", admin.pk if admin else None,
                         self._moment(plan["start_month"] - timedelta(days=15), now)))
        copy_rows(RepaymentPlan, ("id", "version", "tenancy_id", "debt", "monthly_amount", "start_month", "end_month",
                                  "debt_adviser", "status", "note", "created_by_id", "created_at"), rows)
        return pks

    def _save_notices(self, now, plan_pks) -> None:
        notice_rows = (
            (n.pk, n.tenancy["pk"], NoticeKind.RENT, n.period, n.issued_on, n.due_date, n.amount,
             notice_reference(n.pk), self.run_pks[(n.tenancy["apartment__unit_id"], n.period)], None, n.period,
             None, self._moment(n.issued_on, now))
            for n in self.notices
        )
        copy_rows(RentNotice, ("id", "tenancy_id", "kind", "period", "issued_on", "due_date", "amount", "ocr", "run_id",
                               "opening_import_id", "booked_month", "created_by_id", "created_at"), notice_rows)
        line_rows = (
            (n.pk, kind, text, amount, days, days_in_month, None, plan_pks.get(plan_key) if plan_key else None)
            for n in self.notices for kind, text, amount, days, days_in_month, plan_key in n.lines
        )
        copy_rows(NoticeLine, ("notice_id", "kind", "text", "amount", "days", "days_in_month", "charge_id", "plan_id"),
                  line_rows)

    def _save_files(self, now) -> None:
        """The last month's BgMax payments, one file per unit and payment
        day, written to disk and recorded as imported."""
        since = self.today - timedelta(days=31)
        by_day = defaultdict(list)
        for payment in self.payments:
            if payment.source == PaymentSource.BGMAX and payment.paid_on > since:
                by_day[(payment.unit_id, payment.paid_on)].append(payment)
        folder = Path(str(settings.MEDIA_ROOT)) / "demo" / "bgmax"
        folder.mkdir(parents=True, exist_ok=True)
        keys = iter(reserve_keys(BgMaxFile, len(by_day)))
        rows = []
        for serial, ((unit_id, day), payments) in enumerate(sorted(by_day.items(), key=lambda item: item[0]), start=1):
            written_at = datetime(day.year, day.month, day.day, 5, 30, 0, serial % 1_000_000)
            content = BgMaxFileContent(written_at=written_at, deposits=[BgMaxDeposit(
                recipient_bankgiro=self.bankgiro.get(unit_id, ""), paid_on=day, serial=f"{serial % 100000:05d}",
                bank_account="Fiktiv bank 1234-567890",
                payments=[
                    BgMaxPayment(
                        sender_bankgiro="", reference=payment.reference, amount=payment.amount,
                        reference_code=(ReferenceCode.OCR_CORRECT if payment.tenancy is not None
                                        else ReferenceCode.ONE),
                        serial=f"{unit_id % 1000:03d}{day:%y%m%d}{number:03d}", name=payment.payer_name,
                    )
                    for number, payment in enumerate(payments, start=1)
                ],
            )])
            data = write_bytes(content)
            filename = f"bgmax-{unit_id}-{day:%Y%m%d}.txt"
            (folder / filename).write_bytes(data)
            pk = next(keys)
            for number, payment in enumerate(payments, start=1):
                payment.file_key = pk
                payment.serial = f"{unit_id % 1000:03d}{day:%y%m%d}{number:03d}"
            rows.append((pk, unit_id, hashlib.sha256(data).hexdigest(), filename, self._moment(day, now, 5), False,
                         len(payments), 1, sum(p.amount for p in payments),
                         sum(1 for p in payments if p.tenancy is not None), self.admins_pk(unit_id),
                         self._moment(day, now, 7)))
            self.files.append({"unit_id": unit_id, "day": day, "filename": filename})
        copy_rows(BgMaxFile, ("id", "unit_id", "sha256", "filename", "created_at_bank", "is_test", "payments",
                              "deposits", "total", "matched", "imported_by_id", "imported_at"), rows)

    def admins_pk(self, unit_id):
        admin = self.admins.get(unit_id)
        return admin.pk if admin else None

    def _save_payments(self, now) -> None:
        self.payments.sort(key=lambda p: (p.paid_on, p.unit_id))
        keys = iter(reserve_keys(Payment, len(self.payments)))
        rows = []
        for payment in self.payments:
            payment.pk = next(keys)
            tenancy = payment.tenancy
            matched = tenancy is not None
            rows.append((
                payment.pk, payment.unit_id, tenancy["pk"] if matched else None, payment.source, payment.paid_on,
                payment.amount, payment.reference, payment.file_key, "", getattr(payment, "serial", ""),
                payment.payer_name, "", "", payment.note, False, None,
                self._moment(payment.paid_on + timedelta(days=1), now, 7) if matched else None,
                payment.paid_on.replace(day=1),
                None if payment.source == PaymentSource.BGMAX else self.admins_pk(payment.unit_id),
                self._moment(payment.paid_on + timedelta(days=1), now, 7),
            ))
        copy_rows(Payment, ("id", "unit_id", "tenancy_id", "source", "paid_on", "amount", "reference", "bgmax_file_id",
                            "sender_bankgiro", "bank_serial", "payer_name", "payer_address", "information", "note",
                            "returned", "matched_by_id", "matched_at", "booked_month", "created_by_id", "created_at"),
                  rows)

    def _save_allocations(self, now) -> None:
        def rows():
            for tenancy_id in self.by_tenancy:
                for notice, payment, amount, on in self._allocations(tenancy_id):
                    yield notice.pk, amount, on, payment.pk, None, None, now

        copy_rows(Allocation, ("notice_id", "amount", "on", "payment_id", "credit_note_id", "write_off_id",
                               "created_at"), rows())

    def _save_instalments(self, plan_pks) -> None:
        """Each plan month past its due date and grace judged kept or
        missed, as rent.services.plans would have."""
        rows = []
        for plan in self.plans:
            tenancy_id = plan["tenancy"]["pk"]
            for notice in self.by_tenancy[tenancy_id]:
                judged_on = notice.due_date + timedelta(days=GRACE_DAYS + 1)
                if not plan["start_month"] <= notice.period <= plan["end_month"] or judged_on > self.today:
                    continue
                kept = notice.pk in plan["kept"]
                rows.append((plan["pk"], notice.period, plan["monthly"],
                             InstalmentOutcome.KEPT if kept else InstalmentOutcome.MISSED, judged_on))
        copy_rows(PlanInstalment, ("plan_id", "month", "amount", "outcome", "judged_on"), rows)

    def _save_termination(self, now) -> None:
        if self.termination is None:
            return
        tenancy, decided_on = self.termination["tenancy"], self.termination["decided_on"]
        unit = next(unit for unit in self.ctx.units if unit.pk == tenancy["apartment__unit_id"])
        admin = self.admins.get(unit.pk)
        notified_on = decided_on + timedelta(days=2)
        recover_by = notified_on + timedelta(days=21)
        eviction = EvictionNotice(
            unit=unit, received_on=decided_on, source=NoticeSource.LANDLORD_TERMINATION,
            landlord=f"{unit.municipality} (socialtjänsten som hyresvärd)", client_id=tenancy["client_id"],
            reason=NoticeReason.RENT_ARREARS, amount_owed=self.termination["amount_owed"],
            termination_date=decided_on, notes="Enhetens egen uppsägning för hyresskuld (demodata).",
            registered_by=admin,
        )
        eviction.save()
        # As rent.services.terminations does once the tenant is notified.
        EvictionNotice.objects.filter(pk=eviction.pk).update(pay_by_date=recover_by, termination_date=notified_on)
        termination = ArrearsTermination.objects.create(
            tenancy_id=tenancy["pk"], decided_on=decided_on, amount_owed=self.termination["amount_owed"],
            notified_on=notified_on, recover_by=recover_by,
            status=TerminationStatus.RUNNING if recover_by >= self.today else TerminationStatus.LAPSED,
            status_on=notified_on, eviction_notice=eviction, created_by=admin,
        )
        pilot_id = (
            Order.objects.filter(client_id=tenancy["client_id"], state__in=OrderState.active_states(),
                                 active_pilot__isnull=False)
            .order_by("pk").values_list("active_pilot_id", flat=True).first()
        )
        if pilot_id is None:
            pilot = (self.ctx.users_by_unit.get(unit.pk, {}).get(Role.PILOT) or [admin])[0]
            pilot_id = pilot.pk
        signed_at = self._moment(notified_on, now, 15)
        LetterDelivery.objects.bulk_create([
            LetterDelivery(termination=termination, letter=LetterKind.TERMINATION, method=DeliveryMethod.BY_HAND,
                           delivered_on=notified_on, delivered_by_id=pilot_id, signed_at=signed_at,
                           note="Överlämnad personligen vid hembesök.", recorded_by=admin),
            LetterDelivery(termination=termination, letter=LetterKind.BOARD_NOTICE, method=DeliveryMethod.BY_HAND,
                           delivered_on=notified_on, delivered_by_id=pilot_id, signed_at=signed_at,
                           note="Lämnad till socialnämndens registratur.", recorded_by=admin),
        ])

    def _moment(self, day: date, now: datetime, hour: int = 6) -> datetime:
        # Kept per (day, hour): make_aware's time-zone lookup for each of the
        # 400 000 calls of the national scale cost seconds, for a few
        # hundred distinct days.
        key = (day, hour)
        moment = self._moments.get(key)
        if moment is None:
            moment = self._moments[key] = timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))
        return min(moment, now)
