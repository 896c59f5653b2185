"""The rent of a tenancy on a day, its dated changes, and the arithmetic of
a month's rent (docs/rent.md, "The ledger").

The rent on a day is the newest RentRate whose valid_from is on or before
it; before the first rate, Tenancy.rent (set at move-in from the
apartment's rent charged); without one, the apartment's rent charged.

Rounding, written down once here:
- a percentage increase rounds the new monthly rent to whole kronor, half
  up (4 999,50 kr + 2 % = 5 099,49 kr → 5 099 kr), as rent is quoted;
- a part of a month (days of the month, Swedish practice) is
  monthly rent × days / days in the month, rounded to whole öre, half up.
"""

from __future__ import annotations

import calendar
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from audit.context import AuditContext
from audit.models import AccessAction, AccessLogEntry
from audit.services import log_access
from rent.models import RentIncrease, RentRate
from tenancies.models import Tenancy

RATE_OBJECT_TYPE = "rent.rentrate"


class RateError(ValueError):
    """A rate change refused; the message is the user's (Swedish)."""


# --- Reading -------------------------------------------------------------------------------


def base_rent(tenancy: Tenancy) -> int | None:
    """The rent before the first rate: the tenancy's, else the apartment's."""
    if tenancy.rent is not None:
        return tenancy.rent
    return tenancy.apartment.rent


def rates_by_tenancy(tenancy_ids: Iterable[int]) -> dict[int, list[tuple[date, int]]]:
    """All rates of the tenancies, in one query, each tenancy's in date order:
    {tenancy_id: [(valid_from, monthly_rent), …]}. The run reads them so."""
    found: dict[int, list[tuple[date, int]]] = defaultdict(list)
    ids = list(tenancy_ids)
    if not ids:
        return found
    rows = RentRate.objects.filter(tenancy_id__in=ids).order_by("tenancy_id", "valid_from")
    for tenancy_id, valid_from, monthly_rent in rows.values_list("tenancy_id", "valid_from", "monthly_rent"):
        found[tenancy_id].append((valid_from, monthly_rent))
    return found


def rent_from(rates: list[tuple[date, int]], base: int | None, day: date) -> int | None:
    """The rent on `day` given a tenancy's rates in date order and its base rent."""
    index = bisect_right([valid_from for valid_from, _ in rates], day)
    return rates[index - 1][1] if index else base


def rent_on(tenancy: Tenancy, day: date) -> int | None:
    """The monthly rent (öre) of `tenancy` on `day`; None when none is known."""
    rate = (
        RentRate.objects.filter(tenancy=tenancy, valid_from__lte=day).order_by("-valid_from")
        .values_list("monthly_rent", flat=True).first()
    )
    return rate if rate is not None else base_rent(tenancy)


# --- The month's arithmetic -------------------------------------------------------------------


def pro_rata(monthly_rent: int, days: int, days_in_month: int) -> int:
    """monthly_rent × days / days_in_month in whole öre, half up (integers only)."""
    return (2 * monthly_rent * days + days_in_month) // (2 * days_in_month)


@dataclass(frozen=True)
class RentPart:
    """One stretch of a month at one rent: its first and last day and what it costs.
    days is None for the whole month at one rent."""

    first: date
    last: date
    monthly_rent: int
    amount: int
    days: int | None
    days_in_month: int | None


def month_parts(
    period: date, start: date, end: date | None, rates: list[tuple[date, int]], base: int | None,
) -> list[RentPart]:
    """The rent of the month `period` for a tenancy from `start` to `end`
    (move-out day, inclusive), split where the rent changes inside the
    month: each stretch pays its own days of the month at its own rent. A
    whole month at one rent is one part without days."""
    days_in_month = calendar.monthrange(period.year, period.month)[1]
    month_end = period.replace(day=days_in_month)
    first = max(start, period)
    last = min(end, month_end) if end is not None else month_end
    if last < first:
        return []
    cuts = [first] + [valid_from for valid_from, _ in rates if first < valid_from <= last]
    parts = []
    for index, part_first in enumerate(cuts):
        part_last = cuts[index + 1] - timedelta(days=1) if index + 1 < len(cuts) else last
        monthly = rent_from(rates, base, part_first)
        if not monthly:
            continue
        days = (part_last - part_first).days + 1
        if days == days_in_month:
            parts.append(RentPart(part_first, part_last, monthly, monthly, None, None))
        else:
            parts.append(RentPart(part_first, part_last, monthly, pro_rata(monthly, days, days_in_month), days,
                                  days_in_month))
    return parts


