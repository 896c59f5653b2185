"""The monthly run: one rent notice per tenancy of a unit active on any day
of the month (docs/rent.md, "The ledger").

Each notice carries the month's rent (pro rata by days of the month for a
move-in or move-out inside it, split by days where the rent changes inside
it), every charge of the tenancy not yet on a notice, and the instalment of
a repayment plan running that month. The run is idempotent: a tenancy that
already has its rent notice for the month (constraint
rent_notice_one_per_month) is passed over, so running it twice makes
nothing new. It reads everything in a handful of queries per unit and
writes with bulk inserts, whatever the number of tenancies.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext

from accounts.models import Unit
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from rent.models import (
    Charge,
    LineKind,
    NoticeKind,
    NoticeLine,
    NoticeRun,
    Payment,
    PlanStatus,
    RentNotice,
    RentRate,
    RepaymentPlan,
)
from rent.ocr import notice_reference
from rent.services.allocation import allocate_tenancies
from rent.services.periods import booking_month
from rent.services.rates import month_parts
from tenancies.models import Tenancy

BATCH = 2000


class RunError(ValueError):
    """A run refused; the message is the user's (Swedish)."""


def month_end(period: date) -> date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def due_date_for(period: date) -> date:
    """The last weekday (Monday to Friday) before the 1st of `period`.
    Holidays are not skipped: the issue asks for the last weekday, and a
    bank takes a payment dated on a holiday the next banking day anyway."""
    day = period - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def parse_month(text: str) -> date | None:
    """`YYYY-MM` (years 2000–2100) as the month's first day; None otherwise."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", (text or "").strip())
    if match and 1 <= int(match[2]) <= 12 and 2000 <= int(match[1]) <= 2100:
        return date(int(match[1]), int(match[2]), 1)
    return None


def next_period(today: date) -> date:
    return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


def _line_texts(month: str, part) -> str:
    if part.days is None:
        return gettext("Rent for %(month)s") % {"month": month}
    return gettext("Rent for %(month)s, %(first)s–%(last)s") % {
        "month": month, "first": part.first.isoformat(), "last": part.last.isoformat(),
    }


def _tenancies_to_bill(unit_id: int, period: date):
    """The unit's tenancies running on any day of the month without their
    rent notice for it: (id, start, end, base rent)."""
    has_notice = RentNotice.objects.filter(tenancy=OuterRef("pk"), kind=NoticeKind.RENT, period=period)
    return list(
        Tenancy.objects.filter(apartment__unit_id=unit_id)
        .overlapping(period, month_end(period))
        .filter(~Exists(has_notice))
        .order_by("pk")
        .values_list("pk", "start_date", "end_date", Coalesce("rent", "apartment__rent"))
    )


def _unit_rates(unit_id: int, period: date) -> dict[int, list[tuple[date, int]]]:
    rates: dict[int, list[tuple[date, int]]] = defaultdict(list)
    rows = (
        RentRate.objects.filter(tenancy__apartment__unit_id=unit_id, valid_from__lte=month_end(period))
        .filter(Q(tenancy__end_date__isnull=True) | Q(tenancy__end_date__gte=period))
        .order_by("tenancy_id", "valid_from")
        .values_list("tenancy_id", "valid_from", "monthly_rent")
    )
    for tenancy_id, valid_from, monthly_rent in rows:
        rates[tenancy_id].append((valid_from, monthly_rent))
    return rates


def _unbilled_charges(unit_id: int) -> dict[int, list[Charge]]:
    charges: dict[int, list[Charge]] = defaultdict(list)
    rows = (
        Charge.objects.select_for_update()
        .filter(tenancy__apartment__unit_id=unit_id, notice__isnull=True)
        .order_by("charged_on", "pk")
    )
    for charge in rows:
        charges[charge.tenancy_id].append(charge)
    return charges


def _running_plans(unit_id: int, period: date) -> dict[int, RepaymentPlan]:
    plans = RepaymentPlan.objects.filter(
        tenancy__apartment__unit_id=unit_id, status=PlanStatus.ACTIVE, start_month__lte=period,
        end_month__gte=period,
    ).only("pk", "tenancy_id", "monthly_amount")
    return {plan.tenancy_id: plan for plan in plans}


def _tenancies_with_credit(unit_id: int) -> set[int]:
    """Tenancies of the unit with a payment not wholly allocated (one query)."""
    used = Coalesce(Sum("allocations__amount"), Value(0), output_field=IntegerField())
    return set(
        Payment.objects.filter(unit_id=unit_id, tenancy__isnull=False, returned=False)
        .annotate(used=used).filter(used__lt=F("amount"))
        .values_list("tenancy_id", flat=True).distinct()
    )


def run_month(ctx: AuditContext | None, unit: Unit, period: date, *, by=None, today: date | None = None) -> NoticeRun:
    """Make the month's rent notices for `unit` (see the module). Returns the
    run: a new one with notices_made > 0, or, when there was nothing to make,
    the month's latest run (made with 0 the first time, so that the
    scheduled task knows the month was run)."""
    if period.day != 1:
        raise RunError(gettext("A run is for a whole month: give its first day."))
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            run = _run_month(unit, period, by=by, today=today)
    except IntegrityError:
        # Another run of the same month wrote its notices first (PostgreSQL:
        # the unit row lock makes the second wait and then find them made).
        run = None
    if run is None:
        run = NoticeRun.objects.filter(unit=unit, period=period).first()
        if run is None:  # the first run of a month with nothing to make
            run = NoticeRun.objects.create(unit=unit, period=period, started_by=by)
        run.notices_made_now = 0
    if ctx is not None:
        log_access(ctx, AccessAction.CREATE, run, object_type="rent.noticerun", note="notice_run")
    return run


def _insert_with_ocr(notices: list[RentNotice]) -> None:
    """Insert the notices with their OCR references, made from their
    numbers. On PostgreSQL the numbers are taken from the table's sequence
    first, so that one INSERT writes both; elsewhere the notices are
    inserted, then their references written (bulk_update)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [RentNotice._meta.db_table, len(notices)],
            )
            for notice, (pk,) in zip(notices, cursor.fetchall(), strict=True):
                notice.pk = pk
                notice.ocr = notice_reference(pk)
        RentNotice.objects.bulk_create(notices, batch_size=BATCH)
        return
    RentNotice.objects.bulk_create(notices, batch_size=BATCH)
    for notice in notices:
        notice.ocr = notice_reference(notice.pk)
    RentNotice.objects.bulk_update(notices, ["ocr"], batch_size=BATCH)


