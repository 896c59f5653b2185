"""The yearly summary of a unit's log review, as a PDF for the committee
(docs/log-review.md, "Yearly summary").

Figures only: per month the reads, the flagged and sampled reads, how many
were judged justified or investigated, the outcomes, and who signed the
month off when. No client identity appears (the committee's papers are
public documents); the reviewers are named because signing off is an act in
office. One query for the months' figures, whatever the number of items.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from core.pdf import render_pdf

from .models import Outcome, ReviewMonth, Verdict


@dataclass(frozen=True)
class MonthRow:
    month: date
    reads: int
    items: int
    flagged: int
    sampled: int
    justified: int
    investigated: int
    unauthorised: int
    justified_after: int
    open_investigations: int
    unreviewable: int
    signed_off_at: datetime | None
    signed_off_by: str


def _items(**condition):
    return Count("items", filter=Q(**{f"items__{key}": value for key, value in condition.items()}))


def yearly_rows(months: QuerySet[ReviewMonth], year: int) -> list[MonthRow]:
    months = (
        months.filter(month__year=year).select_related("signed_off_by").order_by("month")
        .annotate(
            item_count=Count("items"),
            # A read drawn for a rule carries the rules it hit; a read of
            # the random sample carries none (logreview.sampling).
            flagged=Count("items", filter=~Q(items__rules=[])),
            sampled=_items(sampled=True),
            justified=_items(verdict=Verdict.JUSTIFIED),
            investigated=_items(verdict=Verdict.INVESTIGATE),
            unauthorised=_items(outcome=Outcome.UNAUTHORISED),
            justified_after=_items(outcome=Outcome.JUSTIFIED),
            open_investigations=Count("items", filter=Q(items__verdict=Verdict.INVESTIGATE, items__outcome="")),
            # The only manager's own reads, signed off unjudged (services.sign_off).
            unreviewable=_items(no_other_reviewer=True),
        )
    )
    return [
        MonthRow(
            month=month.month, reads=month.reads, items=month.item_count, flagged=month.flagged,
            sampled=month.sampled, justified=month.justified, investigated=month.investigated,
            unauthorised=month.unauthorised, justified_after=month.justified_after,
            open_investigations=month.open_investigations, unreviewable=month.unreviewable,
            signed_off_at=month.signed_off_at,
            signed_off_by=month.signed_off_by.get_full_name() or month.signed_off_by.username
            if month.signed_off_by else "",
        )
        for month in months
    ]


def totals(rows: list[MonthRow]) -> dict[str, int]:
    fields = ("reads", "items", "flagged", "sampled", "justified", "investigated", "unauthorised",
              "justified_after", "open_investigations", "unreviewable")
    return {field: sum(getattr(row, field) for row in rows) for field in fields}


def render_yearly_pdf(unit, months: QuerySet[ReviewMonth], year: int) -> tuple[str, str, bytes]:
    rows = yearly_rows(months, year)
    return render_pdf(
        "logreview/yearly_pdf.html",
        {"unit": unit, "year": year, "rows": rows, "totals": totals(rows), "made_at": timezone.localtime()},
        f"loggranskning-{unit.pk}-{year}.pdf",
    )
