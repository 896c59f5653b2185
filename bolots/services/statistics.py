"""Visit and cancellation statistics per month (seed 003: why are home
visits cancelled, and do young adults cancel more?).

Definitions, printed on the page as well:

- planned: every logged visit, whatever its outcome;
- done: outcome "done";
- cancelled: every other outcome (cancelled by the client, no-show,
  cancelled by staff, nobody home), each also counted on its own;
- reasons: the cancellation reason of each cancelled visit; cancellations
  without one (a no-show, nobody home) are counted as "no reason given";
- young adults: 18–25 years old on the day of the visit (Visit.client_age,
  inclusive); "other visits" are all the rest, including visits where no
  age is known (an outreach attempt to someone without a client file).

A month is a calendar month in Swedish time, whatever the database stores
(UTC): a visit on 1 February at 00:30 belongs to February although it is
still 31 January in UTC, and one on 1 January at 00:30 to the new year.
Everything is counted by the database in one grouped query (conditional
counts over TruncMonth): no visit is read into Python, so the cost and the
number of queries do not grow with the visits.
"""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from referrals.models import Order

from ..models import CancelReason, Visit, VisitOutcome

TZ = ZoneInfo(settings.TIME_ZONE)
YOUNG_ADULT_AGES = (18, 25)
YOUNG_ADULTS = "young_adults"
OTHERS = "others"
ALL = "all"
GROUPS = (YOUNG_ADULTS, OTHERS, ALL)
MONTHS = range(1, 13)


def young_adult_visits():
    low, high = YOUNG_ADULT_AGES
    return Q(client_age__gte=low, client_age__lte=high)


@dataclass
class Figures:
    """The counts of one group in one month (or the whole year)."""

    planned: int = 0
    outcomes: dict = field(default_factory=lambda: dict.fromkeys(VisitOutcome.values, 0))
    reasons: dict = field(default_factory=lambda: dict.fromkeys(CancelReason.values, 0))

    @property
    def done(self):
        return self.outcomes[VisitOutcome.DONE]

    @property
    def cancelled(self):
        return sum(self.outcomes[outcome] for outcome in VisitOutcome.cancellations())

    @property
    def cancelled_share(self):
        """Cancelled / planned, 0–1; None when nothing was planned."""
        return self.cancelled / self.planned if self.planned else None

    @property
    def without_reason(self):
        return self.cancelled - sum(self.reasons.values())

    def share_of_cancelled(self, count):
        return count / self.cancelled if self.cancelled else None

    def outcome_counts(self):
        """The cancellation outcomes in the model's order: [(label, n)]."""
        return [(outcome.label, self.outcomes[outcome]) for outcome in VisitOutcome.cancellations()]

    def reason_counts(self):
        """[(label, n, share of the cancellations)] in the list's order."""
        return [
            (reason.label, self.reasons[reason], self.share_of_cancelled(self.reasons[reason]))
            for reason in CancelReason
        ]

    @property
    def without_reason_share(self):
        return self.share_of_cancelled(self.without_reason)

    def __add__(self, other):
        return Figures(
            planned=self.planned + other.planned,
            outcomes={key: value + other.outcomes[key] for key, value in self.outcomes.items()},
            reasons={key: value + other.reasons[key] for key, value in self.reasons.items()},
        )

    def __sub__(self, other):
        return Figures(
            planned=self.planned - other.planned,
            outcomes={key: value - other.outcomes[key] for key, value in self.outcomes.items()},
            reasons={key: value - other.reasons[key] for key, value in self.reasons.items()},
        )


@dataclass
class CancellationStatistics:
    year: int
    # group -> {month number 1–12: Figures}
    months: dict
    # group -> Figures for the whole year
    totals: dict

    def monthly(self, group):
        """[(month number, Figures)] for January to December."""
        return [(month, self.months[group][month]) for month in MONTHS]


def _metrics():
    """Alias -> condition for every count the page shows, for all visits
    and for young adults; the others are the difference."""
    conditions = {"planned": Q()}
    for outcome in VisitOutcome.values:
        conditions[f"outcome_{outcome}"] = Q(outcome=outcome)
    for reason in CancelReason.values:
        # Only cancellations carry a reason (a constraint keeps it off done visits).
        conditions[f"reason_{reason}"] = Q(cancel_reason=reason)
    young = young_adult_visits()
    return {
        **{f"all__{name}": condition for name, condition in conditions.items()},
        **{f"young__{name}": condition & young for name, condition in conditions.items()},
    }


def _figures(row, prefix):
    return Figures(
        planned=row[f"{prefix}__planned"],
        outcomes={outcome: row[f"{prefix}__outcome_{outcome}"] for outcome in VisitOutcome.values},
        reasons={reason: row[f"{prefix}__reason_{reason}"] for reason in CancelReason.values},
    )


def year_bounds(year):
    """1 January 00:00 of `year` and of the next, Swedish time."""
    return datetime(year, 1, 1, tzinfo=TZ), datetime(year + 1, 1, 1, tzinfo=TZ)


def unit_visits(unit_id):
    """The visits on a unit's orders. A user without a unit sees none."""
    if unit_id is None:
        return Visit.objects.none()
    return Visit.objects.filter(order__unit_id=unit_id)


def cancellation_statistics(unit_id, year):
    """The unit's visits per month of `year`: one query."""
    start, end = year_bounds(year)
    aggregates = {
        alias: Count("id", filter=condition) if condition else Count("id")
        for alias, condition in _metrics().items()
    }
    rows = (
        unit_visits(unit_id)
        .filter(visited_at__gte=start, visited_at__lt=end)
        .annotate(month=TruncMonth("visited_at", tzinfo=TZ))
        .values("month")
        .annotate(**aggregates)
        .order_by("month")
    )
    months = {group: {month: Figures() for month in MONTHS} for group in GROUPS}
    for row in rows:
        month = timezone.localtime(row["month"], TZ).month
        everyone, young = _figures(row, "all"), _figures(row, "young")
        months[ALL][month] = everyone
        months[YOUNG_ADULTS][month] = young
        months[OTHERS][month] = everyone - young
    totals = {group: sum(months[group].values(), Figures()) for group in GROUPS}
    return CancellationStatistics(year=year, months=months, totals=totals)


def first_year_with_visits(unit_id):
    """The year of the unit's earliest visit, or None: one query.

    Asked per order (each a lookup in the order/visit-time index) and then
    the least of those: a plain MIN over the unit's visits lets PostgreSQL
    walk the whole time index until it meets one of the unit's visits,
    which took 0.4 s at national scale.
    """
    if unit_id is None:
        return None
    earliest_per_order = Subquery(
        Visit.objects.filter(order_id=OuterRef("pk")).order_by("visited_at").values("visited_at")[:1]
    )
    first = (
        Order.objects.filter(unit_id=unit_id)
        .annotate(first_visit=earliest_per_order)
        .aggregate(first=Min("first_visit"))["first"]
    )
    return timezone.localtime(first, TZ).year if first else None
