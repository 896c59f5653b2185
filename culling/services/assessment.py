"""Who is due for culling, and why someone is kept: one reading of every
app's records, shared by the dry run, the re-check before a person is
culled and the command.

The date rule (docs/culling.md): a file is due `years` after its last entry
(the latest entry date over all the person's records in every app), and
must be culled by the end of the next calendar year.

One person may have several client records (people without a Swedish
number, registered twice and linked as the same person: referrals'
PersonLink). The rule "nothing of a person is culled while other records
on them remain" is the person's, so the records linked as the same person
are assessed as one: the latest entry, the open records, the research day
and the exempt kinds of any of them hold for all of them, and they are
culled together (services.execution).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Max, Q
from django.utils import timezone

from referrals.models import Client
from referrals.models.links import PersonLink, PersonLinkKind

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
    # The other client records of the same person (same_person links in
    # force, followed transitively); their dates and open records count here.
    linked: list[int] = field(default_factory=list)

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


def same_person_groups(ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """{client id: every record of the same person, itself included} for
    the records of `ids` that are linked to another. Follows same_person
    links in force between two client files transitively (A = B and B = C:
    one person), one query per step of a chain: a unit-wide dry run finds
    its links in one (every linked record is already in `ids`), a single
    person's re-check in two. Undone links and "someone else" confirmations
    tie nothing; a link to an outreach order is not a second file (the order
    is the client's own record)."""
    seen = set(ids)
    frontier = set(seen)
    edges: list[tuple[int, int]] = []
    while frontier:
        rows = (PersonLink.objects.filter(kind=PersonLinkKind.SAME_PERSON, unlinked_at__isnull=True,
                                          other_client__isnull=False)
                .filter(Q(client_id__in=frontier) | Q(other_client_id__in=frontier))
                .values_list("client_id", "other_client_id").distinct())
        frontier = set()
        for pair in rows:
            edges.append(pair)
            frontier.update(pk for pk in pair if pk not in seen)
        seen |= frontier
    parent: dict[int, int] = {}

    def root(pk: int) -> int:
        parent.setdefault(pk, pk)
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    for a, b in edges:
        parent[root(a)] = root(b)
    members: dict[int, set[int]] = {}
    for pk in parent:
        members.setdefault(root(pk), set()).add(pk)
    return {pk: frozenset(members[root(pk)]) for pk in parent}


def assess(people: Iterable[tuple[int, date | None]], *, rules: dict, as_of: date) -> list[Assessment]:
    """Assess each (client id, birth date): last entry, records per kind,
    what keeps the file. Persons whose file is not yet due (a record too
    recent) come back with `due_on` None. A fixed number of queries per
    call (two per declared source at most, plus the links and the birth
    dates of linked records not asked about), whatever the number of people.

    A record linked to others as the same person (same_person_groups) is
    assessed with them: its last entry is the latest of the group, it is
    kept for an open record, a research day or an exempt kind of any of
    them; `counts` stay the record's own (what culling it removes)."""
    asked = dict(people)
    if not asked:
        return []
    groups = same_person_groups(asked)
    births = dict(asked)
    others = set().union(*groups.values()) - set(asked) if groups else set()
    if others:
        # A linked record this call was not asked about (the re-check of
        # one person; a link to another unit's file).
        births.update(Client.objects.filter(pk__in=others).values_list("pk", "birth_date"))
    by_id = {pk: Assessment(client_id=pk, birth_date=birth) for pk, birth in births.items()}
    ids = list(by_id)
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
    found = []
    for pk in asked:
        item = by_id[pk]
        # A member deleted meanwhile has no row: it keeps nothing.
        group = [by_id[m] for m in sorted(groups.get(pk, {pk})) if m in by_id]
        entries = [m.last_entry for m in group if m.last_entry is not None]
        if not entries:
            continue
        last_entry = max(entries)
        due_on = due_date(last_entry, rules["years"])
        if due_on > as_of:
            continue
        item.linked = [m.client_id for m in group if m.client_id != pk]
        item.last_entry, item.due_on, item.deadline = last_entry, due_on, deadline_for(due_on)
        if any(m.birth_date is not None and m.birth_date.day in research_days for m in group):
            item.reasons.append(RESEARCH_DAY)
        kinds = set().union(*(m.counts for m in group))
        item.reasons.extend(f"exempt_kind:{kind}" for kind in sorted(exempt_kinds & kinds))
        item.reasons.extend(f"open:{kind}" for kind in sorted(set().union(*(m.open_kinds for m in group))))
        found.append(item)
    return found


def rules_snapshot(rules) -> dict:
    return {"years": rules.years, "research_days": sorted(rules.research_days),
            "exempt_kinds": sorted(rules.exempt_kinds)}
