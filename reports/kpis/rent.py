"""The rent figures (issue 14 "Figures"): arrears, rent charged and
collected, the arrears trend per month and repayment plans kept, each for
Y and Y−1. docs/kpis.md ("Rent") gives the definitions as implemented.

The one definition of what a notice has open on a day is
rent.models.RentNoticeQuerySet.with_settled(day): its amount less the
allocations (payments, credit notes, write-offs) dated on or before the
day. A notice is **in arrears** on day D when it was due on or before D
and something of it is open on D. The record lists (measures) use
with_settled itself; the amounts are summed per notice in one grouped
query with the same rule (allocations with `on` ≤ D), which
reports/tests/test_kpi_rent.py checks against with_settled month by month.

The day of Y is 31 December, or today for the running year (its figures
are preliminary and count up to today, as every other figure).

Queries: `sections` 3 (the notices' amounts and the trend, the tenancy
measures, the instalments); `arrears_by_month` 1 (the dashboard's chart).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import BigIntegerField, Case, Count, F, Max, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.calendar import add_months
from rent.models import InstalmentOutcome, NoticeKind, PlanInstalment, PlanStatus, RentNotice, RepaymentPlan

from .common import Measure, Year, aggregate_measures, count_figure, register, share, unit_filter, unit_key
from .housing import clients, tenancies
from .result import Figure, FigureSection

MONTHS = range(1, 13)
# The rent figures' own texts carry this context (written out in each call
# for makemessages), so that they never clash with the rent area's texts of
# the same wording.
CONTEXT = "rent figures"


# --- The days ---------------------------------------------------------------------------------


def day_of(year: int, today: date | None = None) -> date:
    """31 December of Y, or today while Y is running."""
    today = today or timezone.localdate()
    return min(Year(year).last, today)


def month_end(year: int, month: int) -> date:
    return add_months(date(year, month, 1), 1) - timedelta(days=1)


def month_ends(year: int, today: date | None = None) -> list[date | None]:
    """The twelve month ends of Y; today for the running month; None for a
    month that has not begun."""
    today = today or timezone.localdate()
    days = []
    for month in MONTHS:
        if date(year, month, 1) > today:
            days.append(None)
        else:
            days.append(min(month_end(year, month), today))
    return days


def behind_limit(day: date) -> date:
    """A notice due before this day is more than one calendar month overdue
    on `day` (31 December: due before 30 November; 31 March: before 28 or
    29 February)."""
    return add_months(day, -1)


# --- Notices ----------------------------------------------------------------------------------


def notices(unit=None):
    return RentNotice.objects.filter(unit_filter(unit, "tenancy__apartment__unit"))


def in_arrears_on(day: date):
    """Notices due on or before `day` with something open on `day` (with_settled)."""
    return RentNotice.objects.filter(due_date__lte=day).with_settled(day).filter(outstanding__gt=0)


def notices_of_year(year: int, today: date | None = None) -> Q:
    """The year's charges: rent notices for a month of Y and invoices for
    charges dated in Y, made by the day of Y. Opening balances (debts
    brought from before the ledger) are not the year's charges."""
    y, day = Year(year), day_of(year, today)
    return Q(issued_on__lte=day) & (
        (Q(kind=NoticeKind.RENT) & Q(period__gte=y.first, period__lte=y.last))
        | (Q(kind=NoticeKind.CHARGE) & Q(issued_on__gte=y.first))
    )


def not_fully_paid(year: int):
    """The year's notices of which payments had not settled everything on
    the day of Y (credit notes and write-offs do not count as collected)."""
    day = day_of(year)
    return (
        RentNotice.objects.filter(notices_of_year(year))
        .annotate(paid=Coalesce(Sum("allocations__amount",
                                    filter=Q(allocations__payment__isnull=False, allocations__on__lte=day)),
                                Value(0), output_field=BigIntegerField()))
        .filter(paid__lt=F("amount"))
    )


# --- Measures (counts with record lists) -----------------------------------------------------------


def arrears_condition(year):
    return Q(pk__in=in_arrears_on(day_of(year)).values("tenancy"))


def behind_condition(year):
    day = day_of(year)
    return Q(pk__in=in_arrears_on(day).filter(due_date__lt=behind_limit(day)).values("tenancy"))


def _tenancies_in_arrears(day: date, due_before: date | None = None):
    """The tenancies of in_arrears_on(day) (due before `due_before` too, when
    given), for the aggregate query: the same rule (amount less the
    allocations dated on or before the day, above zero) as one grouped pass
    over the notices and their allocations, instead of with_settled's
    lookup of the allocations per notice (four of them per notice, which
    also pushed the query over PostgreSQL's JIT threshold: 8–11 s
    nationally in the running year, issue 16). The golden test checks that
    the record lists (the conditions above) have as many records."""
    due = RentNotice.objects.filter(due_date__lte=day)
    if due_before is not None:
        due = due.filter(due_date__lt=due_before)
    settled = Coalesce(Sum("allocations__amount", filter=Q(allocations__on__lte=day)), Value(0),
                       output_field=BigIntegerField())
    return due.annotate(kpi_settled=settled).filter(amount__gt=F("kpi_settled")).values("tenancy")


