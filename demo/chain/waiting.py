"""Demo data: the waiting list (docs/housing-chain.md, "The waiting list").

Most waiting apartment decisions of the demo get housing needs (rooms,
lift, children, areas of the unit, accessibility, other needs); a few get a
priority with a reason, some with a history of two (an older priority that
a newer one replaced). Texts are fictional. A unit whose waiting decisions
already have needs or priorities is left alone, so a second run adds
nothing. A handful of queries for all units together (national scale).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from referrals.models import Decision, DecisionKind
from tenancies.models import Area, HousingNeeds, WaitingPriority

from ..context import DemoContext
from .common import rng_for

# Share of waiting decisions with needs, and with a priority.
NEEDS_SHARE = 0.85
PRIORITY_SHARE = 0.25
# Of those with a priority, the share whose first priority was later replaced.
HISTORY_SHARE = 0.4

ACCESSIBILITY = [
    "", "", "", "", "Rullstol: inga trösklar, plats att vända i badrummet.", "Går med rollator.",
    "Nedsatt syn: behöver god belysning i trapphuset.", "Klarar inte trappor efter en höftoperation.",
]
NOTES = [
    "", "", "Har en katt.", "Vill bo nära tunnelbanan för arbetet.", "Behöver närhet till barnens skola.",
    "Ska inte bo i samma område som tidigare partner.", "Undviker centrum: tidigare umgänge med missbruk där.",
    "Umgängesrätt varannan helg: behöver plats för barnen.", "Behöver närhet till öppenvården.",
]
# (level, reason): the priority now in force.
REASONS = {
    WaitingPriority.Level.URGENT: [
        "Vräkning verkställs inom två veckor; barn i hushållet.",
        "Bor i bil sedan härbärget stängde; försämrad hälsa.",
        "Skyddsbehov efter våld i nära relation; tillfälligt skyddat boende upphör.",
    ],
    WaitingPriority.Level.HIGH: [
        "Utskrivning från behandlingshem planerad; inget boende efter utskrivningen.",
        "Andrahandskontraktet hos släkt upphör vid månadsskiftet.",
        "Jourlägenheten behövs för ett akut ärende; klienten är redo för träningslägenhet.",
    ],
    WaitingPriority.Level.NORMAL: [
        "Har fått tillfälligt boende hos en vän i tre månader.",
        "Stabil situation i jourlägenheten; ingen brådska.",
    ],
}
# The older priority of a decision with a history: what was first said.
EARLIER = [
    (WaitingPriority.Level.NORMAL, "Bor tillfälligt hos syster; situationen bedöms stabil."),
    (WaitingPriority.Level.HIGH, "Uppsägning av hyreskontraktet väntas."),
    (WaitingPriority.Level.URGENT, "Akut hemlös efter avhysning."),
]


def seed(ctx: DemoContext) -> None:
    rng = rng_for(ctx, "waiting")
    unit_ids = [unit.pk for unit in ctx.units]
    done = set(
        HousingNeeds.objects.filter(decision__client__unit_id__in=unit_ids)
        .values_list("decision__client__unit_id", flat=True).distinct()
    ) | set(
        WaitingPriority.objects.filter(decision__client__unit_id__in=unit_ids)
        .values_list("decision__client__unit_id", flat=True).distinct()
    )
    waiting = list(
        Decision.objects.not_executed()
        .filter(client__unit_id__in=[pk for pk in unit_ids if pk not in done], kind__in=DecisionKind.apartment_kinds())
        .values_list("pk", "client__unit_id", "kind", "decided_by_id")
        .order_by("pk")
    )
    areas = defaultdict(list)
    for area in Area.objects.filter(unit_id__in=unit_ids, is_active=True).order_by("name", "pk"):
        areas[area.unit_id].append(area)

    needs_rows, area_links, priorities = [], [], []
    for pk, unit_id, kind, officer_id in waiting:
        if rng.random() < NEEDS_SHARE:
            needs_rows.append(_needs(rng, pk, kind))
            unit_areas = areas[unit_id]
            if unit_areas and rng.random() < 0.6:
                area_links.append((pk, rng.sample(unit_areas, k=min(len(unit_areas), rng.choice([1, 1, 2])))))
        if rng.random() < PRIORITY_SHARE:
            priorities.extend(_priorities(rng, pk, officer_id))

    HousingNeeds.objects.bulk_create(needs_rows, batch_size=1000)
    by_decision = dict(
        HousingNeeds.objects.filter(decision_id__in=[pk for pk, _areas in area_links]).values_list("decision_id", "pk")
    )
    Through = HousingNeeds.areas.through
    Through.objects.bulk_create(
        [Through(housingneeds_id=by_decision[pk], area_id=area.pk) for pk, chosen in area_links for area in chosen],
        batch_size=1000,
    )
    # set_at is auto_now_add: written as now, then dated back (one bulk update).
    made = WaitingPriority.objects.bulk_create([row for row, _days in priorities], batch_size=1000)
    for row, (_row, days_ago) in zip(made, priorities, strict=True):
        row.set_at = timezone.now() - timedelta(days=days_ago)
    WaitingPriority.objects.bulk_update(made, ["set_at"], batch_size=1000)
    ctx.log(f"Väntelista: {len(needs_rows)} beslut med boendebehov, {len(priorities)} prioriteringar")


def _needs(rng, decision_id: int, kind: str) -> HousingNeeds:
    children = rng.choice([0, 0, 0, 0, 1, 2, 3])
    low = Decimal(rng.choice([1, 1, 1, 2])) + (1 if children >= 2 else 0)
    high = low + rng.choice([0, 1, 1]) if rng.random() < 0.7 else None
    lift = rng.random() < 0.15
    return HousingNeeds(
        decision_id=decision_id,
        rooms_min=low,
        rooms_max=high,
        needs_lift=lift,
        max_floor=rng.choice([None, None, 0, 2, 3]) if not lift else None,
        accessibility=rng.choice(ACCESSIBILITY) if lift or rng.random() < 0.2 else "",
        children=children if kind != DecisionKind.EMERGENCY_HOUSING else min(children, 1),
        notes=rng.choice(NOTES),
    )


def _priorities(rng, decision_id: int, officer_id: int) -> list[tuple[WaitingPriority, int]]:
    """The decision's priorities with how many days ago each was set."""
    level = rng.choice([WaitingPriority.Level.URGENT, WaitingPriority.Level.HIGH, WaitingPriority.Level.HIGH,
                        WaitingPriority.Level.NORMAL])
    now_days = rng.randint(1, 20)
    rows = []
    if rng.random() < HISTORY_SHARE:
        earlier_level, earlier_reason = rng.choice([item for item in EARLIER if item[0] != level])
        rows.append((WaitingPriority(decision_id=decision_id, level=earlier_level, reason=earlier_reason,
                                     set_by_id=officer_id), now_days + rng.randint(10, 45)))
    rows.append((WaitingPriority(decision_id=decision_id, level=level, reason=rng.choice(REASONS[level]),
                                 set_by_id=officer_id), now_days))
    return rows
