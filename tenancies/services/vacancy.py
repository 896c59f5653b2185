"""What an empty apartment costs (issue 12 §7).

The social services rent the apartment first-hand and pay the landlord the
first-hand rent whether or not anyone lives there (DOMAIN.md: "SF pays the
first-hand rent and charges the tenant"); while it is vacant nobody is
charged, so the whole first-hand rent (`Apartment.monthly_cost`, "monthly
cost to social services") is the unit's cost. The rent charged to tenants
(`Apartment.rent`) plays no part.

A month's rent is spread over the month's days: a vacant day costs the
monthly cost divided by the number of days of its calendar month (so
February's days cost more than July's, and a whole month costs exactly the
monthly cost). Both the first and the last day of the vacancy count, as
everywhere in the apartment register. Amounts are öre, rounded to the
nearest öre once, at the end.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction


@dataclass(frozen=True)
class VacancyCost:
    days: int  # vacant days from `since` up to and including today
    since_vacant: int | None  # öre, since the vacancy began; None without a monthly cost
    this_year: int | None  # öre, the part of the vacancy in today's calendar year


def _cost(monthly_cost: int, first: date, last: date) -> Fraction:
    """The exact cost of the days first..last (inclusive), month by month."""
    if first > last:
        return Fraction(0)
    first_month_days = calendar.monthrange(first.year, first.month)[1]
    if (first.year, first.month) == (last.year, last.month):
        return Fraction(monthly_cost * ((last - first).days + 1), first_month_days)
    # The first month from `first` to its end, the last month from its 1st
    # to `last`, and every calendar month between them whole, at exactly the
    # monthly cost. Counted, not walked month by month: the apartment lists
    # cost every vacant apartment (often vacant for years) on each request.
    last_month_days = calendar.monthrange(last.year, last.month)[1]
    head = Fraction(monthly_cost * (first_month_days - first.day + 1), first_month_days)
    tail = Fraction(monthly_cost * last.day, last_month_days)
    whole_months = (last.year * 12 + last.month) - (first.year * 12 + first.month) - 1
    return head + tail + monthly_cost * whole_months


def _round(amount: Fraction) -> int:
    # Half an öre up (money is never rounded half to even on an invoice).
    return int(amount + Fraction(1, 2))


def vacancy_cost(monthly_cost: int | None, since: date | None, today: date) -> VacancyCost | None:
    """The days and the cost of a vacancy that began on `since` and runs
    today. None when there is no vacancy to cost (no start, or a start after
    today)."""
    if since is None or since > today:
        return None
    days = (today - since).days + 1
    if monthly_cost is None:
        return VacancyCost(days, None, None)
    year_start = max(since, date(today.year, 1, 1))
    return VacancyCost(
        days=days,
        since_vacant=_round(_cost(monthly_cost, since, today)),
        this_year=_round(_cost(monthly_cost, year_start, today)),
    )


def since_from_days(days_vacant: int | None, today: date) -> date | None:
    """The first vacant day from the lists' `days_vacant` (counted with
    both ends, services.apartments.days_vacant_expression)."""
    if days_vacant is None or days_vacant <= 0:
        return None
    return today - timedelta(days=days_vacant - 1)


def total_of(rows, today: date) -> dict[str, int]:
    """Sum over `rows` of (monthly_cost, days_vacant): how many vacant
    apartments, their days, and the cost this year and since vacant (those
    without a monthly cost count as apartments, not money)."""
    total = {"apartments": 0, "days": 0, "this_year": 0, "since_vacant": 0, "without_cost": 0}
    for monthly_cost, days_vacant in rows:
        cost = vacancy_cost(monthly_cost, since_from_days(days_vacant, today), today)
        if cost is None:
            continue
        total["apartments"] += 1
        total["days"] += cost.days
        if cost.since_vacant is None:
            total["without_cost"] += 1
        else:
            total["this_year"] += cost.this_year
            total["since_vacant"] += cost.since_vacant
    return total
