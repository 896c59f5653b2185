"""Visits and cancellations: the one definition of every visit figure.

The dashboard's "Visits and cancellations" section, its visits chart, the
cancellations page and the yearly PDF all count with the measures below:

- planned: every logged visit, whatever its outcome;
- done: outcome "done";
- cancelled: every other outcome (VisitOutcome.cancellations(): cancelled by
  the client, no-show, cancelled by staff, nobody home), each also counted
  on its own ("outcome_<outcome>");
- reasons: the cancellation reason of a cancelled visit; a cancellation
  without one (a no-show, nobody home) is "no_reason";
- young adults: 18–25 years old on the day of the visit (Visit.client_age,
  bolots.models.YOUNG_ADULT_AGES); "others" are all the rest, including
  visits where no age is known (an outreach attempt to someone without a
  client file);
- a year and a month are calendar ones in Swedish time, whatever the
  database stores (UTC).

Each figure is a VisitCount: its SQL condition is the record list (the
dashboard's drill-down), and its test of a grouped row is how the grouped
queries below add it up, so a figure and its list cannot disagree.
Measure keys are "visits.<group>.<name>" with group all, young or others.
The dashboard shows (and registers as record lists) the all and young
figures it always showed; the per-outcome and "others" figures are used by
the cancellations page and the PDF.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from bolots.models import YOUNG_ADULT_AGES, CancelReason, Visit, VisitOutcome

from .common import Measure, Year, register, unit_filter
from .result import Figure, FigureSection

ALL, YOUNG, OTHERS = "all", "young", "others"
MONTHS = range(1, 13)


def young_adult_visits() -> Q:
    low, high = YOUNG_ADULT_AGES
    return Q(client_age__gte=low, client_age__lte=high)


def visits(unit=None) -> QuerySet:
    """The visits on a unit's orders (unit: a Unit or its id; None: every unit)."""
    # Annulled visits (audit.annulment) are left out of every visit figure here.
    return Visit.objects.effective().filter(unit_filter(unit, "order__unit"))


def visit_key(group: str, name: str) -> str:
    return f"visits.{group}.{name}"


@dataclass(frozen=True)
class VisitCount:
    """Which visits a visit figure counts: the age group (ALL, YOUNG,
    OTHERS), the outcomes (None: any) and the cancellation reason (None:
    any, "": none). Both the SQL condition (the record list) and the test of
    a grouped row (the figure) are derived from it, so they cannot
    disagree."""

    group: str
    outcomes: tuple | None = None
    reason: str | None = None

    def condition(self, year: int) -> Q:
        q = Year(year).times("visited_at")
        if self.group == YOUNG:
            q &= young_adult_visits()
        elif self.group == OTHERS:
            # Negated on a nullable column, Django keeps the visits without
            # an age: they are "others".
            q &= ~young_adult_visits()
        if self.outcomes is not None:
            q &= Q(outcome__in=self.outcomes)
        if self.reason is not None:
            q &= Q(cancel_reason=self.reason)
        return q

    def matches(self, row: dict) -> bool:
        """Whether a grouped row ({young, outcome, cancel_reason}) is counted."""
        return (
            (self.group == ALL or row["young"] == (self.group == YOUNG))
            and (self.outcomes is None or row["outcome"] in self.outcomes)
            and (self.reason is None or row["cancel_reason"] == self.reason)
        )


def _label(prefix, label):
    """A lazy "prefix + label", translated when shown."""
    return format_lazy("{}{}", prefix, label) if prefix else label


def _specs(group: str, *, outcomes: bool):
    """(name, label, VisitCount) of one age group; with `outcomes`, each
    cancellation outcome on its own too (after "cancelled")."""
    cancelled = tuple(VisitOutcome.cancellations())
    specs = [
        ("planned", _("Visits planned"), VisitCount(group)),
        ("done", _("Visits done"), VisitCount(group, (VisitOutcome.DONE,))),
        ("cancelled", _("Visits cancelled (including no-show and nobody home)"), VisitCount(group, cancelled)),
    ]
    if outcomes:
        specs += [(f"outcome_{outcome.value}", outcome.label, VisitCount(group, (outcome.value,)))
                  for outcome in VisitOutcome.cancellations()]
    specs += [
        *((f"reason_{reason.value}", reason.label, VisitCount(group, cancelled, reason.value))
          for reason in CancelReason),
        ("no_reason", _("Cancelled without a reason"), VisitCount(group, cancelled, "")),
    ]
    return specs


def _visit_measures():
    """The dashboard's measures (registered as record lists, in the
    dashboard's order), and every visit measure with its VisitCount."""
    prefixes = {ALL: "", YOUNG: _("18–25 years: "), OTHERS: format_lazy("{}: ", _("Other visits"))}
    shown, measures, counts = [], {}, {}
    for group, prefix in prefixes.items():
        for name, label, spec in _specs(group, outcomes=True):
            key = visit_key(group, name)
            measures[key] = Measure(key, _label(prefix, label), "visit", visits, spec.condition)
            counts[key] = spec
        if group != OTHERS:
            shown += [measures[visit_key(group, name)] for name, _l, _s in _specs(group, outcomes=False)]
    return register(*shown), measures, counts


