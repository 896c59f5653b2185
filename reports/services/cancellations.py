"""The cancellations page's figures: the visits on the user's unit's orders
per month of a year, from the KPI engine (reports.kpis.cancellations, the
same measures as the dashboard and the PDF), and the years to choose from.

The page lives in reports, not bolots, because its figures are the KPI
engine's and bolots may not import reports (the layers point one way).
"""

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
