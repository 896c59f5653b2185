"""What every KPI module shares: the year's bounds, shares, day counts in SQL
and the Measure, the one definition behind both a figure and its record list.

A Measure is a base queryset (the records of a unit, or of all units) and a
condition for year Y. The KPI modules aggregate `Count(..., filter=condition)`
over the base for Y and Y−1 in one query; the drill-down lists the same base
filtered by the same condition (records.py). So the number shown and the
records behind it cannot disagree.
"""

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import connections
from django.db.models import Count, Func, IntegerField, Q, QuerySet, Value
from django.db.models.fields import DateField
from django.utils import timezone

from .result import Figure

ONE_DECIMAL = Decimal("0.1")

# Drill-down key -> Measure; filled in by the KPI modules as they are imported
# (records.py imports them all).
MEASURES: dict[str, "Measure"] = {}


@dataclass(frozen=True)
class Year:
    """Year Y: 1 January – 31 December, in dates and in Swedish time."""

    year: int

    @property
    def first(self):
        return date(self.year, 1, 1)

    @property
    def last(self):
        return date(self.year, 12, 31)

    @property
    def starts_at(self):
        """Midnight on 1 January, Swedish time (settings.TIME_ZONE)."""
        return timezone.make_aware(datetime(self.year, 1, 1))

    @property
    def ends_before(self):
        """Midnight on 1 January of the next year: timestamps in Y are
        >= starts_at and < ends_before (a sargable range)."""
        return timezone.make_aware(datetime(self.year + 1, 1, 1))

    def dates(self, field):
        return Q(**{f"{field}__gte": self.first, f"{field}__lte": self.last})

    def times(self, field):
        return Q(**{f"{field}__gte": self.starts_at, f"{field}__lt": self.ends_before})


def years(year):
    """(Y, Y−1) as Year objects."""
    return Year(year), Year(year - 1)


