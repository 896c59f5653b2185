"""Swedish working days, for the off-hours rule and the draw's schedule.

The `holidays` package is not installed, so the days are computed here:
the public holidays of the Public Holidays Act (lag 1989:253), fixed or
counted from Easter (dateutil.easter), plus the three eves that collective
agreements in the municipal sector make days off (midsommarafton,
julafton, nyårsafton). Saturdays and Sundays are never working days.
"""

from datetime import date, timedelta
from functools import cache

from dateutil.easter import easter


def _saturday_between(first: date) -> date:
    """The Saturday of the seven days from `first` (midsommardagen, alla helgons dag)."""
    return first + timedelta(days=(5 - first.weekday()) % 7)


@cache
def days_off(year: int) -> frozenset[date]:
    """Public holidays and the eves treated as days off, in `year`."""
    easter_day = easter(year)
    midsummer_day = _saturday_between(date(year, 6, 20))
    return frozenset({
        date(year, 1, 1),  # nyårsdagen
        date(year, 1, 6),  # trettondedag jul
        easter_day - timedelta(days=2),  # långfredagen
        easter_day,  # påskdagen
        easter_day + timedelta(days=1),  # annandag påsk
        date(year, 5, 1),  # första maj
        easter_day + timedelta(days=39),  # Kristi himmelsfärds dag
        easter_day + timedelta(days=49),  # pingstdagen
        date(year, 6, 6),  # Sveriges nationaldag
        midsummer_day - timedelta(days=1),  # midsommarafton
        midsummer_day,  # midsommardagen
        _saturday_between(date(year, 10, 31)),  # alla helgons dag
        date(year, 12, 24),  # julafton
        date(year, 12, 25),  # juldagen
        date(year, 12, 26),  # annandag jul
        date(year, 12, 31),  # nyårsafton
    })


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in days_off(day.year)


def first_working_day(year: int, month: int) -> date:
    """The first weekday of the month that is not a day off."""
    day = date(year, month, 1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day
