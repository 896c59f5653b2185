"""The volumes of the yearly evaluation ("The operation in figures"): the
tenants and clients served and the orders sent, each for Y and Y−1, and the
bolotsar of the unit.

Measures like every other figure of the engine, counted in one aggregate
query per base (tenancies, orders). They are not on the dashboard, so they
are not registered as record lists (records.py lists exactly the
dashboard's figures); `Measure.records` still gives the records behind each
of them, and the tests check that it agrees with the figure.

- tenants: distinct clients with a tenancy held at some time in Y (of them
  those in a training apartment);
- clients with bolots support: distinct clients of bolots-support orders
  accepted before the end of Y and neither completed nor cancelled before
  it began;
- orders sent: orders whose `sent_at` falls in Y (Swedish time), by kind
  and in all.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from referrals.models import OrderKind

from .common import Measure, Year, aggregate_measures, count_figure, unit_filter, unit_key
from .evictions import orders
from .housing import TRAINING, clients, held_during, tenancies, two_years
from .result import Figure


def _keyed(*measures: Measure) -> dict[str, Measure]:
    return {measure.key: measure for measure in measures}


# --- Tenants ---------------------------------------------------------------------------


def tenants_in_training(year: int) -> Q:
    return held_during(year) & TRAINING


TENANT_MEASURES = _keyed(
    Measure("volumes.tenants", _("Tenants in the programme's apartments"), "client",
            tenancies, held_during, distinct="client", listed=clients),
    Measure("volumes.tenants_in_training", _("of whom in a training apartment"), "client",
            tenancies, tenants_in_training, distinct="client", listed=clients),
)


def tenant_volumes(year: int, unit=None) -> tuple[Figure, ...]:
    """Tenants and, of them, those in a training apartment: one query."""
    counts, _extra = aggregate_measures(
        tenancies(unit), list(TENANT_MEASURES.values()), year, scope=two_years(year),
        cache_key=("volumes.tenants", unit_key(unit)),
    )
    return tuple(count_figure(measure, counts, year, drilldown=False) for measure in TENANT_MEASURES.values())


# --- Clients with bolots support and orders sent ---------------------------------------------


def supported(year: int) -> Q:
    """A bolots-support order with a client under way at some time in Y."""
    y = Year(year)
    return (
        Q(kind=OrderKind.BOLOTS_SUPPORT, client__isnull=False, accepted_at__lt=y.ends_before)
        & (Q(completed_at__isnull=True) | Q(completed_at__gte=y.starts_at))
        & (Q(cancelled_at__isnull=True) | Q(cancelled_at__gte=y.starts_at))
    )


def sent(year: int) -> Q:
    return Year(year).times("sent_at")


def sent_of_kind(kind: str):
    def condition(year: int) -> Q:
        return sent(year) & Q(kind=kind)

    return condition


def order_scope(year: int) -> Q:
    """Every order counted for Y or Y−1 meets this (a sargable pre-filter):
    support under way in either year, or sent in either."""
    return supported(year) | supported(year - 1) | (sent(year - 1) | sent(year))


SUPPORT_MEASURE = Measure("volumes.supported_clients", _("Clients with bolots support"), "client",
                          orders, supported, distinct="client", listed=clients)
ORDER_MEASURES = _keyed(
    *(Measure(f"volumes.orders.{kind.value}", kind.label, "order", orders, sent_of_kind(kind.value))
      for kind in OrderKind),
    Measure("volumes.orders", _("All orders"), "order", orders, sent),
)


def order_volumes(year: int, unit=None) -> tuple[Figure, tuple[Figure, ...]]:
    """(clients with bolots support, the orders sent by kind and in all):
    one query."""
    measures = [SUPPORT_MEASURE, *ORDER_MEASURES.values()]
    counts, _extra = aggregate_measures(
        orders(unit), measures, year, scope=order_scope(year), cache_key=("volumes.orders", unit_key(unit)),
    )
    figures = [count_figure(measure, counts, year, drilldown=False) for measure in measures]
    return figures[0], tuple(figures[1:])


# --- Staff ---------------------------------------------------------------------------------


def pilot_count(unit=None) -> int:
    """Active bolotsar of the unit (of every unit for the national figure)."""
    return get_user_model().objects.with_role(Role.PILOT).filter(unit_filter(unit, "unit")).distinct().count()