def increased(rent: int, *, percent: Decimal | None = None, amount: int | None = None) -> int:
    """The rent after an increase: an amount is added as is; a percentage
    gives a new rent rounded to whole kronor, half up."""
    if amount is not None:
        return rent + amount
    kronor = (Decimal(rent) * (Decimal(100) + Decimal(percent)) / Decimal(10000)).quantize(
        Decimal(1), rounding=ROUND_HALF_UP)
    return int(kronor) * 100


# --- Writing ---------------------------------------------------------------------------------


def _log_created(ctx: AuditContext, rates: list[RentRate], clients: dict[int, object], note: str) -> None:
    """One access-log row per rate written, in one insert."""
    rows = []
    for rate in rates:
        client = clients[rate.tenancy_id]
        rows.append(AccessLogEntry(
            user=ctx.user, action=AccessAction.CREATE, client_id=client.pk, client_label=client.audit_label[:200],
            client_number=getattr(client, "personal_number", "") or "", object_type=RATE_OBJECT_TYPE,
            object_id=str(rate.pk), path=ctx.path, ip_address=ctx.ip_address, note=note,
        ))
    AccessLogEntry.objects.bulk_create(rows)


@transaction.atomic
def set_rate(ctx: AuditContext, tenancy: Tenancy, valid_from: date, monthly_rent: int, note: str = "") -> RentRate:
    """A new rent for one tenancy from `valid_from` (one by one)."""
    if valid_from < tenancy.start_date or (tenancy.end_date is not None and valid_from > tenancy.end_date):
        raise RateError(gettext("The date must fall within the tenancy."))
    if RentRate.objects.filter(tenancy=tenancy, valid_from=valid_from).exists():
        raise RateError(gettext("The tenancy already has a rent from this date."))
    try:
        with transaction.atomic():
            rate = RentRate.objects.create(
                tenancy=tenancy, valid_from=valid_from, monthly_rent=monthly_rent, note=note, created_by=ctx.user,
            )
    except IntegrityError:  # the same rate saved at the same moment
        raise RateError(gettext("The tenancy already has a rent from this date.")) from None
    log_access(ctx, AccessAction.CREATE, rate, client=tenancy.client)
    return rate


@transaction.atomic
def apply_increase(
    ctx: AuditContext, unit, apartment_kind: str, valid_from: date, *,
    percent: Decimal | None = None, amount: int | None = None,
) -> RentIncrease:
    """The yearly increase: one RentRate from `valid_from` for every tenancy
    of the unit's apartments of `apartment_kind` ("" = every kind) running
    on that day, from the rent it had the day before. A tenancy already
    given a rent from that very day (one by one) keeps it; one without any
    rent known is left out."""
    if (percent is None) == (amount is None):
        raise ValueError("An increase is a percentage or an amount, never both.")
    increase = RentIncrease.objects.create(
        unit=unit, apartment_kind=apartment_kind, valid_from=valid_from, percent=percent, amount=amount,
        created_by=ctx.user,
    )
    tenancies = Tenancy.objects.filter(apartment__unit=unit).held_on(valid_from).select_related("apartment", "client")
    if apartment_kind:
        tenancies = tenancies.filter(apartment__kind=apartment_kind)
    tenancies = list(tenancies)
    rates = rates_by_tenancy(t.pk for t in tenancies)
    made = []
    day_before = valid_from - timedelta(days=1)
    for tenancy in tenancies:
        own = rates.get(tenancy.pk, [])
        if any(day == valid_from for day, _ in own):
            continue
        before = rent_from(own, base_rent(tenancy), day_before)
        if before is None:
            continue
        made.append(RentRate(
            tenancy=tenancy, valid_from=valid_from, increase=increase, created_by=ctx.user,
            monthly_rent=increased(before, percent=percent, amount=amount),
        ))
    made = RentRate.objects.bulk_create(made)
    if made and made[0].pk is None:  # backends that do not return keys
        made = list(RentRate.objects.filter(increase=increase))
    _log_created(ctx, made, {t.pk: t.client for t in tenancies}, note="rent_increase")
    return increase