def _run_month(unit: Unit, period: date, *, by, today: date) -> NoticeRun | None:
    # Runs of one unit take turns (the lock holds to the end of the transaction).
    list(Unit.objects.select_for_update().filter(pk=unit.pk).values_list("pk", flat=True))
    tenancies = _tenancies_to_bill(unit.pk, period)
    if not tenancies:
        return None
    rates = _unit_rates(unit.pk, period)
    charges = _unbilled_charges(unit.pk)
    plans = _running_plans(unit.pk, period)
    due = due_date_for(period)
    booked = booking_month(unit.pk, period)
    instalment_text = gettext("Instalment on the repayment plan")

    drafts: list[tuple[RentNotice, list[NoticeLine], list[Charge]]] = []
    with translation.override(settings.LANGUAGE_CODE):
        month = dateformat.format(period, "F Y")
        for tenancy_id, start, end, base in tenancies:
            lines = [
                NoticeLine(kind=LineKind.RENT, text=_line_texts(month, part), amount=part.amount, days=part.days,
                           days_in_month=part.days_in_month)
                for part in month_parts(period, start, end, rates.get(tenancy_id, []), base)
            ]
            own_charges = charges.get(tenancy_id, [])
            lines += [NoticeLine(kind=LineKind.CHARGE, text=charge.text, amount=charge.amount, charge=charge)
                      for charge in own_charges]
            plan = plans.get(tenancy_id)
            if plan is not None:
                lines.append(NoticeLine(kind=LineKind.INSTALMENT, text=instalment_text, amount=plan.monthly_amount,
                                        plan=plan))
            amount = sum(line.amount for line in lines)
            if amount == 0:  # no rent known and nothing else: no notice of 0 kr
                continue
            notice = RentNotice(
                tenancy_id=tenancy_id, kind=NoticeKind.RENT, period=period, issued_on=today, due_date=due,
                amount=amount, booked_month=booked, created_by=by,
            )
            drafts.append((notice, lines, own_charges))
    if not drafts:
        return None
    run = NoticeRun.objects.create(unit=unit, period=period, started_by=by, notices_made=len(drafts))
    notices = [notice for notice, _, _ in drafts]
    for notice in notices:
        notice.run = run
    _insert_with_ocr(notices)
    all_lines, billed = [], []
    for notice, lines, own_charges in drafts:
        for line in lines:
            line.notice = notice
        all_lines += lines
        for charge in own_charges:
            charge.notice = notice
        billed += own_charges
    NoticeLine.objects.bulk_create(all_lines, batch_size=BATCH)
    if billed:
        # Each charge onto the notice whose line carries it: one UPDATE.
        Charge.objects.filter(pk__in=[charge.pk for charge in billed]).update(notice_id=Subquery(
            NoticeLine.objects.filter(charge_id=OuterRef("pk"), notice__run=run).values("notice_id")[:1]))
    made = {notice.tenancy_id for notice in notices}
    allocate_tenancies(sorted(_tenancies_with_credit(unit.pk) & made))
    run.notices_made_now = len(drafts)
    return run


def runs_by_month(unit_id: int):
    """The unit's runs, newest month first."""
    return NoticeRun.objects.filter(unit_id=unit_id).select_related("started_by").order_by("-period", "-started_at")
