"""The cancellations page's figures: the visits on the user's unit's orders
per month of a year, from the KPI engine (reports.kpis.cancellations, the
same measures as the dashboard and the PDF), and the years to choose from.

The page lives in reports, not bolots, because its figures are the KPI
engine's and bolots may not import reports (the layers point one way).
"""

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Min, OuterRef, Subquery
from django.utils import timezone

from bolots.models import Visit
from referrals.models import Order

from ..kpis.cancellations import CancellationStatistics, monthly_figures, no_figures


def cancellation_statistics(unit_id: int | None, year: int) -> CancellationStatistics:
    """The unit's visits per month of `year`: one query. A user without a
    unit sees none (None is not "every unit" here, as it is to the
    engine)."""
    if unit_id is None:
        return no_figures(year)
    return monthly_figures(year, unit_id)


# Bump when CancellationStatistics changes shape: old cache entries are then ignored.
KEPT_LAYOUT = 1


def running_or_live_statistics(unit_id: int | None, year: int) -> tuple[CancellationStatistics, datetime | None]:
    """(figures, when they were counted) for the page. The running year's
    figures are preliminary and are kept in the shared cache for
    RUNNING_YEAR_CACHE_SECONDS per unit and day, as the running year's
    dashboard figures are (reports.running_year): the page's one grouped
    query over the unit's visits is the dearest of the managers' daily
    pages (docs/performance.md "Throughput under load"). Closed years, and
    every year with the keeping turned off (0, the test settings), are
    counted on each request: counted_at is then None. Aggregates only, no
    personal data, in the cache."""
    seconds = settings.RUNNING_YEAR_CACHE_SECONDS
    today = timezone.localdate()
    if unit_id is None or seconds <= 0 or year != today.year:
        return cancellation_statistics(unit_id, year), None
    key = f"reports:cancellations:{KEPT_LAYOUT}:{unit_id}:{year}:{today.isoformat()}"
    kept = cache.get(key)
    if kept is not None:
        return kept
    kept = (cancellation_statistics(unit_id, year), timezone.now())
    cache.set(key, kept, seconds)
    return kept


def first_year_with_visits(unit_id: int | None) -> int | None:
    """The year of the unit's earliest visit, or None: one query.

    Asked per order (each a lookup in the order/visit-time index) and then
    the least of those: a plain MIN over the unit's visits lets PostgreSQL
    walk the whole time index until it meets one of the unit's visits,
    which took 0.4 s at national scale.
    """
    if unit_id is None:
        return None
    earliest_per_order = Subquery(
        Visit.objects.effective().filter(order_id=OuterRef("pk")).order_by("visited_at").values("visited_at")[:1]
    )
    first = (
        Order.objects.filter(unit_id=unit_id)
        .annotate(first_visit=earliest_per_order)
        .aggregate(first=Min("first_visit"))["first"]
    )
    return timezone.localtime(first).year if first else None
