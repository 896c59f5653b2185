"""Calendar arithmetic the rules are written in: calendar months, quarters
and whole years.

"Three months" are calendar months: a decision of 30 November must be
executed by the last day of February and is reportable from 1 March. A
month or a year later than a day the later month does not have is that
month's last day (31 January + 1 month = 28/29 February; 29 February + 1
year = 28 February). dateutil's relativedelta does exactly that, so no
month or year arithmetic is written by hand here.
"""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta


def add_months(day: date, months: int) -> date:
    """Same day `months` later (or earlier when negative), clamped to the
    month's last day (30 Nov + 3 → 28/29 Feb)."""
    return day + relativedelta(months=months)


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (or earlier when negative);
    29 February becomes 28 February in a year without one."""
    return day + relativedelta(years=years)


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February → 28 February)."""
    return add_years(day, -years)


def full_years_between(start: date, end: date) -> int:
    """Completed years from `start` to `end` (an age, a time in the programme).

    One born on 29 February completes a year on 1 March in a year without a
    29 February (28 February is still short of it); negative when `end` is
    before `start`.

    Not `relativedelta(end, start).years`: that counts 29 February to
    28 February of the next year as a whole year, and rounds toward zero
    when `end` is before `start`.
    """
    years = end.year - start.year
    return years - 1 if years_before(end, years) < start else years


def last_day_within(start: date, months: int) -> date:
    """The last day that is still within `months` calendar months of `start`."""
    return add_months(start, months)


def first_day_after(start: date, months: int) -> date:
    """The first day on which `months` calendar months from `start` have passed."""
    return add_months(start, months) + timedelta(days=1)


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """(first day, last day) of a calendar quarter."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1-4")
    first = date(year, 3 * quarter - 2, 1)
    last = add_months(first, 3) - timedelta(days=1)
    return first, last


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)
