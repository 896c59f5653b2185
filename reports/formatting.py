"""How the KPI engine's values read on the dashboard and in the exports
(reports.kpis.result: a value's `kind` says what it is)."""

from decimal import Decimal

from django.utils.translation import gettext as _

from accounts.templatetags.ui import NBSP, kr, number

# Shares and averages get one decimal, counts none.
DECIMALS = {"count": 0, "percent": 1, "days": 0, "kr": 0, "years": 1}


def display_value(value, kind="count"):
    """'1 234', '54,5 %', '12 dagar', '940 000 kr', '2,5 år'; '–' for no value."""
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


def decimals_of(value, kind):
    """A count is whole unless it is an average (the engine gives those as
    Decimal, e.g. KPI 8's caseload per bolots): then one decimal."""
    if kind == "count" and isinstance(value, Decimal):
        return 1
    if kind == "days" and isinstance(value, Decimal) and value != value.to_integral_value():
        return 1  # a median of an even number of decisions: 45,5 days
    return DECIMALS.get(kind, 0)


def plain_value(value, kind="count"):
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


def met_label(met):
    if met is None:
        return _("Not judged")
    return _("Met") if met else _("Not met")
