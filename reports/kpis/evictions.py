"""KPI 2 (fewer evictions) and KPI 3 (active outreach).

KPI 2: one aggregate over the eviction notices plus one small query for the
enforcement authority's figures typed in per municipality and year. KPI 3:
one aggregate over the orders. Orders are "sent in Y" by their sending time
in Swedish time (an order sent at 23:30 on New Year's Eve belongs to the old
year).
"""

from django.db.models import F, Q, Sum
from django.utils.translation import gettext_lazy as _

from referrals.models import EvictionNotice, NoticeOutcome, Order, OrderKind
from referrals.models.orders import FIRST_VISIT_WITHIN
from reports.models import EnforcementFigures

from .common import Measure, Year, aggregate_measures, count_figure, register, share, unit_filter, unit_key
from .result import Figure, KpiResult

# --- KPI 2 ------------------------------------------------------------------------------


def notices(unit=None):
    return EvictionNotice.objects.filter(unit_filter(unit, "unit"))


def received_in(year):
    return Year(year).dates("received_on")


def _prevention_order():
    """The notice has an eviction-prevention order: an uncorrelated set of
    notice ids, built once per query (a lookup per notice also pushed the
    aggregate's estimated cost over PostgreSQL's JIT threshold)."""
    return Q(pk__in=Order.objects.filter(kind=OrderKind.EVICTION_PREVENTION).values("eviction_notice"))


def evicted(year):
    return received_in(year) & Q(outcome=NoticeOutcome.EVICTED)


N = register(
    Measure("kpi2.notices", _("Eviction notices received"), "notice", notices, received_in),
    Measure(
        "kpi2.with_order", _("Of them, with an eviction-prevention order"), "notice",
        notices, lambda y: received_in(y) & _prevention_order(),
    ),
    Measure("kpi2.evicted", _("Of them, ended in eviction"), "notice", notices, evicted),
)

# Not on the dashboard as a figure (so not a record list): the eviction
# notices chart's second series, month by month with kpi2.notices
# (reports.charts.eviction_notices_data).
WITH_CHILDREN = Measure(
    "charts.notices_with_children", _("Of which households with children"), "notice",
    notices, lambda y: received_in(y) & Q(children_count__gt=0),
)

KPI2_GOAL = _("The number of evictions in the municipality decreases.")
KPI2_TARGET = _("fewer than the year before")
KPI2_DEFINITION = _(
    "Eviction notices received during the year; how many of them got an eviction-prevention order (whenever "
    "it was sent); how many of them ended in eviction, with or without an order, and the children in those "
    "households. The target is met when fewer of the year's notices ended in eviction than of the previous "
    "year's, or none did. The enforcement authority's applications for eviction, executed evictions and "
    "children affected in the municipality are entered by a manager per year."
)


def _enforcement(year, unit):
    """{year: (applications, executed, children)} for Y and Y−1; a year
    without entered figures is missing. National (unit None): the sum over
    the municipalities that entered figures for the year."""
    figures = EnforcementFigures.objects.filter(year__in=(year, year - 1))
    if unit is not None:
        figures = figures.filter(municipality=unit.municipality)
    rows = (
        figures
        .values("year")
        .annotate(
            applications=Sum("eviction_applications"),
            executed=Sum("executed_evictions"),
            children=Sum("children_affected"),
        )
        .order_by()
    )
    return {row["year"]: (row["applications"], row["executed"], row["children"]) for row in rows}


def compute_kpi2(year, unit=None):
    counts, extra = aggregate_measures(
        notices(unit), list(N.values()), year,
        scope=Q(received_on__gte=Year(year - 1).first, received_on__lte=Year(year).last),
        cache_key=("kpi2", unit_key(unit)),
        children=Sum("children_count", filter=evicted(year)),
        children_previous=Sum("children_count", filter=evicted(year - 1)),
    )
    enforcement = _enforcement(year, unit)
    missing = (None, None, None)
    now, before = enforcement.get(year, missing), enforcement.get(year - 1, missing)
    value, previous = counts[("kpi2.evicted", year)], counts[("kpi2.evicted", year - 1)]
    figures = (
        count_figure(N["kpi2.notices"], counts, year),
        count_figure(N["kpi2.with_order"], counts, year),
        count_figure(N["kpi2.evicted"], counts, year),
        Figure(
            key="kpi2.children", label=_("Children in the evicted households"),
            value=extra["children"] or 0, previous=extra["children_previous"] or 0, drilldown="kpi2.evicted",
        ),
        Figure(
            key="kpi2.enforcement_applications", label=_("Applications for eviction (enforcement authority)"),
            value=now[0], previous=before[0],
        ),
        Figure(
            key="kpi2.enforcement_executed", label=_("Executed evictions (enforcement authority)"),
            value=now[1], previous=before[1],
        ),
        Figure(
            key="kpi2.enforcement_children", label=_("Children affected (enforcement authority)"),
            value=now[2], previous=before[2],
        ),
    )
    return KpiResult(
        number=2, key="kpi2", goal=KPI2_GOAL, target=KPI2_TARGET, definition=KPI2_DEFINITION,
        value=value, previous=previous, kind="count", met=value == 0 or value < previous,
        drilldown="kpi2.evicted", figures=figures,
    )


