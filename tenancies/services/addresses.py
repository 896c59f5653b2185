"""Where a client is to be found: the one answer to "where do we go?".

A bolots visits the client where they live *now*. For a client in one of
the programme's apartments that is the current tenancy's apartment, not the
registered address (folkbokföringsadress) on the client record, which may
lag behind a move-in. This module gives both, for one client or for a list
of them in one query, so Min dag, the order page and the visit pages
cannot disagree about the address (issue 12 §2).

It lives in tenancies because it reads tenancies; referrals sits below and
cannot. It decides nothing about protected personal data: callers ask
referrals.protection before showing either address.

The registered address itself changes with a move-in (services.moves,
`register_move_in_address`), with history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from ..models import Tenancy

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from django.db.models import QuerySet

    from referrals.models import Client

    from ..models import Apartment


@dataclass(frozen=True)
class Address:
    street: str
    postal_code: str = ""
    city: str = ""

    def __str__(self) -> str:
        place = " ".join(part for part in (self.postal_code, self.city) if part)
        return ", ".join(part for part in (self.street, place) if part)


@dataclass(frozen=True)
class VisitAddress:
    """Where to go (`visit`) and the registered address (`registered`);
    either may be None when nothing is recorded."""

    visit: Address | None
    registered: Address | None
    # The visit address is the current tenancy's apartment.
    from_tenancy: bool = False

    @property
    def differs(self) -> bool:
        """Is the registered address another place than where to go?"""
        return self.from_tenancy and self.registered != self.visit


def registered_address(client: Client) -> Address | None:
    if not client.street_address:
        return None
    return Address(client.street_address, client.postal_code, client.city)


def apartment_address(apartment: Apartment, municipality: str) -> Address:
    """An apartment's postal address. Apartments record no postal town: they
    lie in their unit's municipality, which stands in for it."""
    return Address(apartment.street_address, apartment.postal_code, municipality)


def _current(day: date) -> Q:
    # Held on `day`: a planned move-in counts from its date, the move-out
    # day is still the tenant's (the KPIs' convention, TenancyQuerySet.held_on).
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def _visit_address(client: Client, apartment: Address | None) -> VisitAddress:
    """THE rule: the current tenancy's apartment when there is one, else
    the registered address."""
    registered = registered_address(client)
    if apartment is not None:
        return VisitAddress(apartment, registered, from_tenancy=True)
    return VisitAddress(registered, registered)


def visit_addresses(clients: Iterable[Client], day: date | None = None) -> dict[int, VisitAddress]:
    """{client id: VisitAddress} for `clients` (already read), in one query
    whatever their number: the apartment of the tenancy held on `day`
    (today) when there is one, else the registered address."""
    clients = [client for client in clients if client is not None]
    day = day or timezone.localdate()
    apartments = {}
    if clients:
        rows = (
            Tenancy.objects.filter(_current(day), client_id__in={client.pk for client in clients})
            .order_by("start_date", "id")
            .values_list("client_id", *APARTMENT_VALUES)
        )
        # One tenancy per client at a time (tenancies_tenancy_one_active_per_client);
        # on the day of an internal move the later one wins.
        apartments = {client_id: Address(street, postal, town) for client_id, street, postal, town in rows}
    return {client.pk: _visit_address(client, apartments.get(client.pk)) for client in clients}


APARTMENT_VALUES = ("apartment__street_address", "apartment__postal_code", "apartment__unit__municipality")
ANNOTATIONS = ("current_apartment_street", "current_apartment_postal_code", "current_apartment_city")


def with_visit_address(queryset: QuerySet, client_id: str = "client_id", day: date | None = None) -> QuerySet:
    """For lists read in one query (Min dag): annotate each row of
    `queryset` with its client's current apartment (ANNOTATIONS; None
    without a tenancy held on `day`), to be read by visit_address_of_row().
    `client_id` is the path to the client's id ("pk" on clients).
    No query of its own."""
    day = day or timezone.localdate()
    current = Tenancy.objects.filter(_current(day), client_id=OuterRef(client_id)).order_by(
        "-start_date", "-id"
    )
    return queryset.annotate(**{
        name: Subquery(current.values(value)[:1]) for name, value in zip(ANNOTATIONS, APARTMENT_VALUES, strict=True)
    })


def visit_address_of_row(row: object, client: Client) -> VisitAddress:
    """The VisitAddress of `client` from a row annotated by with_visit_address()."""
    street, postal, town = (getattr(row, name) for name in ANNOTATIONS)
    return _visit_address(client, Address(street, postal or "", town or "") if street else None)


def visit_address(client: Client, day: date | None = None) -> VisitAddress:
    """The VisitAddress of one client (one query)."""
    return visit_addresses([client], day)[client.pk]


def order_panel_context(request, order) -> dict:
    """The order page's address panel (TenanciesConfig.order_panels): the
    VisitAddress of the order's client, or None when there is no client or
    the user may not see where they live (referrals.protection): then no
    address is read for the page at all."""
    from referrals import protection

    client = order.client if order.client_id else None
    if client is None or not protection.may_see_whereabouts(request.user, client):
        return {"visit_address": None}
    return {"visit_address": visit_address(client)}
