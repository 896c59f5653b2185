"""Who is due for culling, and why someone is kept: one reading of every
app's records, shared by the dry run, the re-check before a person is
culled and the command.

The date rule (docs/culling.md): a file is due `years` after its last entry
(the latest entry date over all the person's records in every app), and
must be culled by the end of the next calendar year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Max
from django.utils import timezone

from ..registry import sources

if TYPE_CHECKING:
    from collections.abc import Iterable

RESEARCH_DAY = "research_day"


@dataclass
class Assessment:
    client_id: int
    birth_date: date | None
    last_entry: date | None = None
    counts: dict[str, int] = field(default_factory=dict)
    open_kinds: list[str] = field(default_factory=list)
    due_on: date | None = None
    deadline: date | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def is_due(self) -> bool:
        return self.due_on is not None and not self.reasons


def due_date(last_entry: date, years: int) -> date:
    """The day the file becomes due: `years` after the last entry (29
    February moves to 28 February, relativedelta's rule)."""
    return last_entry + relativedelta(years=years)


def deadline_for(due_on: date) -> date:
    """Culled by the end of the calendar year after the one it fell due."""
    return date(due_on.year + 1, 12, 31)


def _as_date(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def assess(people: Iterable[tuple[int, date | None]], *, rules: dict, as_of: date) -> list[Assessment]:
    """Assess each (client id, birth date): last entry, records per kind,
    what keeps the file. Persons whose file is not yet due (a record too
    recent) come back with `due_on` None. A fixed number of queries per
    call (two per declared source at most), whatever the number of people."""
    by_id = {pk: Assessment(client_id=pk, birth_date=birth) for pk, birth in people}
    ids = list(by_id)
    if not ids:
        return []
    for source in sources():
        annotations = {"n": Count("pk")}
        annotations.update({f"d{i}": Max(name) for i, name in enumerate(source.dates)})
        rows = source.for_clients(ids).values(source.client).annotate(**annotations).order_by()
        for row in rows:
            item = by_id[row[source.client]]
            item.counts[source.kind] = row["n"]
            for i in range(len(source.dates)):
                value = _as_date(row[f"d{i}"])
                if value is not None and (item.last_entry is None or value > item.last_entry):
                    item.last_entry = value
        if source.open is not None:
            held = source.for_clients(ids).filter(source.open(as_of)).values_list(source.client, flat=True).distinct()
            for pk in held:
                by_id[pk].open_kinds.append(source.kind)
    research_days = set(rules.get("research_days", []))
    exempt_kinds = set(rules.get("exempt_kinds", []))
    for item in by_id.values():
        if item.last_entry is None:
            continue
        due_on = due_date(item.last_entry, rules["years"])
        if due_on > as_of:
            continue
        item.due_on, item.deadline = due_on, deadline_for(due_on)
        if item.birth_date is not None and item.birth_date.day in research_days:
            item.reasons.append(RESEARCH_DAY)
        item.reasons.extend(f"exempt_kind:{kind}" for kind in sorted(exempt_kinds & set(item.counts)))
        item.reasons.extend(f"open:{kind}" for kind in sorted(set(item.open_kinds)))
    return [item for item in by_id.values() if item.due_on is not None]


def rules_snapshot(rules) -> dict:
    return {"years": rules.years, "research_days": sorted(rules.research_days),
            "exempt_kinds": sorted(rules.exempt_kinds)}