def share(numerator, denominator):
    """numerator / denominator in percent with one decimal (half up); None
    when there is no denominator."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def one_decimal(value):
    return None if value is None else Decimal(value).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


class DaysBetween(Func):
    """Whole days from `start` to `end` (two dates) as an integer, the same
    on PostgreSQL (date − date is an integer) and SQLite (julianday)."""

    output_field = IntegerField()
    arity = 2

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, function="CAST", template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(", **extra_context,
        )


def day_value(day):
    return Value(day, output_field=DateField())


@dataclass(frozen=True)
class Measure:
    """A counted figure: `base(unit)` filtered by `condition(year)`.

    `distinct` names the field counted once per value (e.g. "client" for
    "distinct clients"); the record list is then that model's records.
    `kind` is the model kind of the record list (tenancy, client, order,
    decision, notice, visit, enrolment).
    """

    key: str
    title: str
    kind: str
    base: Callable[[object], QuerySet]
    condition: Callable[[int], Q]
    distinct: str | None = None
    # For distinct counts: the model whose records are listed, as a callable
    # returning its default manager (imported lazily).
    listed: Callable[[], QuerySet] | None = None
    # The same condition for the aggregate query where that query offers a
    # cheaper form (e.g. columns computed once per row by a window function
    # instead of a lookup of other rows); None: `condition`. The golden test
    # checks for every key that the list (`condition`) has as many records
    # as the figure (this).
    aggregate_condition: Callable[[int], Q] | None = None

    def count(self, year, within=None):
        condition = (self.aggregate_condition or self.condition)(year)
        if within is not None:
            condition &= within
        if self.distinct:
            return Count(self.distinct, distinct=True, filter=condition)
        return Count("pk", filter=condition)

    def records(self, year, unit=None):
        matching = self.base(unit).filter(self.condition(year))
        if self.distinct:
            return self.listed().filter(pk__in=matching.values(self.distinct))
        return matching


def register(*measures):
    for measure in measures:
        if measure.key in MEASURES:
            raise ValueError(f"measure {measure.key} registered twice")
        MEASURES[measure.key] = measure
    return {measure.key: measure for measure in measures}


# Compiled SQL of the aggregate queries, by what determines it: building a
# query of some forty filtered counts costs the ORM more time than running it
# on a small database, so repeated dashboard views of the same year and unit
# reuse the SQL (never the results: the query runs every time).
_COMPILED: OrderedDict = OrderedDict()
COMPILED_MAX = 256


def clear_compiled():
    _COMPILED.clear()


def _run_aggregate(build, aliases, cache_key):
    """build() -> (queryset, columns); returns {alias: value} of
    queryset.aggregate(**columns), compiled once per cache_key."""
    if cache_key is not None:
        cache_key = (*cache_key, timezone.localdate(), timezone.get_current_timezone_name())
        cached = _COMPILED.get(cache_key)
        if cached is not None:
            alias, sql, params = cached
            with connections[alias].cursor() as cursor:
                cursor.execute(sql, params)
                return dict(zip(aliases, cursor.fetchone(), strict=True))
    queryset, columns = build()
    captured = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    connection = connections[queryset.db]
    with connection.execute_wrapper(capture):
        row = queryset.aggregate(**columns)
    if cache_key is not None and len(captured) == 1 and list(columns) == list(aliases):
        _COMPILED[cache_key] = (queryset.db, *captured[0])
        while len(_COMPILED) > COMPILED_MAX:
            _COMPILED.popitem(last=False)
    return row


def aggregate_measures(base_queryset, measures, year, scope=None, cache_key=None, within=None, **extra):
    """One aggregate query: every measure for Y and Y−1, plus `extra`
    aggregates (name -> expression). `scope` is an optional sargable
    condition every counted record meets (e.g. a date range covering both
    years), so that the database reads only those rows. `within` is a
    condition added to every measure's count instead (for a base whose rows
    must all be read, e.g. for window functions). `cache_key` (what
    besides the year determines the query, e.g. the module and the unit's
    id) lets the compiled SQL be reused. Returns {(key, year): value} and
    the extra values by name."""
    names = {}
    for index, measure in enumerate(measures):
        for y in (year, year - 1):
            names[f"m{index}_{y}"] = (measure.key, y)
    aliases = [*names, *extra]

    def build():
        columns = {}
        for index, measure in enumerate(measures):
            for y in (year, year - 1):
                columns[f"m{index}_{y}"] = measure.count(y, within)
        columns.update(extra)
        return (base_queryset if scope is None else base_queryset.filter(scope)), columns

    if cache_key is not None:
        cache_key = (*cache_key, tuple(names.values()), tuple(extra))
    row = _run_aggregate(build, aliases, cache_key)
    counts = {names[alias]: row[alias] or 0 for alias in names}
    return counts, {name: row[name] for name in extra}


def counts_by(measures, year, unit=None, *, by, expression=None):
    """Each measure's count for `year`, grouped by one column, in one grouped
    query over the measures' common base (they must share one): {key:
    {group value: count}}. `by` names the column, or the alias of
    `expression` (e.g. ExtractMonth of a date) when one is given. Only the
    records some measure counts are read (the conditions or'ed). A chart
    per month or per reason is a measure counted this way, so its bars add
    up to the measure's figure."""
    condition = Q()
    for index, measure in enumerate(measures):
        condition = measure.condition(year) if index == 0 else condition | measure.condition(year)
    queryset = measures[0].base(unit).filter(condition)
    if expression is not None:
        queryset = queryset.annotate(**{by: expression})
    rows = (
        queryset.values(by)
        .annotate(**{f"m{index}": measure.count(year) for index, measure in enumerate(measures)})
        .order_by()
    )
    counts = {measure.key: {} for measure in measures}
    for row in rows:
        for index, measure in enumerate(measures):
            counts[measure.key][row[by]] = row[f"m{index}"]
    return counts


def unit_key(unit):
    return None if unit is None else unit.pk


def count_figure(measure, counts, year, *, label=None, drilldown=True):
    """A count Figure of `measure` for Y (value) and Y−1 (previous)."""
    return Figure(
        key=measure.key,
        label=label or measure.title,
        value=counts[(measure.key, year)],
        previous=counts[(measure.key, year - 1)],
        kind="count",
        drilldown=measure.key if drilldown else None,
    )


def unit_filter(unit, field):
    """Q restricting to `unit` through `field` (a unit foreign key path);
    all records when unit is None."""
    return Q() if unit is None else Q(**{field: unit})

