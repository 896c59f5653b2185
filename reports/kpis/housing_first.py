"""The Housing First figures (issue 15 §2; docs/kpis.md "Housing First"),
for Y and Y−1 like every other section of the dashboard.

    section(year, unit=None) -> FigureSection "housing_first"

Three queries, whatever the number of records:

1. one aggregate over the unit's candidates (HousingFirstCandidate):
   proposed in the year, by source and by situation of the homelessness
   mapping; waiting on the reference day; housed in the year and the mean
   days from proposal to housing;
2. one grouped query for the median of those days (a histogram of day
   counts, read as reports.kpis.decisions.median_days reads its own);
3. one aggregate over the Housing First tenancies for the headline measure,
   the tenancies kept after 12 months.

Every count is a Measure (common.py) registered for the dashboard's
drill-down (records.py): the candidates proposed (and by source and by
situation), waiting and housed; the tenancies of the cohort and those kept.
The aggregate counts `Count(filter=measure.condition(y, today))` over the
measure's base, the record list is the same base filtered by the same
condition, so a figure and its list cannot disagree. The median and mean
days drill down to the candidates housed (the values they are taken over),
the share kept to the cohort (its denominator; the list shows who).

The reference day of year Y is 31 December, or today while Y runs (the
figures are then preliminary, as every figure of the running year).

Which tenancies are Housing First: those of an apartment of the kind
Housing First (ApartmentKind.HOUSING_FIRST), not those executing a decision
of the kind Housing First. The apartment carries the programme's terms (no
demands); imported history has tenancies without a decision; and a tenancy's
decision may be linked weeks after the move-in (Tenancy.decision_pending).
The candidates' time to housing, on the other hand, follows the decision the
candidate became (HousingFirstCandidate.decision), whatever the apartment.
"""

from datetime import date, timedelta

from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.fields import DateField
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.calendar import years_before
from referrals.models import HousingFirstCandidate
from referrals.models.housing_first import CandidateStage, HomelessSituation, ProposalSource
from tenancies.models import ApartmentKind, Tenancy

from .common import DaysBetween, Measure, Year, one_decimal, register, share, unit_filter
from .decisions import _median
from .result import Figure, FigureSection

HOUSED_ON = "hf_housed_on"
ANNIVERSARY = "hf_anniversary"


def reference_day(year: int, today: date | None = None) -> date:
    """31 December of `year`, or today while the year runs."""
    today = today or timezone.localdate()
    return min(Year(year).last, today)


# --- Candidates ---------------------------------------------------------------------------------


def candidates(unit=None):
    """The unit's candidates with the day they were housed: the move-in that
    executed their Housing First decision (Decision.executed_on, set by the
    move-in; else the first tenancy linked to the decision). Candidates
    whose decision was annulled are never housed by it."""
    first_move_in = (
        Tenancy.objects.filter(decision=OuterRef("decision")).order_by("start_date").values("start_date")[:1]
    )
    housed = Case(
        When(decision__annulled_at__isnull=False, then=Value(None, output_field=DateField())),
        default=Coalesce(F("decision__executed_on"), Subquery(first_move_in), output_field=DateField()),
        output_field=DateField(),
    )
    return HousingFirstCandidate.objects.filter(unit_filter(unit, "unit")).annotate(**{HOUSED_ON: housed})


def proposed_in(year, today=None):
    """Proposed in Y, up to the reference day (nothing later exists: a
    proposal date is never in the future)."""
    return Q(proposed_on__gte=Year(year).first, proposed_on__lte=reference_day(year, today))


def waiting_on(day):
    """On the list on `day`: proposed by then and not housed by then, and
    not taken off the list (withdrawn or not prioritised). The stage's own
    date is not recorded, so a candidate taken off the list counts as off it
    on every day; one still on the list, or with a decision not executed by
    `day`, counts as waiting."""
    housed_later = Q(**{f"{HOUSED_ON}__isnull": True}) | Q(**{f"{HOUSED_ON}__gt": day})
    still_listed = Q(stage__in=CandidateStage.active()) | Q(stage=CandidateStage.DECIDED)
    return Q(proposed_on__lte=day) & still_listed & housed_later


def housed_in(year, today=None):
    y = Year(year)
    return Q(**{f"{HOUSED_ON}__gte": y.first, f"{HOUSED_ON}__lte": reference_day(year, today)})


