"""One cell of the register file: its text, and the parsers that turn it into
a model field's value or refuse it with a Swedish message for its row.

A cell comes as openpyxl gives it (str, int, float, bool, date, datetime or
None) or as CSV gives it (str); every parser takes either."""

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Choices
from django.utils import translation
from django.utils.translation import gettext as _

from core import personnummer
from core.dates import check_date

# What a column's parser does: a non-empty cell to the field's value, or InvalidCell.
Parser = Callable[[object], object]

# No number in a register comes near this (rent in kronor, rooms, area,
# floor); bigger ones are typos or hostile, and Decimal arithmetic on 1e309
# raised instead of giving the row an error.
MAX_NUMBER = Decimal(10) ** 12


class InvalidCell(Exception):
    """A cell's value is refused; the message is for the user."""


def cell_text(value: object) -> str:
    """A cell as text: Excel gives numbers and dates, CSV gives text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())


def fold(text: str) -> str:
    """For comparing headers and labels: case, spaces and ² do not matter."""
    return " ".join(text.replace("²", "2").split()).casefold()


def _long_text(value: object) -> str:
    """Multi-line text (notes) keeps its line breaks."""
    if not isinstance(value, str):
        return cell_text(value)
    return "\n".join(" ".join(line.split()) for line in value.strip().splitlines())


def parse_text(max_length: int, multiline: bool = False) -> Parser:
    def parse(value: object) -> str:
        text = _long_text(value) if multiline else cell_text(value)
        if len(text) > max_length:
            raise InvalidCell(_("At most %(n)s characters.") % {"n": max_length})
        return text
    return parse


def parse_date(value: object) -> date:
    day = _parse_date(value)
    try:
        check_date(day)
    except ValidationError as error:
        raise InvalidCell(error.messages[0]) from None
    return day


def _parse_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?", text)
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            raise InvalidCell(_("The date %(value)s does not exist.") % {"value": text}) from None
    raise InvalidCell(_("Write the date as 2026-11-22 (year-month-day); “%(value)s” is not a date.") % {"value": text[:40]})


def _number(value: object) -> Decimal:
    if isinstance(value, bool):
        raise InvalidCell(_("Write a number."))
    if isinstance(value, int | float):
        return _bounded(Decimal(str(value)), value)
    text = cell_text(value).replace("\xa0", "").replace(" ", "").replace("−", "-")
    if "," in text and "." in text:
        raise InvalidCell(_("Write the number without thousands separators, with a decimal comma: 1234,5."))
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise InvalidCell(_("“%(value)s” is not a number.") % {"value": cell_text(value)[:40]}) from None
    return _bounded(number, value)


def _bounded(number: Decimal, value: object) -> Decimal:
    # NaN and infinity (a CSV "nan", "inf", or an XLSX cell of 1e309, which
    # openpyxl reads as float infinity) compare and quantize only by raising.
    if not number.is_finite():
        raise InvalidCell(_("“%(value)s” is not a number.") % {"value": cell_text(value)[:40]})
    if abs(number) >= MAX_NUMBER:
        raise InvalidCell(_("The number is too large."))
    return number


def parse_decimal(places: int, maximum: Decimal) -> Parser:
    def parse(value: object) -> Decimal:
        number = _number(value)
        if number != number.quantize(Decimal(1).scaleb(-places)):
            raise InvalidCell(_("At most %(n)s decimal(s).") % {"n": places})
        if number <= 0 or number > maximum:
            raise InvalidCell(_("Write a number greater than 0 and at most %(max)s.") % {"max": maximum})
        return number.quantize(Decimal(1).scaleb(-places))
    return parse


def parse_integer(value: object) -> int:
    number = _number(value)
    if number != number.to_integral_value() or not -10 <= number <= 200:
        raise InvalidCell(_("Write a whole number, e.g. 3 (0 for the ground floor, -1 below)."))
    return int(number)


def parse_money(value: object) -> int:
    """Kronor as written (6 500, 6500,50, 6 500 kr) to öre."""
    if isinstance(value, str):
        value = re.sub(r"\s*kr\.?$", "", value.strip(), flags=re.IGNORECASE)
    number = _number(value)
    if number < 0:
        raise InvalidCell(_("The amount cannot be negative."))
    if number != number.quantize(Decimal("0.01")):
        raise InvalidCell(_("Write the amount in kronor with at most two decimals (öre)."))
    ore = int(number * 100)
    if ore > 2_000_000_000:
        raise InvalidCell(_("The amount is too large."))
    return ore


def parse_yes_no(value: object) -> bool:
    if isinstance(value, bool):
        return value
    folded = fold(cell_text(value))
    if folded in ("ja", "j", "x", "1", fold(_("Yes"))):
        return True
    if folded in ("nej", "n", "0", fold(_("No"))):
        return False
    raise InvalidCell(_("Write “Ja” or “Nej”."))


def parse_personal_number(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Excel stores a number typed without a hyphen as a number and drops
        # a leading zero (people born 2000–2009): put it back.
        digits = cell_text(value)
        value = digits.zfill(10) if len(digits) < 10 else digits
    try:
        return personnummer.parse(cell_text(value)).digits
    except personnummer.InvalidPersonalNumber as error:
        raise InvalidCell(str(error)) from None


def labels_of(choices: type[Choices]) -> dict[str, str]:
    """The Swedish labels the UI shows, which the file uses: {folded label: value}."""
    with translation.override("sv"):
        return {fold(str(label)): value for value, label in choices.choices}


def label_list(choices: type[Choices]) -> list[str]:
    with translation.override("sv"):
        return [str(label) for label in choices.labels]


def parse_choice(choices: type[Choices]) -> Parser:
    def parse(value: object) -> str:
        text = cell_text(value)
        found = labels_of(choices).get(fold(text))
        if found is None:
            raise InvalidCell(
                _("Unknown value “%(value)s”. Allowed: %(allowed)s.")
                % {"value": text[:60], "allowed": "; ".join(label_list(choices))}
            )
        return found
    return parse