# --- KPI 3 ------------------------------------------------------------------------------

EARLY_KINDS = OrderKind.with_48_hour_rule()


def orders(unit=None):
    return Order.objects.filter(unit_filter(unit, "unit"))


def sent_in(year, kinds=EARLY_KINDS):
    return Year(year).times("sent_at") & Q(kind__in=kinds)


def sent_in_two_years(year):
    """Orders of the KPI 3 kinds sent in Y−1 or Y (a sargable pre-filter on
    the index referrals_order_kind_sent_idx)."""
    return Q(kind__in=EARLY_KINDS, sent_at__gte=Year(year - 1).starts_at, sent_at__lt=Year(year).ends_before)


# The first visit attempt (Order.first_visit_at: the earliest visit done or
# "nobody home", set by the bolots app) at most 48 hours after sending.
WITHIN_48_HOURS = Q(first_visit_at__lte=F("sent_at") + FIRST_VISIT_WITHIN)

ORDER_MEASURES = register(
    Measure("kpi3.orders", _("Outreach and eviction-prevention orders sent"), "order", orders, sent_in),
    Measure(
        "kpi3.outreach", _("Outreach orders"), "order", orders, lambda y: sent_in(y, [OrderKind.OUTREACH]),
    ),
    Measure(
        "kpi3.eviction_prevention", _("Eviction-prevention orders"), "order",
        orders, lambda y: sent_in(y, [OrderKind.EVICTION_PREVENTION]),
    ),
    Measure(
        "kpi3.within_48h", _("First visit attempt within 48 hours"), "order",
        orders, lambda y: sent_in(y) & WITHIN_48_HOURS,
    ),
    Measure(
        "kpi3.outreach_within_48h", _("Outreach orders with a first visit attempt within 48 hours"), "order",
        orders, lambda y: sent_in(y, [OrderKind.OUTREACH]) & WITHIN_48_HOURS,
    ),
    Measure(
        "kpi3.eviction_prevention_within_48h",
        _("Eviction-prevention orders with a first visit attempt within 48 hours"), "order",
        orders, lambda y: sent_in(y, [OrderKind.EVICTION_PREVENTION]) & WITHIN_48_HOURS,
    ),
)

KPI3_GOAL = _(
    "With active outreach, more residents get support for substance abuse, mental illness and homelessness, "
    "among other things."
)
KPI3_TARGET = _("more early contacts than the year before")
KPI3_DEFINITION = _(
    "Outreach and eviction-prevention orders sent during the year (Swedish time), by kind, and the share whose "
    "first visit attempt (a visit done, or nobody home and a note left) was made within 48 hours of sending. "
    "The target is met when more orders got a first visit attempt within 48 hours than the year before."
)


def compute_kpi3(year, unit=None):
    counts, _extra = aggregate_measures(
        orders(unit), list(ORDER_MEASURES.values()), year, scope=sent_in_two_years(year), cache_key=("kpi3", unit_key(unit))
    )
    early, total = counts[("kpi3.within_48h", year)], counts[("kpi3.orders", year)]
    early_before, total_before = counts[("kpi3.within_48h", year - 1)], counts[("kpi3.orders", year - 1)]
    return KpiResult(
        number=3, key="kpi3", goal=KPI3_GOAL, target=KPI3_TARGET, definition=KPI3_DEFINITION,
        value=share(early, total), previous=share(early_before, total_before), kind="percent",
        met=early > early_before,
        numerator=early, denominator=total, previous_numerator=early_before, previous_denominator=total_before,
        drilldown="kpi3.within_48h",
        figures=tuple(count_figure(measure, counts, year) for measure in ORDER_MEASURES.values()),
    )

