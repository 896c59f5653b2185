"""KPI 6: fewer non-executed decisions; and the decisions waiting on 31 December.

"Reportable" is the IVO rule of referrals.services.ivo, on the same stored
dates: a granted decision's first reportable day is the day after
`execution_due_by` (decided_on plus three calendar months,
core.calendar.last_day_within), provided it was neither executed nor
closed by `execution_due_by`; an interruption's is the day after
`resume_due_by`, provided it was neither resumed nor the decision closed by
then. A decision counts in Y when one of those first reportable days falls in
Y (and, for the running year, is not after today): it is counted once even
if both its wait and an interruption became reportable in Y.
"""

from datetime import timedelta

from django.db.models import Case, F, Q, Value, When
from django.db.models import Count as CountAgg
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from referrals.models import Decision, DecisionKind, Interruption

from .common import (
    DaysBetween,
    Measure,
    Year,
    aggregate_measures,
    count_figure,
    one_decimal,
    register,
    unit_filter,
    unit_key,
)
from .result import Figure, KpiResult

TRAINING = Q(kind=DecisionKind.TRAINING_APARTMENT)


def decisions(unit=None):
    """Granted decisions, of `unit`'s clients or of all."""
    return Decision.objects.granted().filter(unit_filter(unit, "client__unit"))


def _due_window(year, today=None):
    """Last-day-before-reportable values whose next day falls in Y and is
    not after today."""
    y = Year(year)
    first_due, last_due = y.first - timedelta(days=1), y.last - timedelta(days=1)
    today = today or timezone.localdate()
    return first_due, min(last_due, today - timedelta(days=1))


def reportable_in(year, today=None):
    first_due, last_due = _due_window(year, today)
    waiting = (
        Q(execution_due_by__gte=first_due, execution_due_by__lte=last_due)
        & (Q(executed_on__isnull=True) | Q(executed_on__gt=F("execution_due_by")))
        & (Q(closed_on__isnull=True) | Q(closed_on__gt=F("execution_due_by")))
    )
    # Uncorrelated (decision ids), so that the database builds the set once
    # instead of probing the interruptions for every decision.
    interrupted = Interruption.objects.filter(
        resume_due_by__gte=first_due, resume_due_by__lte=last_due
    ).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=F("resume_due_by")),
        Q(decision__closed_on__isnull=True) | Q(decision__closed_on__gt=F("resume_due_by")),
    )
    return waiting | Q(pk__in=interrupted.values("decision_id"))


def executed_in(year):
    return Year(year).dates("executed_on")


def waiting_on(year):
    """Granted, decided by 31 Dec Y, and neither executed nor closed by then."""
    day = Year(year).last
    return (
        Q(decided_on__lte=day)
        & (Q(executed_on__isnull=True) | Q(executed_on__gt=day))
        & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))
    )


KPI6_MEASURES = register(
    Measure("kpi6.reportable", _("Decisions that became reportable as not executed"), "decision",
            decisions, reportable_in),
    Measure("kpi6.reportable_training", _("Of them, training-apartment decisions"), "decision",
            decisions, lambda y: reportable_in(y) & TRAINING),
    Measure("kpi6.executed", _("Decisions executed"), "decision", decisions, executed_in),
)

WAITING_MEASURES = register(
    Measure("decisions.waiting", _("Granted decisions waiting for execution on 31 December"), "decision",
            decisions, waiting_on),
    Measure("decisions.waiting_training", _("Of them, training-apartment decisions"), "decision",
            decisions, lambda y: waiting_on(y) & TRAINING),
    Measure("decisions.waiting_reportable", _("Of them, waiting more than three months"), "decision",
            decisions, lambda y: waiting_on(y) & Q(execution_due_by__lt=Year(y).last)),
)

KPI6_GOAL = _("Reduce the number of non-executed decisions by 50 %.")
KPI6_TARGET = format_lazy("−50 % {}", _("compared with the year before"))
KPI6_DEFINITION = _(
    "Granted decisions whose first reportable day falls in the year: the day after three calendar months "
    "from the decision without execution (a decision of 30 November is reportable from 1 March if not executed "
    "by the last day of February), or after three calendar months of an interruption not resumed, as in the "
    "IVO report. Each decision is counted once; training-apartment decisions are also shown apart. The target "
    "is met when the number is at most half of the previous year's (when the previous year had none: when "
    "there are none). Also shown: the median number of days from decision to execution for the decisions "
    "executed during the year."
)


def median_days(year, unit=None):
    """{Y: median, Y−1: median} of the days from decision to execution of the
    decisions executed in each year, one query: the number of decisions per
    year and number of days (one row per distinct day count, however many
    decisions), from which the middle value(s) are read here — cheaper for
    the database than ranking every decision with window functions."""
    bucket = Case(When(executed_in(year), then=Value(year)), default=Value(year - 1))
    rows = (
        decisions(unit)
        .filter(executed_in(year) | executed_in(year - 1))
        .annotate(bucket=bucket, days=DaysBetween(F("executed_on"), F("decided_on")))
        .values_list("bucket", "days")
        .annotate(decisions=CountAgg("pk"))
        .order_by()
    )
    histograms = {}
    for bucket_year, days, number in rows:
        histograms.setdefault(bucket_year, []).append((days, number))
    return {y: one_decimal(_median(histogram)) for y, histogram in histograms.items()}


def _median(histogram):
    """The median of values given as (value, how many): the middle value, or
    the mean of the two middle values when their number is even."""
    total = sum(number for _value, number in histogram)
    # 1-based positions of the middle value(s): (n + 1) // 2 and (n + 2) // 2.
    wanted = sorted({(total + 1) // 2, (total + 2) // 2})
    values, seen = [], 0
    for value, number in sorted(histogram):
        seen += number
        while wanted and wanted[0] <= seen:
            values.append(value)
            wanted.pop(0)
    return sum(values) / len(values)


def compute(year, unit=None):
    counts, _extra = aggregate_measures(
        decisions(unit), list(KPI6_MEASURES.values()), year, cache_key=("kpi6", unit_key(unit))
    )
    medians = median_days(year, unit)
    value, previous = counts[("kpi6.reportable", year)], counts[("kpi6.reportable", year - 1)]
    figures = (
        count_figure(KPI6_MEASURES["kpi6.reportable"], counts, year),
        count_figure(KPI6_MEASURES["kpi6.reportable_training"], counts, year),
        count_figure(KPI6_MEASURES["kpi6.executed"], counts, year),
        Figure(
            key="kpi6.median_days", label=_("Median days from decision to execution"),
            value=medians.get(year), previous=medians.get(year - 1), kind="days",
        ),
    )
    return KpiResult(
        number=6, key="kpi6", goal=KPI6_GOAL, target=KPI6_TARGET, definition=KPI6_DEFINITION,
        value=value, previous=previous, kind="count", met=value * 2 <= previous if previous else value == 0,
        drilldown="kpi6.reportable", figures=figures,
    )


def waiting_section_counts(year, unit=None):
    counts, _extra = aggregate_measures(
        decisions(unit), list(WAITING_MEASURES.values()), year, cache_key=("waiting", unit_key(unit))
    )
    return tuple(count_figure(measure, counts, year) for measure in WAITING_MEASURES.values())
