"""Calendar arithmetic the rules are written in: calendar months and quarters.

"Three months" are calendar months: a decision of 30 November must be
executed by the last day of February and is reportable from 1 March.
"""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

REPORTING_MONTHS = 3


def add_months(day, months):
    """Same day `months` later, clamped to the month's last day (30 Nov + 3 → 28/29 Feb)."""
    return day + relativedelta(months=months)


def last_day_within(start, months=REPORTING_MONTHS):
    """The last day that is still within `months` calendar months of `start`."""
    return add_months(start, months)


def first_day_after(start, months=REPORTING_MONTHS):
    """The first day on which `months` calendar months from `start` have passed."""
    return add_months(start, months) + timedelta(days=1)


def quarter_of(day):
    return (day.month - 1) // 3 + 1


def quarter_bounds(year, quarter):
    """(first day, last day) of a calendar quarter."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1-4")
    first = date(year, 3 * quarter - 2, 1)
    last = add_months(first, 3) - timedelta(days=1)
    return first, last


def previous_quarter(year, quarter):
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)
