"""Arrears on a date: aging per tenancy, the tenants more than a month
behind, and the unit's figures (docs/rent.md, "Arrears").

Everything starts from RentNotice.objects.with_settled(on), the one
definition of what is open. On a day `on`:

- a notice is *open* when it was made by `on` (issued_on <= on) and what
  payments, credit notes and write-offs had settled of it by `on` is less
  than its amount;
- its open amount is *current* while it is not yet due (due_date >= on: a
  notice due today is not late today), else it is *arrears*, aged by the
  days since the due date: 1–30, 31–60, over 60;
- a tenant is *behind* when they have arrears, and *more than a month
  behind* when their oldest notice in arrears is more than one calendar
  month past due: due_date + 1 calendar month < on (core.calendar: 31
  January + 1 month = 28/29 February, so a notice due 31 January is more
  than a month behind from 1 March; one due 28 February from 29 March);
- a credit balance (a payment larger than the open notices) is not
  arrears: it is not allocated to any notice, so it is simply not here;
  nobody's arrears are ever negative.

`unit` is a Unit or its id; None means every unit (the national figures). These functions are
also the KPI engine's (reports): plain dataclasses, (unit, on) arguments.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, Sum

from core.calendar import add_months
from rent.models import Allocation, RentNotice
from tenancies.models import IncomeKind, IncomeSource, Tenancy

BUCKETS = ("current", "days_1_30", "days_31_60", "over_60")


def bucket_of(due_date: date, on: date) -> str:
    """Which aging bucket an open notice due `due_date` falls in on `on`."""
    late = (on - due_date).days
    if late <= 0:
        return "current"
    if late <= 30:
        return "days_1_30"
    if late <= 60:
        return "days_31_60"
    return "over_60"


def more_than_a_month_late(due_date: date, on: date) -> bool:
    """The rule of the list "more than a month behind": due_date + 1
    calendar month < on."""
    return add_months(due_date, 1) < on


def month_end(year: int, month: int) -> date:
    return add_months(date(year, month, 1), 1) - timedelta(days=1)


@dataclass
class AgingRow:
    """One tenancy's open amount on a day, in öre, with its tenant's income."""

    tenancy: Tenancy
    current: int = 0
    days_1_30: int = 0
    days_31_60: int = 0
    over_60: int = 0
    # The due date of the oldest notice in arrears (None: nothing late).
    oldest_due: date | None = None
    self_supporting: bool = False
    on_assistance: bool = False
    on: date | None = field(default=None, repr=False)

    @property
    def tenancy_id(self) -> int:
        return self.tenancy.pk

    @property
    def client_id(self) -> int:
        return self.tenancy.client_id

    @property
    def arrears(self) -> int:
        return self.days_1_30 + self.days_31_60 + self.over_60

    @property
    def total(self) -> int:
        return self.current + self.arrears

    @property
    def income(self) -> str:
        """"self_supporting", "financial_assistance" or "" (neither recorded
        for the day): a self-supporting income wins over assistance."""
        if self.self_supporting:
            return "self_supporting"
        return IncomeKind.FINANCIAL_ASSISTANCE.value if self.on_assistance else ""

    @property
    def needs_conversation(self) -> bool:
        """A tenant on financial assistance whose rent is unpaid: the rent is
        part of the assistance, so the case officer needs another
        conversation (issue 14)."""
        return self.arrears > 0 and not self.self_supporting and self.on_assistance

    @property
    def more_than_a_month_behind(self) -> bool:
        return self.oldest_due is not None and self.on is not None and more_than_a_month_late(self.oldest_due, self.on)


def _unit_id(unit) -> int | None:
    """A unit, its id, or None (every unit)."""
    return getattr(unit, "pk", unit)


def _notices(unit, on: date):
    notices = RentNotice.objects.open_on(on)
    if unit is not None:
        notices = notices.filter(tenancy__apartment__unit_id=_unit_id(unit))
    return notices


def _open_amounts(unit, on: date) -> dict[int, list[tuple[date, int]]]:
    """tenancy id → [(due date, open amount)] of its open notices: one query."""
    found: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for tenancy_id, due_date, outstanding in _notices(unit, on).order_by().values_list(
        "tenancy_id", "due_date", "outstanding"
    ):
        found[tenancy_id].append((due_date, outstanding))
    return found


def _income_on(tenancies, on: date):
    """Annotate `is_self_supporting` and `on_assistance` (financial
    assistance covering `on`, over the same stay as with_self_supporting)."""
    assistance = IncomeSource.objects.filter(
        tenancy__client=OuterRef("client"),
        tenancy__continuous_since=OuterRef("continuous_since"),
        kind=IncomeKind.FINANCIAL_ASSISTANCE,
        valid_from__lte=on,
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    return tenancies.with_self_supporting(on).annotate(on_assistance=Exists(assistance))


def _row(tenancy, amounts, on) -> AgingRow:
    row = AgingRow(tenancy=tenancy, on=on, self_supporting=bool(getattr(tenancy, "is_self_supporting", False)),
                   on_assistance=bool(getattr(tenancy, "on_assistance", False)))
    for due_date, outstanding in amounts:
        bucket = bucket_of(due_date, on)
        setattr(row, bucket, getattr(row, bucket) + outstanding)
        if bucket != "current" and (row.oldest_due is None or due_date < row.oldest_due):
            row.oldest_due = due_date
    return row


def aging(unit, on: date, *, tenancies=None) -> list[AgingRow]:
    """Every tenancy (of `unit`) with an open amount on `on`, split into the
    buckets, oldest arrears first. Two queries whatever the number of
    tenancies. `tenancies`: a queryset to narrow to (the pages pass
    Tenancy.objects.visible_to(user))."""
    amounts = _open_amounts(unit, on)
    if not amounts:
        return []
    base = tenancies if tenancies is not None else Tenancy.objects.all()
    base = base.filter(pk__in=_notices(unit, on).values("tenancy_id"))
    found = _income_on(base.select_related("client", "apartment"), on)
    rows = [_row(tenancy, amounts[tenancy.pk], on) for tenancy in found if tenancy.pk in amounts]
    rows.sort(key=lambda row: (row.oldest_due or date.max, -row.total, row.tenancy.client.last_name,
                               row.tenancy.client.first_name, row.tenancy.pk))
    return rows


def behind_more_than_a_month(unit, on: date, *, tenancies=None) -> list[AgingRow]:
    """The tenants whose oldest notice in arrears is more than one calendar
    month past due on `on` (see the module's rule), oldest first."""
    return [row for row in aging(unit, on, tenancies=tenancies) if row.more_than_a_month_behind]


@dataclass(frozen=True)
class ArrearsFigures:
    """The unit's arrears on a day, in öre and counts."""

    on: date
    total_arrears: int
    current: int
    tenants_behind: int
    tenants_more_than_a_month_behind: int
    buckets: dict[str, int]


def arrears_figures(unit, on: date) -> ArrearsFigures:
    """Total arrears, what is open but not yet due, the number of tenants
    behind and of those more than a month behind, on `on`: one query."""
    buckets = dict.fromkeys(BUCKETS, 0)
    behind = long_behind = 0
    for amounts in _open_amounts(unit, on).values():
        late = [due for due, outstanding in amounts if bucket_of(due, on) != "current" and outstanding > 0]
        for due, outstanding in amounts:
            buckets[bucket_of(due, on)] += outstanding
        if late:
            behind += 1
            if more_than_a_month_late(min(late), on):
                long_behind += 1
    return ArrearsFigures(
        on=on, total_arrears=buckets["days_1_30"] + buckets["days_31_60"] + buckets["over_60"],
        current=buckets["current"], tenants_behind=behind, tenants_more_than_a_month_behind=long_behind,
        buckets=buckets,
    )


def total_arrears(unit, on: date) -> int:
    return arrears_figures(unit, on).total_arrears


@dataclass(frozen=True)
class MonthArrears:
    month_end: date
    # None for a month that has not ended by `today`.
    arrears: int | None


def arrears_trend(unit, year: int, *, today: date | None = None) -> list[MonthArrears]:
    """Arrears at each month end of `year`: two queries for the twelve.

    The arrears at a month end E are the amounts of the notices made by E
    and due before E, less what was allocated to those notices by E.
    (Allocations never exceed a notice's amount, so this is the sum of the
    open amounts with_settled(E) gives, without a query per month.)"""
    ends = [month_end(year, month) for month in range(1, 13)]
    if today is not None:
        ends = [end for end in ends if end <= today]
    if not ends:
        return [MonthArrears(month_end(year, month), None) for month in range(1, 13)]
    notices = RentNotice.objects.all()
    allocations = Allocation.objects.all()
    if unit is not None:
        notices = notices.filter(tenancy__apartment__unit_id=_unit_id(unit))
        allocations = allocations.filter(notice__tenancy__apartment__unit_id=_unit_id(unit))
    charged = notices.aggregate(**{
        f"m{index}": Sum("amount", filter=Q(issued_on__lte=end, due_date__lt=end)) for index, end in enumerate(ends)
    })
    settled = allocations.aggregate(**{
        f"m{index}": Sum("amount", filter=Q(on__lte=end, notice__issued_on__lte=end, notice__due_date__lt=end))
        for index, end in enumerate(ends)
    })
    figures = {
        end: (charged[f"m{index}"] or 0) - (settled[f"m{index}"] or 0) for index, end in enumerate(ends)
    }
    return [MonthArrears(month_end(year, month), figures.get(month_end(year, month))) for month in range(1, 13)]


__all__ = [
    "BUCKETS", "AgingRow", "ArrearsFigures", "MonthArrears", "aging", "arrears_figures",
    "arrears_trend", "behind_more_than_a_month", "bucket_of", "month_end",
    "more_than_a_month_late", "total_arrears",
]
