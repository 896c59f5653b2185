"""Demo data: the waiting list (docs/housing-chain.md, "The waiting list").

The casework demo executes almost every apartment decision, so each unit
first gets a few granted apartment decisions still waiting (WAITING_PER_UNIT,
decided 5–85 days ago: none past the IVO deadline, some within 30 days of it), for
clients with no tenancy and no apartment decision waiting; a training
apartment with its bolots-support decision (the package rule). Then most apartment decisions of the demo get housing needs (rooms,
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

from accounts.roles import Role
from core.calendar import add_years, last_day_within
from referrals.models import Client, Decision, DecisionKind, DecisionOutcome, LegalReference, LegalTopic
from referrals.models.decisions import REPORTING_MONTHS
from referrals.services.legal import reference_for
from tenancies.models import Area, HousingNeeds, Tenancy, WaitingPriority

from ..context import DemoContext
from .common import rng_for

# Waiting apartment decisions made per unit (fewer at national scale).
WAITING_PER_UNIT = {"national": 2}
WAITING_DEFAULT = 6
WAITING_KINDS = [DecisionKind.TRAINING_APARTMENT, DecisionKind.TRAINING_APARTMENT, DecisionKind.EMERGENCY_HOUSING,
                 DecisionKind.TRIAL_APARTMENT, DecisionKind.HOUSING_FIRST]
DEMO_REASONING = "Fiktivt beslut (demodata): beviljas i väntan på ledig lägenhet."

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
    _make_waiting(ctx, rng, [unit for unit in ctx.units if unit.pk not in done])
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
    seen_in_unit: dict[int, int] = defaultdict(int)
    for pk, unit_id, kind, officer_id in waiting:
        # The first of each unit always gets needs (a unit with needs is
        # done: a second run skips it), and the first two a priority, the
        # first with a history of two, so every unit shows both.
        place = seen_in_unit[unit_id]
        seen_in_unit[unit_id] += 1
        if place == 0 or rng.random() < NEEDS_SHARE:
            needs_rows.append(_needs(rng, pk, kind))
            unit_areas = areas[unit_id]
            if unit_areas and rng.random() < 0.6:
                area_links.append((pk, rng.sample(unit_areas, k=min(len(unit_areas), rng.choice([1, 1, 2])))))
        if place < 2 or rng.random() < PRIORITY_SHARE:
            priorities.extend(_priorities(rng, pk, officer_id, history=True if place == 0 else None))

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


def _make_waiting(ctx: DemoContext, rng, units) -> None:
    """WAITING_PER_UNIT granted apartment decisions not yet executed, per unit."""
    today = ctx.today
    per_unit = WAITING_PER_UNIT.get(ctx.scale, WAITING_DEFAULT)
    housed = Tenancy.objects.filter(end_date__isnull=True).values("client_id")
    waiting = Decision.objects.not_executed().filter(kind__in=DecisionKind.apartment_kinds()).values("client_id")
    candidates = (
        Client.objects.filter(unit__in=units).exclude(pk__in=housed).exclude(pk__in=waiting)
        .order_by("unit_id", "pk").values_list("pk", "unit_id")
    )
    by_unit: dict[int, list[int]] = defaultdict(list)
    for client_id, unit_id in candidates:
        by_unit[unit_id].append(client_id)
    basis = reference_for(LegalTopic.ASSISTANCE, today) or LegalReference.objects.order_by("pk").first()
    rows = []
    for unit in units:
        officers = ctx.users_by_unit.get(unit.pk, {}).get(Role.CASE_OFFICER) or []
        clients = by_unit.get(unit.pk, [])
        if not officers or not clients or basis is None:
            continue
        for client_id in rng.sample(clients, k=min(per_unit, len(clients))):
            kind = rng.choice(WAITING_KINDS)
            # Never past the IVO deadline (the demo keeps at most one late
            # decision a year, as in the evaluation): some within 30 days of it.
            decided = today - timedelta(days=rng.randint(5, 85))
            officer = rng.choice(officers)
            kinds = [DecisionKind.BOLOTS_SUPPORT, kind] if kind == DecisionKind.TRAINING_APARTMENT else [kind]
            for each in kinds:
                rows.append(Decision(
                    client_id=client_id, kind=each, legal_basis=basis, applied_on=decided - timedelta(days=14),
                    decided_on=decided, outcome=DecisionOutcome.GRANTED, valid_from=decided,
                    valid_to=add_years(decided, 2),
                    decided_by_id=officer.pk, reasoning=DEMO_REASONING,
                    # Derived in Decision.save(), which bulk_create skips.
                    execution_due_by=last_day_within(decided, REPORTING_MONTHS),
                ))
    Decision.objects.bulk_create(rows, batch_size=1000)


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


def _priorities(rng, decision_id: int, officer_id: int, history: bool | None = None) -> list[tuple[WaitingPriority, int]]:
    """The decision's priorities with how many days ago each was set;
    `history`: with an earlier one replaced (None: by HISTORY_SHARE)."""
    level = rng.choice([WaitingPriority.Level.URGENT, WaitingPriority.Level.HIGH, WaitingPriority.Level.HIGH,
                        WaitingPriority.Level.NORMAL])
    now_days = rng.randint(1, 20)
    rows = []
    if history or (history is None and rng.random() < HISTORY_SHARE):
        earlier_level, earlier_reason = rng.choice([item for item in EARLIER if item[0] != level])
        rows.append((WaitingPriority(decision_id=decision_id, level=earlier_level, reason=earlier_reason,
                                     set_by_id=officer_id), now_days + rng.randint(10, 45)))
    rows.append((WaitingPriority(decision_id=decision_id, level=level, reason=rng.choice(REASONS[level]),
                                 set_by_id=officer_id), now_days))
    return rows
