"""Swedish number formats for templates: 940 000 kr, 12,5 %, 1 234.

Explicit filters instead of USE_THOUSAND_SEPARATOR, so that ids and years
are never grouped.
"""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()

NBSP = "\xa0"


def group_thousands(number):
    sign = "-" if number < 0 else ""
    digits = f"{abs(int(number)):d}"
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return sign + NBSP.join(groups or ["0"])


@register.filter
def number(value, decimals=0):
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


@register.filter
def kr(ore):
    """Money is stored as integer öre: 94000000 -> '940 000 kr'."""
    if ore is None or ore == "":
        return "–"
    kronor = Decimal(int(ore)) / 100
    if kronor == kronor.to_integral_value():
        return f"{group_thousands(int(kronor))}{NBSP}kr"
    return f"{number(kronor, 2)}{NBSP}kr"


@register.filter
def percent(value, decimals=1):
    """0.125 or 12.5? A share 0–1 -> '12,5 %'."""
    if value is None or value == "":
        return "–"
    return f"{number(Decimal(str(value)) * 100, decimals)}{NBSP}%"
