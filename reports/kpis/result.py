"""What the KPI engine hands to the dashboard, the exports and the PDF.

Plain frozen dataclasses so that every consumer (HTML, CSV/XLSX, PDF) shows
the same numbers: nothing downstream recomputes a figure.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext as _

Number = int | Decimal | None
# How a value is formatted: a plain count, a percentage (0–100), days,
# kronor or years.
ValueKind = Literal["count", "percent", "days", "kr", "years"]


@dataclass(frozen=True)
class Figure:
    """One figure with its value for Y and Y−1.

    `drilldown` is the key of the record list behind the figure
    (reports.kpis.records.RECORD_LISTS) or None when there is no such list
    (typed-in figures, averages).
    """

    key: str
    label: str
    value: Number
    previous: Number
    kind: ValueKind = "count"
    drilldown: str | None = None


@dataclass(frozen=True)
class KpiResult:
    """One goal (KPI 1–8 in DOMAIN.md) for year Y.

    `value`/`previous` is the headline figure (a share in percent where the
    goal is a share); `numerator`/`denominator` are given where there are
    ones. `met` is None when the goal has no pass mark ("reported") or
    cannot be judged (no denominator, no Y−1 to compare with).
    """

    number: int
    key: str
    goal: str
    target: str
    definition: str
    value: Number
    previous: Number
    kind: ValueKind
    met: bool | None
    numerator: int | None = None
    denominator: int | None = None
    previous_numerator: int | None = None
    previous_denominator: int | None = None
    drilldown: str | None = None
    figures: tuple[Figure, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class FigureSection:
    """A group of the additional figures ("also reported" in DOMAIN.md)."""

    key: str
    title: str
    figures: tuple[Figure, ...]


def preliminary_until(year: int, today: date | None = None) -> date | None:
    """Today when `year` is the running year (its figures are preliminary and
    count up to and including today), None for a closed year."""
    today = today or timezone.localdate()
    return today if year >= today.year else None


def preliminary_label(until: date) -> str:
    """"Preliminärt, t.o.m. 2026-12-06": the mark of the running year."""
    return _("Preliminary, up to and including %(date)s") % {"date": until.strftime("%Y-%m-%d")}


def met_label(met: bool | None, until: date | None = None) -> str:
    """How a KpiResult's `met` reads on the dashboard, in the PDF and the
    exports. A goal is judged only for a closed year: for the running year
    (`until` given) the label says the figures are preliminary instead."""
    if until is not None:
        return preliminary_label(until)
    if met is None:
        return _("Not judged")
    return _("Met") if met else _("Not met")
