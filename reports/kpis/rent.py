"""The rent figures (issue 14 "Figures"): arrears, rent charged and
collected, the arrears trend per month and repayment plans kept, each for
Y and Y−1. docs/kpis.md ("Rent") gives the definitions as implemented.

The one definition of what a notice has open on a day is
rent.models.RentNoticeQuerySet.with_settled(day): its amount less the
allocations (payments, credit notes, write-offs) dated on or before the
day. A notice is **in arrears** on day D when it was due on or before D
and something of it is open on D. The record lists (measures) use
with_settled itself; the amounts and the tenancy counts come from one pass
over the notices joined to their allocations summed per notice (_ledger:
the same rule, allocations with `on` ≤ D), which
reports/tests/test_kpi_rent.py checks against with_settled month by month
and the golden test against the record lists.

The day of Y is 31 December, or today for the running year (its figures
are preliminary and count up to today, as every other figure).

Queries: `sections` 3 (the ledger pass: the notices' amounts and the
tenancies in arrears, behind, charged and not fully paid; the plan
measures over the tenancies; the instalments); `arrears_by_month` 1 (the
dashboard's chart, the ledger pass with the month ends).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connections
from django.db.models import BigIntegerField, Count, F, Max, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.calendar import add_months
from rent.models import Allocation, InstalmentOutcome, NoticeKind, PlanInstalment, PlanStatus, RentNotice, RepaymentPlan
from tenancies.models import Tenancy

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
            arrears_condition),
    Measure("arrears.tenants", _("Tenants more than one month behind"), "client", tenancies, behind_condition,
            distinct="client", listed=clients),
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


# The measures counted by the ledger pass (amounts(counts=True)) rather than
# by aggregate_measures: measure key -> column.
LEDGER_COUNTS = {
    "arrears.tenancies": "arrears",
    "arrears.tenants": "behind",
    "rent.tenancies_charged": "tenancies_charged",
    "rent.not_fully_paid": "not_fully_paid",
}


# --- The ledger pass: amounts and tenancy counts in one query over the notices -------------------------
#
# The notices are read once, each joined to its allocations already summed
# per notice (a derived table grouped by notice, one conditional sum per day
# needed), and to its tenancy (for the client). Every amount is a sum over
# the notices and every tenancy count a COUNT(DISTINCT tenancy) over them,
# on the same rule as the record lists: in arrears on D = due on or before
# D and amount > the allocations dated on or before D (with_settled(D));
# not fully paid = one of the year's notices whose payment allocations
# dated on or before the day of Y are less than its amount. The SQL is
# written out here because the ORM cannot join a grouped derived table;
# every condition on the notices and the allocations' sums are compiled
# from the ORM (notices_of_year and the unit are the record lists' own Q),
# so the query is the same on PostgreSQL and SQLite. The golden test checks
# that every count has as many records as its list, test_kpi_rent the
# amounts against with_settled.


def _compiler(connection):
    """`where(condition)`: a Q on the notices as SQL on their table, its
    parameters appended to `params` in the order the SQL is written."""
    params: list = []

    def where(condition: Q) -> str:
        query = RentNotice.objects.filter(condition).query
        sql, condition_params = query.get_compiler(connection=connection).compile(query.where)
        params.extend(condition_params)
        return f"({sql})"

    return where, params


def _days(year: int, months: bool) -> dict:
    """("day", y) -> the day of y, and (`months`) ("month", y, m) -> month
    end (or today), for Y and Y−1."""
    days = {("day", y): day_of(y) for y in (year, year - 1)}
    if months:
        for y in (year, year - 1):
            for month, day in zip(MONTHS, month_ends(y), strict=True):
                if day is not None:
                    days[("month", y, month)] = day
    return days


def _ledger(year: int, unit, days: dict, *, counts: bool) -> dict:
    """The one query: {alias: value} of the columns open_<day> (arrears on
    each day of `days`), charged_<y>, collected_<y> and (`counts`) the
    tenancy counts arrears_<y>, behind_<y> (clients), tenancies_charged_<y>,
    not_fully_paid_<y>, for Y and Y−1."""
    day_y = day_of(year)
    settled = {day: f"s_{day:%Y%m%d}" for day in sorted(set(days.values()))}

    # The allocations summed per notice: settled on each day, paid (payments
    # only) on the day of Y and of Y−1; nothing read is dated after the day of Y.
    per_notice = {name: Sum("amount", filter=Q(on__lte=day)) for day, name in settled.items()}
    for y in (year, year - 1):
        per_notice[f"paid_{y}"] = Sum("amount", filter=Q(on__lte=day_of(y), payment__isnull=False))
    allocations = (
        Allocation.objects.filter(on__lte=max(settled)).values(kpi_notice=F("notice"))
        .annotate(**per_notice).order_by()
    )

    database = RentNotice.objects.all().db
    connection = connections[database]
    qn = connection.ops.quote_name
    notice, tenancy, alloc_table = qn(RentNotice._meta.db_table), qn(Tenancy._meta.db_table), qn("kpi_alloc")
    amount = f"{notice}.{qn(RentNotice._meta.get_field('amount').column)}"
    tenancy_id = f"{notice}.{qn(RentNotice._meta.get_field('tenancy').column)}"
    client_id = f"{tenancy}.{qn(Tenancy._meta.get_field('client').column)}"

    def alloc(name):
        return f"COALESCE({alloc_table}.{qn(name)}, 0)"

    where, select_params = _compiler(connection)
    columns = {}
    for day, name in settled.items():
        # Open on the day: due by then, made by the day of Y (the amounts
        # read the notices made by then), amount above what was settled.
        due = where(Q(issued_on__lte=day_y, due_date__lte=day))
        columns[f"open_{name}"] = (f"SUM(CASE WHEN {due} AND {amount} > {alloc(name)}"
                                   f" THEN {amount} - {alloc(name)} ELSE 0 END)")
    for y in (year, year - 1):
        columns[f"charged_{y}"] = f"SUM(CASE WHEN {where(notices_of_year(y))} THEN {amount} ELSE 0 END)"
        columns[f"collected_{y}"] = (f"SUM(CASE WHEN {where(notices_of_year(y))}"
                                     f" THEN {alloc(f'paid_{y}')} ELSE 0 END)")
    if counts:
        for y in (year, year - 1):
            day = day_of(y)
            in_arrears = f"{amount} > {alloc(settled[day])}"
            columns[f"arrears_{y}"] = (f"COUNT(DISTINCT CASE WHEN {where(Q(due_date__lte=day))} AND {in_arrears}"
                                       f" THEN {tenancy_id} END)")
            behind = where(Q(due_date__lte=day, due_date__lt=behind_limit(day)))
            columns[f"behind_{y}"] = f"COUNT(DISTINCT CASE WHEN {behind} AND {in_arrears} THEN {client_id} END)"
            columns[f"tenancies_charged_{y}"] = (f"COUNT(DISTINCT CASE WHEN {where(notices_of_year(y))}"
                                                 f" THEN {tenancy_id} END)")
            columns[f"not_fully_paid_{y}"] = (f"COUNT(DISTINCT CASE WHEN {where(notices_of_year(y))}"
                                              f" AND {alloc(f'paid_{y}')} < {amount} THEN {tenancy_id} END)")

    allocations_sql, allocations_params = allocations.query.get_compiler(using=database).as_sql()
    where, scope_params = _compiler(connection)
    # Every notice a column reads: made, or due, by the day of Y; of the unit's tenancies.
    scope = Q(issued_on__lte=day_y) | Q(due_date__lte=day_y)
    if unit is not None:
        scope &= Q(tenancy__in=tenancies(unit).values("pk"))
    scope_sql = where(scope)
    sql = (
        f"SELECT {', '.join(f'{expression} AS {qn(alias)}' for alias, expression in columns.items())}"
        f" FROM {notice}"
        f" INNER JOIN {tenancy} ON ({tenancy_id} = {tenancy}.{qn(Tenancy._meta.pk.column)})"
        f" LEFT OUTER JOIN ({allocations_sql}) {alloc_table}"
        f" ON ({alloc_table}.{qn('kpi_notice')} = {notice}.{qn(RentNotice._meta.pk.column)})"
        f" WHERE {scope_sql}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*select_params, *allocations_params, *scope_params])
        row = cursor.fetchone()
    values = {alias: int(value or 0) for alias, value in zip(columns, row, strict=True)}
    values.update({f"open_on_{day:%Y%m%d}": values[f"open_{name}"] for day, name in settled.items()})
    return values


def amounts(year: int, unit=None, *, months: bool = True, counts: bool = False) -> dict:
    """One query over the notices (_ledger): for Y and Y−1 the arrears on
    the day of the year, the year's charges and what payments had collected
    of them by that day, (`months`) the arrears at each month end of both
    years and (`counts`) the tenancy counts of the measures arrears.tenancies,
    arrears.tenants, rent.tenancies_charged and rent.not_fully_paid.

    {"arrears": {y: öre}, "charged": {y: öre}, "collected": {y: öre},
     "months": {y: [öre or None per month]}, "counts": {(key, y): count}}"""
    days = _days(year, months)
    row = _ledger(year, unit, days, counts=counts)

    def open_on(day):
        return row[f"open_on_{day:%Y%m%d}"]

    result = {
        "arrears": {y: open_on(days[("day", y)]) for y in (year, year - 1)},
        "charged": {y: row[f"charged_{y}"] for y in (year, year - 1)},
        "collected": {y: row[f"collected_{y}"] for y in (year, year - 1)},
    }
    if months:
        result["months"] = {
            y: [open_on(days[("month", y, m)]) if ("month", y, m) in days else None for m in MONTHS]
            for y in (year, year - 1)
        }
    if counts:
        result["counts"] = {
            (key, y): row[f"{column}_{y}"]
            for key, column in LEDGER_COUNTS.items()
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
    money = amounts(year, unit, months=False, counts=True)
    counts, _extra = aggregate_measures(
        tenancies(unit), [measure for key, measure in RENT_MEASURES.items() if key not in LEDGER_COUNTS], year,
        cache_key=("rent", unit_key(unit)),
    )
    counts.update(money["counts"])
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
