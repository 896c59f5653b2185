"""Visits and cancellations per month of a year, by age group: the figures
of the cancellations page and of the yearly PDF's visits and cancellations
(seed 003: why are home visits cancelled, and do young adults cancel
more?).

Every count is a visit measure of the KPI engine (visits.py), month by
month from one grouped query; this module only arranges them as the page
and the PDF show them: per age group (young adults 18–25, the others,
everyone), twelve months and the year.
"""

from dataclasses import dataclass, field

from bolots.models import CancelReason, VisitOutcome

from . import visits
from .visits import MONTHS, visit_key

# The page's group keys (also its HTML ids) and the measures' age groups.
YOUNG_ADULTS = "young_adults"
OTHERS = "others"
ALL = "all"
GROUPS = (YOUNG_ADULTS, OTHERS, ALL)
MEASURE_GROUPS = {YOUNG_ADULTS: visits.YOUNG, OTHERS: visits.OTHERS, ALL: visits.ALL}


@dataclass
class Figures:
    """The counts of one group in one month (or the whole year)."""

    planned: int = 0
    outcomes: dict = field(default_factory=lambda: dict.fromkeys(VisitOutcome.values, 0))
    reasons: dict = field(default_factory=lambda: dict.fromkeys(CancelReason.values, 0))

    @classmethod
    def of_month(cls, counts: dict[str, list[int]], group: str, month: int) -> "Figures":
        """The group's figures in `month` from visits.monthly_counts."""
        measure_group = MEASURE_GROUPS[group]

        def count(name):
            return counts[visit_key(measure_group, name)][month - 1]

        outcomes = {VisitOutcome.DONE.value: count("done")}
        outcomes.update({outcome: count(f"outcome_{outcome}") for outcome in VisitOutcome.cancellations()})
        return cls(
            planned=count("planned"),
            outcomes={outcome: outcomes[outcome] for outcome in VisitOutcome.values},
            reasons={reason: count(f"reason_{reason}") for reason in CancelReason.values},
        )

    @property
    def done(self) -> int:
        return self.outcomes[VisitOutcome.DONE]

    @property
    def cancelled(self) -> int:
        return sum(self.outcomes[outcome] for outcome in VisitOutcome.cancellations())

    @property
    def cancelled_share(self) -> float | None:
        """Cancelled / planned, 0–1; None when nothing was planned."""
        return self.cancelled / self.planned if self.planned else None

    @property
    def without_reason(self) -> int:
        """Cancellations without a reason: the measure "no_reason", as the
        cancellations less those with one."""
        return self.cancelled - sum(self.reasons.values())

    def share_of_cancelled(self, count: int) -> float | None:
        return count / self.cancelled if self.cancelled else None

    def outcome_counts(self) -> list[tuple]:
        """The cancellation outcomes in the model's order: [(label, n)]."""
        return [(outcome.label, self.outcomes[outcome]) for outcome in VisitOutcome.cancellations()]

    def reason_counts(self) -> list[tuple]:
        """[(label, n, share of the cancellations)] in the list's order."""
        return [
            (reason.label, self.reasons[reason], self.share_of_cancelled(self.reasons[reason]))
            for reason in CancelReason
        ]

    @property
    def without_reason_share(self) -> float | None:
        return self.share_of_cancelled(self.without_reason)

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(
            planned=self.planned + other.planned,
            outcomes={key: value + other.outcomes[key] for key, value in self.outcomes.items()},
            reasons={key: value + other.reasons[key] for key, value in self.reasons.items()},
        )


@dataclass
class CancellationStatistics:
    year: int
    # group -> {month number 1–12: Figures}
    months: dict
    # group -> Figures for the whole year (the months added up: they
    # partition the year, so each is the measure's count for the year)
    totals: dict

    def monthly(self, group: str) -> list[tuple[int, Figures]]:
        """[(month number, Figures)] for January to December."""
        return [(month, self.months[group][month]) for month in MONTHS]


def _arranged(year: int, counts: dict[str, list[int]] | None) -> CancellationStatistics:
    months = {
        group: {month: Figures.of_month(counts, group, month) if counts else Figures() for month in MONTHS}
        for group in GROUPS
    }
    totals = {group: sum(months[group].values(), Figures()) for group in GROUPS}
    return CancellationStatistics(year=year, months=months, totals=totals)


def monthly_figures(year: int, unit=None) -> CancellationStatistics:
    """The visits of `year` per month and age group: one query. `unit` is a
    Unit or its id; None counts every unit (the national figures)."""
    return _arranged(year, visits.monthly_counts(year, unit))


def no_figures(year: int) -> CancellationStatistics:
    """Zeros throughout, without a query (a user without a unit sees no
    visits)."""
    return _arranged(year, None)
