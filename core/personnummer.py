"""Swedish personal identity numbers (personnummer) and coordination numbers
(samordningsnummer).

Accepted input: YYMMDD-NNNN, YYMMDD+NNNN (the "+" marks a person 100 years
or older), YYMMDDNNNN, YYYYMMDDNNNN and YYYYMMDD-NNNN. Stored form: the 12
digits with the century. The last digit is a Luhn check digit over the 10
digits YYMMDDNNN; a coordination number adds 60 to the day; the second-last
digit is odd for men and even for women (the legal gender).

The checks and messages are the project's own (Swedish sentences fit to show
beside a field, and the century rule below); only the Luhn digit is
python-stdnum's. stdnum.se.personnummer is not used for the rest: its
errors are English and it cannot be given "today" for the century.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _
from stdnum import luhn

COORDINATION_DAY_OFFSET = 60

_PATTERN = re.compile(
    r"^(?P<century>\d{2})?(?P<yy>\d{2})(?P<mm>\d{2})(?P<dd>\d{2})(?P<sep>[-+]?)(?P<serial>\d{3})(?P<check>\d)$"
)


class InvalidPersonalNumber(ValueError):
    """The message is a Swedish sentence fit to show beside the field."""


def luhn_check_digit(nine_digits: str) -> int:
    """The check digit for the nine digits YYMMDDNNN (the Luhn algorithm, as
    python-stdnum implements it)."""
    return int(luhn.calc_check_digit(nine_digits))


@dataclass(frozen=True)
class PersonalNumber:
    digits: str  # 12 digits, YYYYMMDDNNNC
    birth_date: date
    is_coordination_number: bool

    @property
    def is_male(self):
        return int(self.digits[10]) % 2 == 1

    @property
    def formatted(self):
        return f"{self.digits[:8]}-{self.digits[8:]}"

    @property
    def last_four(self):
        return self.digits[8:]


def _century_for(yy, mm, dd, plus, today):
    """Pick the century for a 10-digit number the way Skatteverket means it:
    the most recent year with those two digits that puts the birth date on or
    before today, minus 100 years when the separator is '+'."""
    year = today.year - (today.year - yy) % 100
    try:
        candidate = date(year, mm, dd)
    except ValueError:
        # 29 February in a year that is not a leap year: try the century that
        # makes it valid, checked again below.
        candidate = None
    if candidate is None or candidate > today:
        year -= 100
    if plus:
        year -= 100
    return year // 100


def parse(value, today=None):
    """Validate `value` and return a PersonalNumber, or raise
    InvalidPersonalNumber with a message for the user."""
    today = today or date.today()
    text = re.sub(r"\s", "", str(value or ""))
    match = _PATTERN.match(text)
    if not match:
        raise InvalidPersonalNumber(
            _("Enter the personal identity number as YYYYMMDD-NNNN or YYMMDD-NNNN.")
        )
    parts = match.groupdict()
    yy, mm, dd = int(parts["yy"]), int(parts["mm"]), int(parts["dd"])
    is_coordination = dd > COORDINATION_DAY_OFFSET
    real_day = dd - COORDINATION_DAY_OFFSET if is_coordination else dd

    if parts["century"] is not None:
        if parts["sep"] == "+":
            raise InvalidPersonalNumber(
                _("A '+' is only used with a 10-digit number (YYMMDD+NNNN).")
            )
        century = int(parts["century"])
    else:
        century = _century_for(yy, mm, real_day, parts["sep"] == "+", today)

    try:
        birth_date = date(century * 100 + yy, mm, real_day)
    except ValueError:
        raise InvalidPersonalNumber(
            _("The date of birth in the personal identity number does not exist.")
        ) from None
    if birth_date > today:
        raise InvalidPersonalNumber(
            _("The date of birth in the personal identity number is in the future.")
        )

    nine = f"{yy:02d}{mm:02d}{dd:02d}{parts['serial']}"
    if luhn_check_digit(nine) != int(parts["check"]):
        raise InvalidPersonalNumber(
            _("The check digit (the last digit) is wrong. Check the number against the ID document.")
        )
    digits = f"{century:02d}{nine}{parts['check']}"
    return PersonalNumber(digits, birth_date, is_coordination)


def is_valid(value, today=None):
    try:
        parse(value, today)
    except InvalidPersonalNumber:
        return False
    return True


def format_digits(digits):
    """'198001011234' -> '19800101-1234' (stored form to display form)."""
    if not digits or len(digits) != 12:
        return digits or ""
    return f"{digits[:8]}-{digits[8:]}"


def make_number(birth_date, serial, coordination=False):
    """Build a valid 12-digit number for `birth_date` and a 3-digit serial;
    used by the demo data and the tests (fictional people only)."""
    day = birth_date.day + (COORDINATION_DAY_OFFSET if coordination else 0)
    nine = f"{birth_date.year % 100:02d}{birth_date.month:02d}{day:02d}{serial:03d}"
    return f"{birth_date.year // 100:02d}{nine}{luhn_check_digit(nine)}"
