"""The goal sections of the evaluation (Mål, Effekt, Mätmetod, Resultat for
Y and Y−1 with a two-bar chart), formatted from the KPI engine's results."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formatting import display_value

from ..kpis import KpiResult
from ..kpis.result import met_label
from .layout import Bar, Row, figure_row, format_share

# Short headings for the goals, those of the 2018 evaluation report (seed
# 001, 6.1–6.9); the goal itself is printed in full under "Mål".
GOAL_TITLES = {
    1: gettext_lazy("Independent housing"),
    2: gettext_lazy("Fewer evictions"),
    3: gettext_lazy("Active outreach"),
    4: gettext_lazy("Mandatory housing course"),
    5: gettext_lazy("Reuse of training apartments"),
    6: gettext_lazy("Fewer non-executed decisions"),
    7: gettext_lazy("Takeover of first-hand contracts"),
    8: gettext_lazy("Caseload per bolots"),
}


@dataclass(frozen=True)
class GoalSection:
    anchor: str
    number: int
    title: str
    goal: str
    target: str
    definition: str
    headline: Row
    share: Row | None
    rows: tuple[Row, ...]
    met_label: str
    met: bool | None
    bars: tuple[Bar, ...]


def goal_bars(kpi: KpiResult, year: int) -> tuple[Bar, ...]:
    """The goal's chart: the result of Y−1 and Y as two horizontal bars on a
    common scale, drawn by the template as boxes (vector graphics and text
    in the PDF). A two-bar chart does not need matplotlib: drawing it there
    and WeasyPrint embedding or drawing the image cost 0.1–0.25 s per goal
    (docs/performance.md)."""
    if kpi.value is None and kpi.previous is None:
        return ()
    values = ((year - 1, kpi.previous), (year, kpi.value))
    longest = max(max(float(value or 0), 0) for _year, value in values)
    return tuple(
        Bar(str(label), display_value(value, kpi.kind),
            f"{max(float(value or 0), 0) / longest * 100:.1f}%" if longest else "0.0%")
        for label, value in values
    )


def goal_section(kpi: KpiResult, year: int, until: date | None = None) -> GoalSection:
    """`until`: the last counted day of the running year; its goals are not
    judged (met None) and their assessment says the figures are preliminary."""
    share = None
    # "2 av 8" only where the headline is a share of a whole (KPI 8's
    # numerator and denominator are orders and bolotsar: an average).
    if kpi.kind == "percent" and (kpi.denominator is not None or kpi.previous_denominator is not None):
        share = Row(_("Counted of the whole"), format_share(kpi.numerator, kpi.denominator),
                    format_share(kpi.previous_numerator, kpi.previous_denominator))
    return GoalSection(
        anchor=f"goal-{kpi.number}",
        number=kpi.number,
        title=str(GOAL_TITLES.get(kpi.number, kpi.goal)),
        goal=str(kpi.goal),
        target=str(kpi.target),
        definition=str(kpi.definition),
        headline=Row(_("Result"), display_value(kpi.value, kpi.kind), display_value(kpi.previous, kpi.kind)),
        share=share,
        rows=tuple(figure_row(f) for f in kpi.figures),
        met_label=met_label(kpi.met, until),
        met=None if until is not None else kpi.met,
        bars=goal_bars(kpi, year),
    )