def days_to_housing():
    return DaysBetween(F(HOUSED_ON), F("proposed_on"))


def _proposed_with(**match):
    def condition(year, today=None):
        return proposed_in(year, today) & Q(**match)

    return condition


def _waiting(year, today=None):
    return waiting_on(reference_day(year, today))


# The candidate counts. A condition takes (year, today=None): the list uses
# today's date, section() the `today` it is given (the tests fix it).
PROPOSED = _("Housing First candidates proposed")
CANDIDATE_MEASURES = register(
    Measure("housing_first.proposed", PROPOSED, "candidate", candidates, proposed_in),
    *(Measure(f"housing_first.source.{source.value}", format_lazy("{}: {}", PROPOSED, source.label), "candidate",
              candidates, _proposed_with(source=source))
      for source in ProposalSource),
    *(Measure(f"housing_first.situation.{situation.value}", format_lazy("{}: {}", PROPOSED, situation.label),
              "candidate", candidates, _proposed_with(situation=situation))
      for situation in HomelessSituation),
    Measure("housing_first.waiting", _("Candidates waiting on 31 December (today for this year)"), "candidate",
            candidates, _waiting),
    Measure("housing_first.housed", _("Candidates housed in the year"), "candidate", candidates, housed_in),
)


# --- Tenancies kept after 12 months ------------------------------------------------------------


class AddOneYear(Func):
    """`day` + 1 year as a date, 29 February becoming 28 February
    (core.calendar.add_years), the same on PostgreSQL and SQLite."""

    output_field = DateField()
    arity = 1

    def as_sql(self, compiler, connection, **extra_context):
        # PostgreSQL: date + interval '1 year' clamps 29 February itself.
        return super().as_sql(
            compiler, connection, template="CAST((%(expressions)s + INTERVAL '1 year') AS date)", **extra_context
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite's date(x, '+1 year') turns 29 February into 1 March.
        return super().as_sql(
            compiler, connection,
            template=(
                "(CASE WHEN strftime('%%%%m-%%%%d', %(expressions)s) = '02-29' "
                "THEN date(%(expressions)s, '+1 year', '-1 day') ELSE date(%(expressions)s, '+1 year') END)"
            ),
            **extra_context,
        )


HOUSING_FIRST = Q(apartment__kind=ApartmentKind.HOUSING_FIRST)


def cohort_of(year, today=None):
    """The Housing First tenancies whose first 12 months end in Y, by the
    reference day: started in Y−1 (by the same day one year earlier while Y
    runs), not internal moves (an internal move continues a stay begun
    elsewhere; it is no new Housing First start)."""
    previous = Year(year - 1)
    day = reference_day(year, today)
    # add_years(start, 1) <= day  <=>  start < years_before(day + 1 day, 1)
    # (29 February's anniversary is 28 February).
    return (
        HOUSING_FIRST & Q(is_internal_move=False)
        & Q(start_date__gte=previous.first, start_date__lte=previous.last)
        & Q(start_date__lt=years_before(day + timedelta(days=1), 1))
    )


def kept_in(year, today=None):
    return cohort_of(year, today) & Q(hf_kept=True)


def kept_tenancies(unit=None):
    """Housing First tenancies annotated `hf_kept`: 12 months after the
    move-in (the anniversary, inclusive) the tenant still lived in the
    programme in the same continuous stay (same client and continuous_since:
    internal moves count as kept), in an apartment that is not an emergency
    apartment (not long-term housing)."""
    still_housed = Tenancy.objects.filter(
        client=OuterRef("client"),
        continuous_since=OuterRef("continuous_since"),
        start_date__lte=OuterRef(ANNIVERSARY),
    ).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=OuterRef(ANNIVERSARY))
    ).exclude(apartment__kind=ApartmentKind.EMERGENCY)
    return (
        Tenancy.objects.filter(unit_filter(unit, "apartment__unit"))
        .annotate(**{ANNIVERSARY: AddOneYear(F("start_date"))})
        .annotate(hf_kept=Exists(still_housed))
    )


KEPT_MEASURES = register(
    Measure("housing_first.cohort", _("Housing First tenancies whose first 12 months ended in the year"), "tenancy",
            kept_tenancies, cohort_of),
    Measure("housing_first.kept", _("Of them, still housed after 12 months"), "tenancy", kept_tenancies, kept_in),
)