def arrears_on_aggregate(year):
    return Q(pk__in=_tenancies_in_arrears(day_of(year)))


def behind_on_aggregate(year):
    day = day_of(year)
    return Q(pk__in=_tenancies_in_arrears(day, behind_limit(day)))


def charged_condition(year):
    return Q(pk__in=RentNotice.objects.filter(notices_of_year(year)).values("tenancy"))


def not_fully_paid_condition(year):
    return Q(pk__in=not_fully_paid(year).values("tenancy"))


def plan_condition(year):
    return Q(pk__in=PlanInstalment.objects.filter(Year(year).dates("month")).values("plan__tenancy"))


def missed_condition(year):
    return Q(pk__in=PlanInstalment.objects.filter(Year(year).dates("month"), outcome=InstalmentOutcome.MISSED)
             .values("plan__tenancy"))


def completed_condition(year):
    y = Year(year)
    return Q(pk__in=RepaymentPlan.objects.filter(status=PlanStatus.COMPLETED)
             .annotate(last_month=Max("instalments__month"))
             .filter(last_month__gte=y.first, last_month__lte=y.last).values("tenancy"))


RENT_MEASURES = register(
    Measure("arrears.tenancies", pgettext_lazy("rent figures", "Tenancies in arrears on 31 December"), "tenancy", tenancies,
            arrears_condition, aggregate_condition=arrears_on_aggregate),
    Measure("arrears.tenants", _("Tenants more than one month behind"), "client", tenancies, behind_condition,
            distinct="client", listed=clients, aggregate_condition=behind_on_aggregate),
    Measure("rent.tenancies_charged", pgettext_lazy("rent figures", "Tenancies charged rent in the year"), "tenancy", tenancies,
            charged_condition),
    Measure("rent.not_fully_paid", pgettext_lazy("rent figures", "Tenancies whose notices of the year were not fully paid on 31 December"),
            "tenancy", tenancies, not_fully_paid_condition),
    Measure("plans.tenancies", pgettext_lazy("rent figures", "Tenancies with repayment plan instalments in the year"), "tenancy", tenancies,
            plan_condition),
    Measure("plans.missed", pgettext_lazy("rent figures", "Tenancies with a missed instalment in the year"), "tenancy", tenancies,
            missed_condition),
    Measure("plans.completed", pgettext_lazy("rent figures", "Repayment plans paid off in the year (tenancies)"), "tenancy", tenancies,
            completed_condition),
)


# --- Amounts: one grouped query over the notices -------------------------------------------------------


def _settled_by(day: date, payments_only: bool = False):
    condition = Q(allocations__on__lte=day)
    if payments_only:
        condition &= Q(allocations__payment__isnull=False)
    return Coalesce(Sum("allocations__amount", filter=condition), Value(0), output_field=BigIntegerField())


def _open_sum(day: date, settled: str):
    return Coalesce(
        Sum(Case(When(Q(due_date__lte=day) & Q(amount__gt=F(settled)), then=F("amount") - F(settled)),
                 default=Value(0), output_field=BigIntegerField())),
        Value(0), output_field=BigIntegerField(),
    )


def _year_sum(year: int, field: str):
    return Coalesce(
        Sum(Case(When(notices_of_year(year), then=F(field)), default=Value(0), output_field=BigIntegerField())),
        Value(0), output_field=BigIntegerField(),
    )


def amounts(year: int, unit=None, *, months: bool = True) -> dict:
    """One query: for Y and Y−1 the arrears on the day of the year, the
    year's charges and what payments had collected of them by that day, and
    (`months`) the arrears at each month end of both years.

    {"arrears": {y: öre}, "charged": {y: öre}, "collected": {y: öre},
     "months": {y: [öre or None per month]}}"""
    days = {("day", y): day_of(y) for y in (year, year - 1)}
    if months:
        for y in (year, year - 1):
            for month, day in zip(MONTHS, month_ends(y), strict=True):
                if day is not None:
                    days[("month", y, month)] = day
    distinct_days = sorted(set(days.values()))
    settled = {day: f"s_{day:%Y%m%d}" for day in distinct_days}
    annotations = {name: _settled_by(day) for day, name in settled.items()}
    for y in (year, year - 1):
        annotations[f"paid_{y}"] = _settled_by(day_of(y), payments_only=True)
    queryset = notices(unit).filter(issued_on__lte=day_of(year)).annotate(**annotations)
    columns = {f"open_{name}": _open_sum(day, name) for day, name in settled.items()}
    for y in (year, year - 1):
        columns[f"charged_{y}"] = _year_sum(y, "amount")
        columns[f"collected_{y}"] = _year_sum(y, f"paid_{y}")
    row = queryset.aggregate(**columns)

    def open_on(day):
        return int(row[f"open_{settled[day]}"] or 0)

    result = {
        "arrears": {y: open_on(days[("day", y)]) for y in (year, year - 1)},
        "charged": {y: int(row[f"charged_{y}"] or 0) for y in (year, year - 1)},
        "collected": {y: int(row[f"collected_{y}"] or 0) for y in (year, year - 1)},
    }
    if months:
        result["months"] = {
            y: [open_on(days[("month", y, m)]) if ("month", y, m) in days else None for m in MONTHS]
            for y in (year, year - 1)
        }
    return result


