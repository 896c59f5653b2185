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
    # Whole calendar months cost exactly the monthly cost: they are summed as
    # integers, so that only the partial first and last months are fractions
    # (Fraction arithmetic per month made the apartment lists, which cost
    # every vacant apartment on every request, measurably slower).
    whole_months = 0
    parts = Fraction(0)
    day = first
    while day <= last:
        days_in_month = calendar.monthrange(day.year, day.month)[1]
        month_end = date(day.year, day.month, days_in_month)
        until = min(month_end, last)
        days = (until - day).days + 1
        if days == days_in_month:
            whole_months += monthly_cost
        else:
            parts += Fraction(monthly_cost * days, days_in_month)
        day = until + timedelta(days=1)
    return parts + whole_months


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
