"""Sane bounds for every date a user types.

A date picker accepts 9999-12-31, and a date that far ahead breaks whatever
adds days or months to it (`date + timedelta` overflows, so a page that shows
"three months after the move-out" would fail on every later visit). Typos of
the year (0226, 20226) are as likely as malice. So every date field of every
form gets bounds, checked when the form is cleaned, with a Swedish message
beside the field:

- no date before 1900-01-01 (nothing in a housing chain happened earlier);
- no date more than ten years ahead by default;
- dates of things that are planned (moves, course sessions) at most two
  years ahead: nobody plans a move or a course further out.

Forms get the bounds from `DateBoundsMixin`; `core/tests/test_dates.py` walks
every form class of the project and fails for a form with a date field
without the mixin, so a new form cannot forget it.
"""

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .calendar import add_years

EARLIEST = date(1900, 1, 1)
DEFAULT_YEARS_AHEAD = 10
# Moves, course rounds and sessions: planned, never further out than this.
PLANNED_YEARS_AHEAD = 2


def latest(years: int = DEFAULT_YEARS_AHEAD, today: date | None = None) -> date:
    """The latest date allowed: `years` whole years after today (29 February
    becomes 28 February)."""
    return add_years(today or timezone.localdate(), years)


class DateBounds:
    """A validator: the date lies in EARLIEST .. today + `years` years.

    "Today" is read when the value is checked, not when the form class is
    defined, so a server running for weeks does not drift.
    """

    def __init__(self, years: int = DEFAULT_YEARS_AHEAD):
        self.years = years

    def __call__(self, value):
        if value is None:
            return
        if hasattr(value, "date"):  # a datetime
            value = value.date()
        if value < EARLIEST:
            raise forms.ValidationError(
                _("The date cannot be before %(date)s."),
                code="date_too_early",
                params={"date": date_format(EARLIEST, "Y-m-d")},
            )
        last = latest(self.years)
        if value > last:
            raise forms.ValidationError(
                _("The date cannot be later than %(date)s."),
                code="date_too_late",
                params={"date": date_format(last, "Y-m-d")},
            )

    def __eq__(self, other):
        return isinstance(other, DateBounds) and other.years == self.years


def check_date(value, years: int = DEFAULT_YEARS_AHEAD):
    """The same rule for code that reads dates outside a form (the import)."""
    DateBounds(years)(value)


class DateBoundsMixin:
    """Adds `DateBounds` to every date (and date-time) field of the form.

    `planned_dates` names the fields of planned events, which get the
    two-year bound instead of the default ten years. Put the mixin first in
    the bases so it also covers fields the form adds in its own __init__
    (e.g. the make-up dates of the attendance grid).
    """

    planned_dates: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_date_fields(self, planned=self.planned_dates)

    def full_clean(self):
        # Fields added after __init__ (the attendance grid adds its own).
        bound_date_fields(self, planned=self.planned_dates)
        super().full_clean()


def bound_date_fields(form, planned=()):
    for name, field in form.fields.items():
        if isinstance(field, forms.DateField | forms.DateTimeField):
            years = PLANNED_YEARS_AHEAD if name in planned else DEFAULT_YEARS_AHEAD
            if not any(isinstance(v, DateBounds) for v in field.validators):
                field.validators.append(DateBounds(years))


def day_after(day: date) -> date:
    """The next day, or `day` itself at the end of the calendar.

    Pages computing "free from the day after the move-out" must keep working
    for a date stored before the bounds existed (9999-12-31 + 1 day raises
    OverflowError, and that broke the apartment page for good).
    """
    return day if day == date.max else day + timedelta(days=1)


def day_before(day: date) -> date:
    return day if day == date.min else day - timedelta(days=1)