def arrears_by_month(year: int, unit=None) -> dict[int, list[int | None]]:
    """The arrears at each month end of Y and Y−1 (None: not yet come): one query."""
    return amounts(year, unit)["months"]


def instalments(year: int, unit=None) -> dict:
    """Instalments judged for a month of Y and Y−1, and of them kept: one query."""
    columns = {}
    for y in (year, year - 1):
        period = Year(y).dates("month")
        columns[f"judged_{y}"] = Count("pk", filter=period)
        columns[f"kept_{y}"] = Count("pk", filter=period & Q(outcome=InstalmentOutcome.KEPT))
    return (
        PlanInstalment.objects.filter(unit_filter(unit, "plan__tenancy__apartment__unit"))
        .filter(month__gte=Year(year - 1).first, month__lte=Year(year).last)
        .aggregate(**columns)
    )


# --- The sections -------------------------------------------------------------------------------------


def sections(year: int, unit=None) -> tuple[FigureSection, FigureSection, FigureSection]:
    """(arrears, rent charged and collected, repayment plans): 3 queries."""
    money = amounts(year, unit, months=False)
    counts, _extra = aggregate_measures(tenancies(unit), list(RENT_MEASURES.values()), year,
                                        cache_key=("rent", unit_key(unit)))
    plans = instalments(year, unit)
    m = RENT_MEASURES

    def kr(key, label, values, drilldown):
        return Figure(key=key, label=label, value=values[year], previous=values[year - 1], kind="kr",
                      drilldown=drilldown)

    arrears = FigureSection(
        key="arrears", title=_("Rent arrears"),
        figures=(
            kr("arrears.amount", _("Arrears on 31 December"), money["arrears"], "arrears.tenancies"),
            count_figure(m["arrears.tenancies"], counts, year),
            count_figure(m["arrears.tenants"], counts, year),
        ),
    )
    charged, collected = money["charged"], money["collected"]
    rent = FigureSection(
        key="rent", title=pgettext_lazy("rent figures", "Rent charged and collected"),
        figures=(
            kr("rent.charged", pgettext_lazy("rent figures", "Rent and charges of the year"), charged, "rent.tenancies_charged"),
            kr("rent.collected", pgettext_lazy("rent figures", "Of them paid by 31 December"), collected, "rent.tenancies_charged"),
            Figure(key="rent.collection_rate", label=pgettext_lazy("rent figures", "Collection rate"),
                   value=share(collected[year], charged[year]), previous=share(collected[year - 1], charged[year - 1]),
                   kind="percent", drilldown="rent.not_fully_paid"),
            count_figure(m["rent.tenancies_charged"], counts, year),
            count_figure(m["rent.not_fully_paid"], counts, year),
        ),
    )

    def p(name, y):
        return plans[f"{name}_{y}"] or 0

    repayment = FigureSection(
        key="plans", title=pgettext_lazy("rent figures", "Repayment plans"),
        figures=(
            count_figure(m["plans.tenancies"], counts, year),
            Figure(key="plans.instalments", label=pgettext_lazy("rent figures", "Instalments judged"), value=p("judged", year),
                   previous=p("judged", year - 1), drilldown="plans.tenancies"),
            Figure(key="plans.kept", label=pgettext_lazy("rent figures", "Instalments paid in time"), value=p("kept", year),
                   previous=p("kept", year - 1), drilldown="plans.tenancies"),
            Figure(key="plans.kept_share", label=pgettext_lazy("rent figures", "Share of instalments paid in time"),
                   value=share(p("kept", year), p("judged", year)),
                   previous=share(p("kept", year - 1), p("judged", year - 1)), kind="percent",
                   drilldown="plans.missed"),
            count_figure(m["plans.missed"], counts, year),
            count_figure(m["plans.completed"], counts, year),
        ),
    )
    return arrears, rent, repayment
