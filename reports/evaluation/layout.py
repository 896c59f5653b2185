"""What the evaluation template gets: rows of two-year tables and bars of
the goals' charts, already formatted, and the page furniture (the running
footer "Sida 3 av 12")."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.formatting import display_value, number

from ..kpis import Figure


@dataclass(frozen=True)
class Row:
    """One line of a two-year table: label, Y, Y−1 (already formatted)."""

    label: str
    current: str
    previous: str
    indent: bool = False


@dataclass(frozen=True)
class Bar:
    """One bar of a goal's chart: the year, the result as printed and the
    bar's length as a CSS width, in per cent of the longer of the two
    ("42.5%": formatted here, as the template would localise a float)."""

    label: str
    value: str
    width: str


def figure_row(figure: Figure, *, indent: bool = False) -> Row:
    """A KPI engine Figure as a two-year row, formatted by its kind."""
    return Row(str(figure.label), display_value(figure.value, figure.kind), display_value(figure.previous, figure.kind),
               indent=indent)


def format_share(part: int | None, whole: int | None) -> str:
    """'3 av 8'."""
    if part is None or whole is None:
        return "–"
    return _("%(part)s of %(whole)s") % {"part": number(part), "whole": number(whole)}


def css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_counter_css() -> str:
    """The running footer 'Sida 3 av 12' as a CSS `content` value: the
    translated sentence with its placeholders replaced by page counters."""
    sentence = _("Page {page} of {pages}")
    parts = re.split(r"(\{page\}|\{pages\})", sentence)
    counters = {"{page}": "counter(page)", "{pages}": "counter(pages)"}
    return " ".join(counters.get(part) or css_string(part) for part in parts if part)