# --- The section ---------------------------------------------------------------------------------


def _alias(key, year):
    """The aggregate's column of measure `key` for `year` (no dots in SQL aliases)."""
    return f"{key.replace('.', '_')}_{year}"


def _candidate_counts(year, unit, today):
    columns = {}
    for y in (year, year - 1):
        for key, measure in CANDIDATE_MEASURES.items():
            columns[_alias(key, y)] = Count("pk", filter=measure.condition(y, today))
        columns[f"mean_{y}"] = Avg(days_to_housing(), filter=housed_in(y, today))
    # No pre-filter: every counted candidate is one the record list has
    # (a unit's candidates are few; the list reads the same rows).
    return candidates(unit).aggregate(**columns)


def median_days(year, unit=None, today=None):
    """{Y: median, Y−1: median} of the days from proposal to housing of the
    candidates housed in each year: one query (day count, how many)."""
    bucket = Case(When(housed_in(year, today), then=Value(year)), default=Value(year - 1),
                  output_field=IntegerField())
    rows = (
        candidates(unit)
        .filter(housed_in(year, today) | housed_in(year - 1, today))
        .annotate(bucket=bucket, days=days_to_housing())
        .values_list("bucket", "days")
        .annotate(number=Count("pk"))
        .order_by()
    )
    histograms = {}
    for bucket_year, days, number in rows:
        histograms.setdefault(bucket_year, []).append((days, number))
    return {y: one_decimal(_median(histogram)) for y, histogram in histograms.items()}


def _kept_counts(year, unit, today):
    columns = {}
    for y in (year, year - 1):
        for key, measure in KEPT_MEASURES.items():
            columns[_alias(key, y)] = Count("pk", filter=measure.condition(y, today))
    # Only the two cohorts' years are read (a sargable pre-filter every
    # cohort tenancy meets, so the lists need not repeat it).
    scope = HOUSING_FIRST & Q(start_date__gte=Year(year - 2).first, start_date__lte=Year(year - 1).last)
    return kept_tenancies(unit).filter(scope).aggregate(**columns)


def section(year, unit=None, today=None):
    """The Housing First section of the dashboard (and so of the exports,
    the yearly PDF and a fixed year's snapshot)."""
    today = today or timezone.localdate()
    row = _candidate_counts(year, unit, today)
    kept = _kept_counts(year, unit, today)
    medians = median_days(year, unit, today)

    def count(key, label=None):
        """The count of measure `key`, drilling down to its own record list."""
        measure = CANDIDATE_MEASURES.get(key) or KEPT_MEASURES[key]
        counts = row if key in CANDIDATE_MEASURES else kept
        return Figure(key=key, label=label or measure.title, value=counts[_alias(key, year)] or 0,
                      previous=counts[_alias(key, year - 1)] or 0, drilldown=key)

    def mean(y):
        value = row[f"mean_{y}"]
        return None if value is None else one_decimal(float(value))

    def ratio(y):
        return share(kept[_alias("housing_first.kept", y)] or 0, kept[_alias("housing_first.cohort", y)] or 0)

    figures = [
        count("housing_first.proposed"),
        *(count(f"housing_first.source.{source.value}", source.label) for source in ProposalSource),
        *(count(f"housing_first.situation.{situation.value}", situation.label) for situation in HomelessSituation),
        count("housing_first.waiting"),
        count("housing_first.housed"),
        # The days are taken over the candidates housed in the year: the
        # averages list those.
        Figure(key="housing_first.median_days", label=_("Median days from proposal to housing"),
               value=medians.get(year), previous=medians.get(year - 1), kind="days",
               drilldown="housing_first.housed"),
        Figure(key="housing_first.mean_days", label=_("Mean days from proposal to housing"),
               value=mean(year), previous=mean(year - 1), kind="days", drilldown="housing_first.housed"),
        count("housing_first.cohort"),
        count("housing_first.kept"),
        # The share of the cohort kept: the cohort is what it is a share of.
        Figure(key="housing_first.kept_share", label=_("Housing First tenancies kept after 12 months"),
               value=ratio(year), previous=ratio(year - 1), kind="percent", drilldown="housing_first.cohort"),
    ]
    return FigureSection(key="housing_first", title=_("Housing First"), figures=tuple(figures))
