"""Demo data: offers of vacant apartments to waiting decisions
(docs/housing-chain.md, "Matching and offers").

Per unit, among the decisions waiting for an apartment:
- declined offers during the past year (a reason from the catalogue and a
  fictional note), so that the IVO report's offers log shows them;
- accepted offers of vacant apartments with the move-in planned in the
  coming weeks;
- offers still waiting for an answer, one of them overdue.

Every offer has its row in the decision's IVO offers log (referrals.Offer),
as tenancies.services.offers.make_offer writes it: the apartment's kind and
rooms, never its address. Written directly (no audit rows: demo data),
respecting one open offer per apartment and per decision, in two bulk
inserts for all units. A second run adds
nothing: a unit that already has offers is left alone.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db.models import F

from accounts.roles import Role
from referrals.models import Decision, DecisionKind, Offer, OfferAnswer, OfferDeclineReason
from tenancies.models import Apartment, ApartmentKind, ApartmentOffer, ApartmentStatus, OfferState, Vacancy
from tenancies.services.offers import offer_description

from ..context import DemoContext
from .common import rng_for

# How many of each per unit (fewer when the unit has fewer waiting decisions).
DECLINED, ACCEPTED, PENDING = 6, 2, 2

NOTES = (
    "Vill bo nära barnens skola.",
    "Tycker att lägenheten är för liten.",
    "Har fått plats på behandlingshem.",
    "Svarade inte på brev eller telefon.",
    "Vill vänta på en lägenhet i ett annat område.",
    "",
)

KIND_OF_DECISION = {kind.decision_kind: kind for kind in ApartmentKind}


def _officer(ctx: DemoContext, unit):
    officers = ctx.users_by_unit.get(unit.pk, {}).get(Role.CASE_OFFICER) or []
    return officers[0] if officers else None


def _build(decision, apartment, *, offered_on, answer_by, move_in_on, state, answered_on=None, reason="", note="",
           made_by, vacancy_id=None):
    """The offer and its IVO row, unsaved (one bulk_create for all units:
    the national scale has 290)."""
    answer = {
        OfferState.DECLINED: OfferAnswer.DECLINED, OfferState.ACCEPTED: OfferAnswer.ACCEPTED,
    }.get(state, OfferAnswer.NO_ANSWER)
    ivo = Offer(
        decision=decision, offered_on=offered_on, description=offer_description(apartment), answer=answer,
        decline_reason=reason, note=note if state == OfferState.DECLINED else "",
    )
    offer = ApartmentOffer(
        apartment=apartment, vacancy_id=vacancy_id, decision=decision, offered_on=offered_on,
        move_in_on=move_in_on, answer_by=answer_by, state=state, answered_on=answered_on, decline_reason=reason,
        note=note, made_by=made_by,
    )
    return ivo, offer


def _save(pairs) -> int:
    ivos = Offer.objects.bulk_create([ivo for ivo, _offer in pairs])
    for ivo, (_ivo, offer) in zip(ivos, pairs, strict=True):
        offer.ivo_offer = ivo
    ApartmentOffer.objects.bulk_create([offer for _ivo, offer in pairs])
    return len(pairs)


class _Units:
    """What _seed_unit reads, for all units at once: five queries in all
    instead of five per unit (the national scale has 290), each unit's
    rows in the order the per-unit queries gave them."""

    def __init__(self, ctx: DemoContext) -> None:
        units = ctx.units
        today = ctx.today
        self.with_offers = set(
            ApartmentOffer.objects.filter(apartment__unit__in=units).values_list("apartment__unit_id", flat=True)
            .distinct()
        )
        self.waiting = defaultdict(list)
        for decision in (
            Decision.objects.not_executed()
            .filter(client__unit__in=units, kind__in=DecisionKind.apartment_kinds(),
                    decided_on__lt=today - timedelta(days=14))
            .filter(valid_from__lte=today)
            .annotate(demo_unit_id=F("client__unit_id"))
            .order_by("decided_on", "pk")
        ):
            self.waiting[decision.demo_unit_id].append(decision)
        # The programme's apartments (the vacant ones among them), by key.
        self.apartments = defaultdict(list)
        for apartment in Apartment.objects.filter(unit__in=units).in_programme().order_by("pk"):
            self.apartments[apartment.unit_id].append(apartment)
        # An apartment's open vacancy (the latest, as a dict built in the
        # model's order would keep).
        self.vacancy_ids = dict(
            Vacancy.objects.open().filter(apartment__unit__in=units).order_by("vacant_from", "pk")
            .values_list("apartment_id", "pk")
        )


def _seed_unit(ctx: DemoContext, unit, rng, loaded: _Units) -> list:
    made_by = _officer(ctx, unit)
    if made_by is None or unit.pk in loaded.with_offers:
        return []
    today = ctx.today
    waiting = loaded.waiting.get(unit.pk, [])
    if not waiting:
        return []
    apartments = {kind: [] for kind in ApartmentKind}
    for apartment in loaded.apartments.get(unit.pk, []):
        apartments[ApartmentKind(apartment.kind)].append(apartment)
    vacant = [a for a in loaded.apartments.get(unit.pk, []) if a.status == ApartmentStatus.VACANT]
    vacancies = loaded.vacancy_ids
    pairs = []

    # Declined offers in the past year: the decisions stay waiting.
    for decision in rng.sample(waiting, min(DECLINED, len(waiting))):
        kind = KIND_OF_DECISION[decision.kind]
        if not apartments[kind]:
            continue
        earliest = max(decision.decided_on + timedelta(days=7), today - timedelta(days=330))
        latest = today - timedelta(days=10)
        if earliest > latest:
            continue
        offered_on = earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
        pairs.append(_build(
            decision, rng.choice(apartments[kind]), offered_on=offered_on,
            answer_by=offered_on + timedelta(days=7), move_in_on=offered_on + timedelta(days=14),
            state=OfferState.DECLINED, answered_on=offered_on + timedelta(days=rng.randint(1, 7)),
            reason=rng.choice(OfferDeclineReason.values), note=rng.choice(NOTES), made_by=made_by,
        ))

    # Open offers of vacant apartments: accepted (move-in planned), then
    # pending (the first overdue), one per apartment and per decision.
    taken = set()
    plans = [OfferState.ACCEPTED] * ACCEPTED + [OfferState.PENDING] * PENDING
    for apartment in vacant:
        if not plans:
            break
        decision = next(
            (d for d in waiting if d.pk not in taken and d.kind == apartment.decision_kind), None
        )
        if decision is None:
            continue
        taken.add(decision.pk)
        state = plans.pop(0)
        if state == OfferState.ACCEPTED:
            offered_on = today - timedelta(days=rng.randint(3, 10))
            answer_by = offered_on + timedelta(days=7)
            answered_on = offered_on + timedelta(days=2)
            move_in_on = today + timedelta(days=rng.randint(5, 25))
        else:
            overdue = PENDING - plans.count(OfferState.PENDING) == 1
            offered_on = today - timedelta(days=10 if overdue else 2)
            answer_by = offered_on + timedelta(days=7)
            answered_on = None
            move_in_on = today + timedelta(days=14)
        pairs.append(_build(
            decision, apartment, offered_on=max(offered_on, decision.decided_on), answer_by=answer_by,
            move_in_on=move_in_on, state=state, answered_on=answered_on, made_by=made_by,
            vacancy_id=vacancies.get(apartment.pk),
        ))
    return pairs


def seed(ctx: DemoContext) -> None:
    """Offers per unit (see the module's docstring); a second run adds nothing."""
    rng = rng_for(ctx, "offers")
    loaded = _Units(ctx)
    # Written once for all units, in unit order: the same keys as unit by unit.
    made = _save([pair for unit in ctx.units for pair in _seed_unit(ctx, unit, rng, loaded)])
    ctx.log(f"  offers: {made}")
