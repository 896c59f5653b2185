"""Demo data: housing_first (docs/housing-chain.md "Housing First").

Per unit, as seed 002 describes the work: candidates proposed by the unit's
case officers and, through the reversed referral, from outreach orders; the
working group's assessments (some candidates met twice); two steering group
decisions (an older one kept as history and the one in force); and one
candidate decided with a Housing First decision, which then waits for an
apartment with the steering group's priority and the candidate's needs
(as tenancies.housing_first writes them). Fictional data only; a unit that already has candidates is left
as it is, so a second run adds nothing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import translation
from django.utils.translation import gettext as _

from accounts.roles import Role
from referrals.models import Client, Decision, DecisionKind, DecisionOutcome, LegalTopic, Order, OrderKind
from referrals.models.housing_first import (
    CandidateAssessment,
    CandidateStage,
    HomelessSituation,
    HousingFirstCandidate,
    ProposalSource,
    SteeringDecision,
    SteeringPriority,
)
from referrals.services.legal import reference_for
from tenancies.housing_first import needs_text
from tenancies.models import HousingNeeds, WaitingPriority

from ..context import DemoContext
from .common import rng_for

# At national scale the list is made for a few units only: the pages are
# the same, and the seed keeps its two minutes.
NATIONAL_UNITS = 3

NEEDS = [
    "Sover ute eller i trapphus sedan flera månader. Stort behov av stöd i kontakt med vård och myndigheter.",
    "Skrivs snart ut från behandlingshem utan bostad att gå till. Behöver stöd i vardagen och med ekonomin.",
    "Bor växelvis hos bekanta, nekas härbärge efter konflikter. Sammansatt social problematik.",
    "Långvarig hemlöshet, har inte lyckats komma vidare i andra boendelösningar. Behöver tätt stöd.",
    "Akut hemlös efter vräkning. Psykisk ohälsa, inget fastställt missbruk.",
]
NOTES = [
    "Arbetsgruppen bedömer att behovet är mycket akut just nu. Rekommenderas till styrgruppen.",
    "Behovet är stort men personen har för närvarande en tillfällig lösning. Bedöms igen vid nästa möte.",
    "Handläggaren har lagt till aktuell information. Arbetsgruppen ser Bostad först som rätt insats här och nu.",
]


def seed(ctx: DemoContext) -> None:
    rng = rng_for(ctx, "housing_first")
    units = ctx.units[:NATIONAL_UNITS] if ctx.scale == "national" else ctx.units
    for unit in units:
        if HousingFirstCandidate.objects.filter(unit=unit).exists():
            continue
        roles = ctx.users_by_unit.get(unit.pk, {})
        officers, managers = roles.get(Role.CASE_OFFICER, []), roles.get(Role.MANAGER, [])
        if not officers or not managers:
            continue
        _seed_unit(ctx, rng, unit, officers[0], managers[0])


def _seed_unit(ctx, rng, unit, officer, manager) -> None:
    today = ctx.today
    busy = set(Decision.objects.filter(kind=DecisionKind.HOUSING_FIRST).values_list("client_id", flat=True))
    clients = [c for c in Client.objects.filter(unit=unit).order_by("pk")[:200] if c.pk not in busy]
    people = [(client, None) for client in rng.sample(clients, min(5, len(clients)))]
    orders = list(
        Order.objects.filter(unit=unit, kind=OrderKind.OUTREACH, client__isnull=True).order_by("-sent_at", "pk")[:2]
    )
    people += [(None, order) for order in orders]
    candidates = []
    for i, (client, order) in enumerate(people):
        candidates.append(HousingFirstCandidate.objects.create(
            unit=unit, client=client, outreach_order=order,
            source=ProposalSource.UNIT if client else ProposalSource.OUTREACH,
            proposed_by=officer if client or not order.active_pilot_id else order.active_pilot,
            proposed_on=today - timedelta(days=200 - 15 * i),
            situation=rng.choice([HomelessSituation.ACUTE, HomelessSituation.ACUTE, HomelessSituation.INSTITUTION,
                                  HomelessSituation.SHORT_TERM_PRIVATE]),
            needs=rng.choice(NEEDS),
            assessment="Aktuell för Bostad först enligt handläggarens bedömning." if client else "",
        ))
    # The working group: the first five assessed, two of them twice.
    for i, candidate in enumerate(candidates[:5]):
        for meeting in range(2 if i < 2 else 1):
            CandidateAssessment.objects.create(
                candidate=candidate, met_on=candidate.proposed_on + timedelta(days=20 + 60 * meeting),
                notes=rng.choice(NOTES), recommendation=CandidateAssessment.Recommendation.RECOMMEND,
                recorded_by=officer,
            )
        candidate.stage = CandidateStage.ASSESSED
    if len(candidates) < 4:
        for candidate in candidates:
            candidate.save()
        return
    # The steering group: an older order (history) and the one in force.
    older = SteeringDecision.objects.create(unit=unit, decided_on=today - timedelta(days=90), decided_by=manager,
                                            notes="Fiktivt protokoll: första prioriteringen.")
    newest = SteeringDecision.objects.create(unit=unit, decided_on=today - timedelta(days=30), decided_by=manager,
                                             notes="Fiktivt protokoll: störst behov vid bedömningstillfället först.")
    for decision, ordered in ((older, candidates[:3]), (newest, [candidates[1], candidates[3], candidates[0]])):
        SteeringPriority.objects.bulk_create(
            SteeringPriority(steering_decision=decision, candidate=c, position=place)
            for place, c in enumerate(ordered, start=1)
        )
    for candidate in (candidates[1], candidates[3], candidates[0]):
        candidate.stage = CandidateStage.PRIORITISED
    # The first in the order got its Housing First decision; it now waits
    # for an apartment among the non-executed decisions.
    first = candidates[1]
    decided_on = today - timedelta(days=20)
    basis = reference_for(LegalTopic.ASSISTANCE, decided_on)
    if first.client_id and basis is not None:
        first.decision = Decision.objects.create(
            client_id=first.client_id, kind=DecisionKind.HOUSING_FIRST, legal_basis=basis,
            applied_on=first.proposed_on, decided_on=decided_on, outcome=DecisionOutcome.GRANTED,
            valid_from=decided_on, decided_by=officer,
            reasoning="Prioriterad av styrgruppen för Bostad först: lägenhet utan krav på nykterhet eller behandling.",
        )
        first.stage = CandidateStage.DECIDED
        # As services.housing_first.make_decision would: the steering
        # group's place and the candidate's needs go with it to the waiting
        # list (tenancies.housing_first), written directly (demo data).
        with translation.override("sv"):
            WaitingPriority.objects.create(
                decision=first.decision, level=WaitingPriority.Level.HIGH, set_by=officer,
                reason=_("Housing First: place %(place)s of %(places)s in the steering group's priority order of "
                         "%(date)s.") % {"place": 1, "places": 3, "date": f"{newest.decided_on:%Y-%m-%d}"},
            )
            HousingNeeds.objects.create(decision=first.decision, notes=needs_text(first))
    for candidate in candidates:
        candidate.save()
