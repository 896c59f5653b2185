"""Calendar months, quarters and whole years (core.calendar): the leap days
and month ends the rules depend on.

test_years_before and test_full_years_between were the takeover list's own
(tenancies/tests/test_takeover_candidates.py) before the helpers moved here.
"""

from datetime import date, timedelta

import pytest

from core.calendar import (
    add_months,
    add_years,
    first_day_after,
    full_years_between,
    last_day_within,
    previous_quarter,
    quarter_bounds,
    quarter_of,
    years_before,
)
from core.dates import latest


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (date(2026, 5, 20), 3, date(2023, 5, 20)),
        (date(2028, 2, 29), 3, date(2025, 2, 28)),  # no 29 February in 2025
        (date(2028, 2, 29), 4, date(2024, 2, 29)),
    ],
)
def test_years_before(day, years, expected):
    assert years_before(day, years) == expected


@pytest.mark.parametrize(
    ("start", "end", "years"),
    [
        (date(2023, 5, 20), date(2026, 5, 20), 3),
        (date(2023, 5, 21), date(2026, 5, 20), 2),
        (date(2021, 3, 1), date(2026, 5, 20), 5),
        # Started on 29 February: the third year is complete on 1 March 2027,
        # as in takeover_candidates (years_before(2027-02-28, 3) is 2024-02-28).
        (date(2024, 2, 29), date(2027, 2, 28), 2),
        (date(2024, 2, 29), date(2027, 3, 1), 3),
    ],
)
def test_full_years_between(start, end, years):
    assert full_years_between(start, end) == years


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),  # leap year
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2026, 2, 28), 1, date(2026, 3, 28)),  # not the month's end: the same day
        (date(2026, 12, 15), 1, date(2027, 1, 15)),  # over the year's end
        (date(2026, 3, 31), -1, date(2026, 2, 28)),  # backwards, clamped as well
        (date(2028, 3, 31), -1, date(2028, 2, 29)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2026, 5, 20), 0, date(2026, 5, 20)),
    ],
)
def test_add_months_clamps_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (date(2028, 2, 29), 1, date(2029, 2, 28)),
        (date(2028, 2, 29), 4, date(2032, 2, 29)),
        (date(2028, 2, 29), -1, date(2027, 2, 28)),
        (date(2026, 2, 28), 2, date(2028, 2, 28)),  # 28 February stays, even into a leap year
        (date(2026, 12, 31), 10, date(2036, 12, 31)),
    ],
)
def test_add_years(day, years, expected):
    assert add_years(day, years) == expected
    assert years_before(day, -years) == expected


def test_a_decision_of_30_november_is_due_on_the_last_day_of_february():
    assert last_day_within(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert first_day_after(date(2025, 11, 30), 3) == date(2026, 3, 1)
    # In a leap year 29 February is the last day, reportable from 1 March.
    assert last_day_within(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert first_day_after(date(2027, 11, 30), 3) == date(2028, 3, 1)
    # 31 August + 3 months: 30 November, reportable from 1 December.
    assert last_day_within(date(2026, 8, 31), 3) == date(2026, 11, 30)
    assert first_day_after(date(2026, 8, 31), 3) == date(2026, 12, 1)


@pytest.mark.parametrize(
    ("start", "end", "years"),
    [
        # Born on 29 February: a year older on 1 March when there is no 29 February.
        (date(2000, 2, 29), date(2001, 2, 28), 0),
        (date(2000, 2, 29), date(2001, 3, 1), 1),
        (date(2000, 2, 29), date(2004, 2, 28), 3),
        (date(2000, 2, 29), date(2004, 2, 29), 4),
        # Born on 28 February: a year older on 28 February, also in a leap year.
        (date(2003, 2, 28), date(2004, 2, 28), 1),
        (date(2003, 2, 28), date(2004, 2, 27), 0),
        # Month ends: 31 March completes a year on 31 March, not 30 April.
        (date(2000, 3, 31), date(2001, 3, 30), 0),
        (date(2000, 3, 31), date(2001, 3, 31), 1),
        (date(2000, 12, 31), date(2001, 12, 31), 1),
        (date(2000, 1, 1), date(2000, 12, 31), 0),
        # The same day: none; an end before the start: negative, rounded down.
        (date(2026, 5, 20), date(2026, 5, 20), 0),
        (date(2026, 5, 20), date(2026, 5, 19), -1),
        (date(2026, 5, 20), date(2025, 5, 20), -1),
        (date(2026, 5, 20), date(2025, 5, 19), -2),
    ],
)
def test_full_years_at_leap_days_and_month_ends(start, end, years):
    assert full_years_between(start, end) == years


def test_full_years_agree_with_years_before_every_day_of_a_leap_cycle():
    """full_years_between(start, end) is the largest n with
    years_before(end, n) >= start, which is how the takeover list selects
    (continuous_since <= years_before(today, 3))."""
    start = date(2024, 2, 29)
    for offset in range(4 * 366 + 2):
        end = start + timedelta(days=offset)
        years = full_years_between(start, end)
        assert years_before(end, years) >= start
        assert years_before(end, years + 1) < start


@pytest.mark.parametrize(
    ("day", "quarter"),
    [(date(2026, 1, 1), 1), (date(2026, 3, 31), 1), (date(2026, 4, 1), 2), (date(2026, 9, 30), 3),
     (date(2026, 12, 31), 4)],
)
def test_quarter_of(day, quarter):
    assert quarter_of(day) == quarter


def test_quarter_bounds_end_on_the_month_end():
    assert quarter_bounds(2028, 1) == (date(2028, 1, 1), date(2028, 3, 31))
    assert quarter_bounds(2026, 2) == (date(2026, 4, 1), date(2026, 6, 30))
    assert quarter_bounds(2026, 3) == (date(2026, 7, 1), date(2026, 9, 30))
    assert quarter_bounds(2026, 4) == (date(2026, 10, 1), date(2026, 12, 31))
    with pytest.raises(ValueError):
        quarter_bounds(2026, 5)


def test_previous_quarter_crosses_the_year():
    assert previous_quarter(2026, 1) == (2025, 4)
    assert previous_quarter(2026, 3) == (2026, 2)


def test_latest_allowed_date_from_29_february():
    """core.dates' ten-year bound: 29 February becomes 28 February."""
    assert latest(10, today=date(2028, 2, 29)) == date(2038, 2, 28)
    assert latest(2, today=date(2026, 5, 20)) == date(2028, 5, 20)
