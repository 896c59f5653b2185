"""KPI 8: caseload per bolots.

A bolots's caseload in Y: the bolots-support orders on which they are the
active bolots and which, at the end of 31 December Y (Swedish time), had been
accepted and were neither completed nor cancelled; plus the outreach and
eviction-prevention orders sent in Y on which they are the active bolots
(whatever became of them). The passive (second) bolots is not counted. The
unit's average is over the bolotsar with a caseload of at least one.
"""

from decimal import Decimal
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.db.models.expressions import Combinable
from django.utils.translation import gettext_lazy as _

from referrals.models import OrderKind

from .common import Measure, Year, count_figure, one_decimal, register, unit_filter
from .evictions import orders, sent_in, sent_in_two_years
from .result import Figure, KpiResult

LOW, HIGH = 35, 45


def open_support(year):
    end = Year(year).ends_before
    return (
        Q(kind=OrderKind.BOLOTS_SUPPORT, active_pilot__isnull=False, accepted_at__lt=end)
        & (Q(completed_at__isnull=True) | Q(completed_at__gte=end))
        & (Q(cancelled_at__isnull=True) | Q(cancelled_at__gte=end))
    )


def early_orders(year):
    return sent_in(year) & Q(active_pilot__isnull=False)


def caseload(year):
    return open_support(year) | early_orders(year)


def two_years(year):
    """Every order counted for Y or Y−1 meets this (a sargable pre-filter)."""
    end, previous_end = Year(year).ends_before, Year(year - 1).ends_before
    support = (
        Q(kind=OrderKind.BOLOTS_SUPPORT, accepted_at__lt=end)
        & (Q(completed_at__isnull=True) | Q(completed_at__gte=previous_end))
        & (Q(cancelled_at__isnull=True) | Q(cancelled_at__gte=previous_end))
    )
    return support | sent_in_two_years(year)


M = register(
    Measure("kpi8.caseload", _("Orders in the bolotsar's caseload"), "order", orders, caseload),
    Measure("kpi8.support", _("Bolots-support orders under way on 31 December"), "order", orders, open_support),
    Measure("kpi8.outreach", _("Outreach and eviction-prevention orders sent during the year"), "order",
            orders, early_orders),
)

KPI8_GOAL = _("Each bolots has 35–45 clients plus occasional outreach and eviction-prevention cases.")
KPI8_TARGET = _("35–45 per bolots")
KPI8_DEFINITION = _(
    "Per bolots: the bolots-support orders on which they are the active bolots and which on 31 December had "
    "been accepted and were neither completed nor cancelled, plus the outreach and eviction-prevention orders "
    "sent during the year on which they were the active bolots. The unit's average is taken over the bolotsar "
    "with at least one such order; the target is met when it is between 35 and 45."
)


class CaseloadRow(NamedTuple):
    name: str
    support: int
    outreach: int
    total: int


def _through(condition, relation):
    """`condition` on orders as seen from a related model: every lookup
    behind `relation` (plain values only)."""
    children = []
    for child in condition.children:
        if isinstance(child, Q):
            children.append(_through(child, relation))
        else:
            lookup, value = child
            if isinstance(value, Combinable):
                raise TypeError(f"{lookup}: expressions are not rewritten")
            children.append((f"{relation}__{lookup}", value))
    return Q(*children, _connector=condition.connector, _negated=condition.negated)


ORDERS = "orders_active"  # Order.active_pilot's related name


def caseload_per_pilot(year, unit=None):
    """[(name, bolots support, outreach + eviction prevention, total)], one
    grouped query, by name. Grouped by the bolots (the user's id) and then
    sorted: the few hundred groups are sorted by name rather than every
    counted order."""
    counted = _through(caseload(year) & unit_filter(unit, "unit"), ORDERS)
    rows = (
        get_user_model().objects
        .filter(counted)
        .annotate(
            kpi_support=Count(ORDERS, filter=_through(open_support(year), ORDERS)),
            kpi_outreach=Count(ORDERS, filter=_through(early_orders(year), ORDERS)),
            kpi_total=Count(ORDERS),
        )
        .order_by("last_name", "first_name", "pk")
        .values_list("first_name", "last_name", "username", "kpi_support", "kpi_outreach", "kpi_total")
    )
    return [
        CaseloadRow(
            name=f"{first_name} {last_name}".strip() or username, support=support, outreach=outreach, total=total
        )
        for first_name, last_name, username, support, outreach, total in rows
    ]


def _counts_by_pilot(year, unit):
    """The measures for Y and Y−1, and the number of bolotsar with a
    caseload in each year, from one query grouped by the active bolots: a
    few hundred rows summed here rather than two COUNT(DISTINCT …) over
    every order, which the database would have to sort."""
    measures = list(M.values())
    columns = {f"m{index}_{y}": measure.count(y) for index, measure in enumerate(measures) for y in (year, year - 1)}
    rows = list(orders(unit).filter(two_years(year)).values("active_pilot").annotate(**columns).order_by())
    counts = {
        (measure.key, y): sum(row[f"m{index}_{y}"] for row in rows)
        for index, measure in enumerate(measures)
        for y in (year, year - 1)
    }
    caseload_index = measures.index(M["kpi8.caseload"])
    pilots = {
        y: sum(1 for row in rows if row["active_pilot"] is not None and row[f"m{caseload_index}_{y}"])
        for y in (year, year - 1)
    }
    return counts, pilots


def compute(year, unit=None):
    counts, pilot_counts = _counts_by_pilot(year, unit)
    total, total_before = counts[("kpi8.caseload", year)], counts[("kpi8.caseload", year - 1)]
    pilots, pilots_before = pilot_counts[year], pilot_counts[year - 1]
    average = one_decimal(Decimal(total) / pilots) if pilots else None
    average_before = one_decimal(Decimal(total_before) / pilots_before) if pilots_before else None
    figures = (
        count_figure(M["kpi8.support"], counts, year),
        count_figure(M["kpi8.outreach"], counts, year),
        count_figure(M["kpi8.caseload"], counts, year),
        Figure(key="kpi8.pilots", label=_("Bolotsar with a caseload"), value=pilots, previous=pilots_before),
    )
    return KpiResult(
        number=8, key="kpi8", goal=KPI8_GOAL, target=KPI8_TARGET, definition=KPI8_DEFINITION,
        value=average, previous=average_before, kind="count",
        met=None if average is None else LOW <= average <= HIGH,
        numerator=total, denominator=pilots, previous_numerator=total_before, previous_denominator=pilots_before,
        drilldown="kpi8.caseload", figures=figures,
    )
