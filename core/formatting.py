"""Swedish number formats, the one place for them: 940 000 kr, 12,5 %, 1 234.

Explicit functions (and the `ui` template filters over them,
core/templatetags/ui.py) instead of USE_THOUSAND_SEPARATOR, so that ids and
years are never grouped. The thousands separator is a no-break space, so a
figure never wraps inside itself.

`display_value` and `plain_value` format a value by its kind ("count",
"percent", "days", "kr", "years"; the KPI engine's values carry one, see
reports.kpis.result): the first for pages and the PDF, the second for CSV.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

NBSP = "\xa0"

# Shares and averages get one decimal, counts none.
DECIMALS = {"count": 0, "percent": 1, "days": 0, "kr": 0, "years": 1}


def group_thousands(number: int | Decimal) -> str:
    sign = "-" if number < 0 else ""
    digits = f"{abs(int(number)):d}"
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return sign + NBSP.join(groups or ["0"])


def number(value, decimals: int | str = 0) -> str:
    """1234567 -> '1 234 567'; with decimals, a decimal comma."""
    if value is None or value == "":
        return "–"
    decimals = int(decimals)
    quantized = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    whole = int(quantized)
    if decimals == 0:
        return group_thousands(whole)
    fraction = f"{abs(quantized) % 1:.{decimals}f}"[2:]
    sign = "-" if quantized < 0 and whole == 0 else ""
    return f"{sign}{group_thousands(whole)},{fraction}"


def kr(ore) -> str:
    """Money is stored as integer öre: 94000000 -> '940 000 kr'."""
    if ore is None or ore == "":
        return "–"
    kronor = Decimal(int(ore)) / 100
    if kronor == kronor.to_integral_value():
        return f"{group_thousands(int(kronor))}{NBSP}kr"
    return f"{number(kronor, 2)}{NBSP}kr"


def percent(value, decimals: int | str = 1) -> str:
    """0.125 or 12.5? A share 0–1 -> '12,5 %'."""
    if value is None or value == "":
        return "–"
    return f"{number(Decimal(str(value)) * 100, decimals)}{NBSP}%"


def decimal_text(value) -> str:
    """2.50 -> '2,5', 48 -> '48': a size or a number of rooms as the user
    typed it (no grouping, no trailing zeros), whether the value came from a
    form or from the database; '' for none."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f").replace(".", ",")


def display_value(value, kind: str = "count") -> str:
    """'1 234', '54,5 %', '12 dagar', '940 000 kr', '2,5 år'; '–' for no value.

    A "percent" value is already 0–100 here (unlike `percent`, which takes a
    share)."""
    if value is None:
        return "–"
    if kind == "percent":
        return f"{number(value, 1)}{NBSP}%"
    if kind == "days":
        return _("%(days)s days") % {"days": number(value, decimals_of(value, kind))}
    if kind == "kr":
        # Money is integer öre everywhere in the project.
        return kr(value)
    if kind == "years":
        return _("%(years)s years") % {"years": number(value, 1)}
    return number(value, decimals_of(value, kind))


def decimals_of(value, kind: str) -> int:
    """A count is whole unless it is an average (the KPI engine gives those
    as Decimal, e.g. KPI 8's caseload per bolots): then one decimal."""
    if kind == "count" and isinstance(value, Decimal):
        return 1
    if kind == "days" and isinstance(value, Decimal) and value != value.to_integral_value():
        return 1  # a median of an even number of decisions: 45,5 days
    return DECIMALS.get(kind, 0)


def plain_value(value, kind: str = "count") -> str:
    """For CSV: the same without thousands grouping (spreadsheets read
    '1234' and '54,5' as numbers), with the unit where there is one."""
    if value is None:
        return ""
    if kind == "kr":
        value = Decimal(int(value)) / 100
    decimals = decimals_of(value, kind)
    text = number(value, decimals).replace(NBSP, "")
    suffix = {"percent": " %", "kr": " kr"}.get(kind, "")
    return text + suffix