# DASHBOARD_MEASURES: what the dashboard's visit section shows (and lists);
# VISIT_MEASURES and VISIT_COUNTS: every visit figure by key.
DASHBOARD_MEASURES, VISIT_MEASURES, VISIT_COUNTS = _visit_measures()


def _split_by_age(grouped, *by):
    """Grouped rows with a count of all visits and of young adults, as rows
    VisitCount.matches reads: one for the young adults and one for the
    others of each group."""
    for group in grouped:
        young = group["young_visits"]
        for is_young, number in ((True, young), (False, group["all_visits"] - young)):
            yield {**{name: group[name] for name in by}, "young": is_young, "outcome": group["outcome"],
                   "cancel_reason": group["cancel_reason"], "visits": number}


def _tally(rows, keys) -> dict[str, int]:
    return {key: sum(row["visits"] for row in rows if VISIT_COUNTS[key].matches(row)) for key in keys}


def visit_section(year: int, unit=None) -> FigureSection:
    """The dashboard's section for Y and Y−1: one grouped query over the
    visits of both years (a range on the indexed visited_at), grouped by
    outcome and reason with four counts per group (each year, all and young
    adults): at most outcomes × reasons rows come back, whatever the number
    of visits, and each figure sums the rows its VisitCount matches.
    (Grouping by two plain columns with few filtered counts costs the
    database less per visit than grouping by the year and age group as
    computed columns. Counted: visited_at (never null), not the id, so that
    every column read is in the index bolots_visit_kpi_year_idx and
    PostgreSQL reads the index only.)"""
    this_year, last_year = Year(year), Year(year - 1)
    young = young_adult_visits()
    # Within the two years' range, "in Y" is one comparison and Y−1 the rest:
    # the fewest conditions per visit.
    in_year = Q(visited_at__gte=this_year.starts_at)
    grouped = (
        visits(unit)
        .filter(visited_at__gte=last_year.starts_at, visited_at__lt=this_year.ends_before)
        .values("outcome", "cancel_reason")
        .annotate(
            both_years=Count("visited_at"), this_year=Count("visited_at", filter=in_year),
            young_both_years=Count("visited_at", filter=young),
            young_this_year=Count("visited_at", filter=in_year & young),
        )
        .order_by()
    )
    per_year = {year: [], year - 1: []}
    for group in grouped:
        per_year[year].append({**group, "all_visits": group["this_year"], "young_visits": group["young_this_year"]})
        per_year[year - 1].append({**group, "all_visits": group["both_years"] - group["this_year"],
                                   "young_visits": group["young_both_years"] - group["young_this_year"]})
    current, previous = (_tally(list(_split_by_age(per_year[y])), DASHBOARD_MEASURES) for y in (year, year - 1))
    figures = tuple(
        Figure(key=key, label=measure.title, value=current[key], previous=previous[key], drilldown=key)
        for key, measure in DASHBOARD_MEASURES.items()
    )
    return FigureSection(key="visits", title=_("Visits and cancellations"), figures=figures)


def monthly_counts(year: int, unit=None, keys=None) -> dict[str, list[int]]:
    """The visit measures `keys` (None: every one) per calendar month of
    `year`: key -> twelve counts, January first. One query grouped by month,
    outcome and reason (at most 12 × outcomes × reasons rows, whatever the
    number of visits); each figure sums the rows its VisitCount matches, so
    the twelve add up to the measure's count for the year."""
    keys = list(VISIT_COUNTS if keys is None else keys)
    grouped = (
        visits(unit)
        .filter(Year(year).times("visited_at"))
        .annotate(month=ExtractMonth("visited_at", tzinfo=timezone.get_current_timezone()))
        .values("month", "outcome", "cancel_reason")
        .annotate(all_visits=Count("visited_at"), young_visits=Count("visited_at", filter=young_adult_visits()))
        .order_by()
    )
    # Visits per month and kind of row (age group, outcome, reason); which
    # kinds a measure counts is decided once per kind, not per month.
    per_month = defaultdict(lambda: defaultdict(int))
    kinds = {}
    for row in _split_by_age(grouped, "month"):
        kind = (row["young"], row["outcome"], row["cancel_reason"])
        kinds[kind] = row
        per_month[row["month"]][kind] += row["visits"]
    counts = {}
    for key in keys:
        matching = [kind for kind, row in kinds.items() if VISIT_COUNTS[key].matches(row)]
        counts[key] = [sum(per_month[month][kind] for kind in matching) for month in MONTHS]
    return counts
