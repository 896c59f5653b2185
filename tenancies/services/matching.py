"""Matching: which waiting decisions fit a vacant apartment
(docs/housing-chain.md, "Matching and offers").

A candidate is a granted decision of the apartment's unit that is neither
executed nor closed nor annulled, of the kind the apartment executes, valid
today or later, and without an open offer (pending or accepted) on any
apartment. Its housing needs (tenancies.HousingNeeds; no needs row means
anything will do) are then checked against the apartment's facts:

Hard rules (a decision that fails one is no candidate):
- rooms within the needs' rooms_min and rooms_max;
- needs a lift or ground floor: the apartment has a lift, or its floor is
  0 or lower (the ground floor, "bottenvåning", is floor 0);
- highest floor: the apartment's floor is at most max_floor;
- areas: the apartment's area is one of them (no areas: any area).

Soft mismatches (the decision stays a candidate, the case officer judges):
- a fact the rule needs is not recorded on the apartment (floor, area);
- children: fewer rooms than the children plus one (a room for the parent
  or parents and one per child is a guide, not a rule: a family may choose
  a smaller apartment over waiting);
- other accessibility needs written as text: to be checked by hand;
- the decision is valid only from a later day;
- the client lives in a programme apartment now (the move would be an
  internal move).

Order: the newest priority's level (urgent first; no priority counts as
normal), then the oldest decision, then the decision's id.

The rows are read with one query whatever their number (decisions with
their needs, latest priority, the needs' areas as flags, and, for a page,
the clients the user may open: Client.objects.visible_to); the fit itself
is a pure function of those rows. A person with protected personal data
is left out in SQL for a user who may not see them beside the apartment,
so that no read of a person not shown is logged (referrals.protection)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import BooleanField, Count, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from core.formatting import decimal_text
from referrals.models import Client, Decision, ProtectionLevel

from ..models import ApartmentOffer, HousingNeeds, OfferState, Tenancy, Vacancy, WaitingPriority

if TYPE_CHECKING:
    from datetime import date

    from ..models import Apartment

# No priority set: the order of a normal one.
DEFAULT_LEVEL = WaitingPriority.Level.NORMAL


@dataclass
class Candidate:
    decision: Decision
    fits: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    level: int = DEFAULT_LEVEL
    priority_reason: str = ""
    has_priority: bool = False
    protected: bool = False
    days_waiting: int = 0
    client: Client | None = None

    @property
    def level_label(self) -> str:
        return str(WaitingPriority.Level(self.level).label)

    @property
    def sort_key(self) -> tuple:
        return (self.level, self.decision.decided_on, self.decision.pk)


def _apartment(vacancy_or_apartment) -> Apartment:
    if isinstance(vacancy_or_apartment, Vacancy):
        return vacancy_or_apartment.apartment
    return vacancy_or_apartment


def waiting_decisions(apartment: Apartment, today: date, *, user=None, sees_protected: bool = True):
    """The decisions that could be offered `apartment`, before the needs
    are checked, with what the fit needs annotated: one query.

    Without `user` no client is loaded (only its protection level, as a
    value). With `user` only the clients `user` may open
    (Client.objects.visible_to) are read, in the same query; people with
    protected personal data are left out in SQL unless `sees_protected`,
    so that no read of a person not shown is logged."""
    latest = WaitingPriority.objects.filter(decision=OuterRef("pk")).order_by("-set_at", "-id")
    open_offer = ApartmentOffer.objects.filter(decision=OuterRef("pk"), state__in=OfferState.open_states())
    lives_in_programme = Tenancy.objects.filter(client=OuterRef("client_id"), end_date__isnull=True)
    areas = HousingNeeds.areas.through.objects.filter(housingneeds_id=OuterRef("housing_needs__pk"))
    queryset = (
        Decision.objects.not_executed()
        .filter(client__unit_id=apartment.unit_id, kind=apartment.decision_kind)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .exclude(Exists(open_offer))
        .annotate(
            priority_level=Subquery(latest.values("level")[:1]),
            priority_reason=Subquery(latest.values("reason")[:1]),
            client_protection=F("client__protection_level"),
            lives_in_programme=Exists(lives_in_programme),
            # The needs' areas as two flags, so that no query per row (nor a
            # prefetch) is needed: has it any, and is the apartment's one of them.
            wants_areas=Exists(areas),
            in_wanted_area=Exists(areas.filter(area_id=apartment.area_id)) if apartment.area_id else Value(False, output_field=BooleanField()),
        )
        .select_related("housing_needs")
        .order_by("decided_on", "pk")
    )
    if user is not None:
        queryset = queryset.filter(client__in=Client.objects.visible_to(user)).select_related("client")
        if not sees_protected:
            queryset = queryset.filter(client__protection_level=ProtectionLevel.NONE)
    return queryset


def protected_waiting_count(apartment_decision_kind):
    """SQL: how many decisions of the apartment's unit on the kind it
    executes wait for persons with protected personal data (an annotation
    of an Apartment queryset that has `needs_decision`; the pages that leave
    them out say how many)."""
    rows = (
        Decision.objects.not_executed()
        .filter(client__unit_id=OuterRef("unit_id"), kind=apartment_decision_kind)
        .exclude(client__protection_level=ProtectionLevel.NONE)
        .values("client__unit_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows[:1]), Value(0))


def _needs_of(decision: Decision) -> HousingNeeds | None:
    try:
        return decision.housing_needs
    except HousingNeeds.DoesNotExist:
        return None


def _rooms(value) -> str:
    return decimal_text(value)


def fit(apartment: Apartment, decision: Decision, needs: HousingNeeds | None, today: date):
    """(fits, mismatches) of `decision` for `apartment`, or None when a
    hard rule excludes it. Pure: reads only the row given (the needs'
    areas as the flags waiting_decisions annotates)."""
    fits = [_("Kind of apartment: %(kind)s") % {"kind": apartment.get_kind_display()}]
    mismatches = []
    if needs is None:
        fits.append(_("No housing needs recorded: any apartment of the kind will do"))
    else:
        low, high = needs.rooms_min, needs.rooms_max
        if (low is not None and apartment.rooms < low) or (high is not None and apartment.rooms > high):
            return None
        if low is not None or high is not None:
            wanted = (
                f"{_rooms(low)}–{_rooms(high)}" if low is not None and high is not None
                else (_("at least %(n)s") % {"n": _rooms(low)} if low is not None
                      else _("at most %(n)s") % {"n": _rooms(high)})
            )
            fits.append(_("%(rooms)s rooms (needs %(wanted)s)") % {"rooms": _rooms(apartment.rooms), "wanted": wanted})
        if needs.needs_lift:
            if apartment.has_lift:
                fits.append(_("Lift"))
            elif apartment.floor is None:
                mismatches.append(_("Needs a lift or ground floor: the floor is not recorded"))
            elif apartment.floor <= 0:
                fits.append(_("Ground floor"))
            else:
                return None
        if needs.max_floor is not None:
            if apartment.floor is None:
                mismatches.append(
                    _("Highest floor %(n)s: the floor is not recorded") % {"n": needs.max_floor}
                )
            elif apartment.floor > needs.max_floor:
                return None
            else:
                fits.append(_("Floor %(floor)s (at most %(n)s)") % {"floor": apartment.floor, "n": needs.max_floor})
        if getattr(decision, "wants_areas", False):
            if apartment.area_id is None:
                mismatches.append(_("Wants certain areas: the apartment's area is not recorded"))
            elif not decision.in_wanted_area:
                return None
            else:
                fits.append(_("Area: %(area)s") % {"area": apartment.area.name})
        if needs.children:
            if apartment.rooms < needs.children + 1:
                mismatches.append(
                    _("%(children)s children: fewer rooms than the children plus one") % {"children": needs.children}
                )
            else:
                fits.append(_("Room for %(children)s children") % {"children": needs.children})
        if needs.accessibility.strip():
            mismatches.append(_("Other accessibility needs to check: %(text)s") % {"text": needs.accessibility.strip()})
    if decision.valid_from > today:
        mismatches.append(_("The decision is valid from %(day)s") % {"day": decision.valid_from.strftime("%Y-%m-%d")})
    if getattr(decision, "lives_in_programme", False):
        mismatches.append(_("Lives in a programme apartment now: the move would be an internal move"))
    return fits, mismatches


def candidates_for(vacancy_or_apartment, today: date, *, user=None, sees_protected: bool = True) -> list[Candidate]:
    """The waiting decisions that fit the apartment (of a vacancy), in the
    order they should be offered it; one query. With `user`, each with its
    client read through Client.objects.visible_to (see waiting_decisions);
    without, no client is read (attach_clients can add them)."""
    apartment = _apartment(vacancy_or_apartment)
    result = []
    for decision in waiting_decisions(apartment, today, user=user, sees_protected=sees_protected):
        outcome = fit(apartment, decision, _needs_of(decision), today)
        if outcome is None:
            continue
        fits, mismatches = outcome
        result.append(
            Candidate(
                decision=decision,
                fits=fits,
                mismatches=mismatches,
                level=decision.priority_level or DEFAULT_LEVEL,
                priority_reason=decision.priority_reason or "",
                has_priority=decision.priority_level is not None,
                protected=decision.client_protection != ProtectionLevel.NONE,
                days_waiting=decision.days_waiting(today),
                client=decision.client if user is not None else None,
            )
        )
    result.sort(key=lambda candidate: candidate.sort_key)
    return result


def attach_clients(candidates: list[Candidate], user, *, sees_protected: bool) -> tuple[list[Candidate], int]:
    """The candidates `user` may be shown, each with its client read through
    Client.objects.visible_to (one query; the reads are logged), and how
    many were left out because the person has protected personal data and
    the user may not see them beside the apartment (referrals.protection).
    A candidate whose client the user may not open is left out too."""
    hidden = 0
    shown = []
    for candidate in candidates:
        if candidate.protected and not sees_protected:
            hidden += 1
        else:
            shown.append(candidate)
    clients = Client.objects.visible_to(user).in_bulk([candidate.decision.client_id for candidate in shown])
    visible = []
    for candidate in shown:
        client = clients.get(candidate.decision.client_id)
        if client is None:
            continue
        candidate.client = client
        candidate.decision.client = client
        visible.append(candidate)
    return visible, hidden
