"""The housing chain's part of the walk's world (world.py, issue 15): one
record of each kind a housing-chain page is about. One function per part;
each part fills its own and returns the objects its pages need, keyed by a
name no other part uses (the walk's ROUTES read them). Made directly or
with get-or-create of the demo's records: the world is built on a demo
database, whose unique constraints (one open vacancy and one open offer per
apartment, one narrative text per section) must not be broken."""

from datetime import date


def vacancy_objects(unit, users, today: date) -> dict:
    """An open vacancy of the unit (the demo's, rebuilt from its tenancies;
    one is opened on a vacant apartment if the demo left none)."""
    from tenancies.models import Apartment, ApartmentStatus
    from tenancies.models.chain import Vacancy, VacancyReason

    vacancy = Vacancy.objects.open().filter(apartment__unit=unit).order_by("pk").first()
    if vacancy is None:
        apartment = (
            Apartment.objects.filter(unit=unit, status=ApartmentStatus.VACANT)
            .exclude(vacancies__ended_on__isnull=True).order_by("pk").first()
        )
        vacancy = Vacancy.objects.create(apartment=apartment, vacant_from=today, reason=VacancyReason.MOVE_OUT)
    return {"vacancy": vacancy}


def waiting_objects(unit, users, today: date) -> dict:
    """A waiting apartment decision of the unit with its needs and a
    priority (the demo gives most of them needs already)."""
    from referrals.models import Client, Decision, DecisionKind
    from tenancies.models import Area, HousingNeeds, WaitingPriority
    from tenancies.tests.factories import granted_decision

    decision = (
        Decision.objects.not_executed()
        .filter(client__unit=unit, kind__in=DecisionKind.apartment_kinds())
        .order_by("pk")
        .first()
    )
    if decision is None:
        client = Client.objects.filter(unit=unit).order_by("pk").first()
        decision = granted_decision(client, kind=DecisionKind.TRAINING_APARTMENT, decided_on=today,
                                    decided_by=users["case_officer"])
    needs, _created = HousingNeeds.objects.get_or_create(
        decision=decision, defaults={"rooms_min": 1, "rooms_max": 2, "children": 1, "notes": "Fiktiva behov"},
    )
    area = Area.objects.filter(unit=unit).order_by("pk").first()
    if area is not None:
        needs.areas.add(area)
    if not decision.waiting_priorities.exists():
        WaitingPriority.objects.create(decision=decision, level=WaitingPriority.Level.HIGH,
                                       reason="Fiktiv prioritering", set_by=users["case_officer"])
    return {"waiting_decision": decision}


def offer_objects(unit, users, today: date) -> dict:
    """"apartment_offer": a pending offer of the unit when the demo made one
    (its page then shows the answer and withdrawal forms), else any;
    "offer_apartment": a vacant apartment without an open offer, to match;
    "offer_decision": a decision waiting for that apartment's kind, to
    offer it. Made when the demo has none (one open offer per apartment:
    a made offer is declined, which holds nothing)."""
    from referrals.models import Decision
    from referrals.tests.factories import ClientFactory
    from tenancies.models import Apartment, ApartmentOffer, ApartmentStatus, OfferState
    from tenancies.services.offers import offer_description
    from tenancies.tests.factories import ApartmentFactory, granted_decision

    offers = ApartmentOffer.objects.filter(apartment__unit=unit)
    open_apartments = offers.filter(state__in=OfferState.open_states()).values("apartment_id")
    apartment = (
        Apartment.objects.filter(unit=unit, status=ApartmentStatus.VACANT).exclude(pk__in=open_apartments)
        .order_by("pk").first()
        or ApartmentFactory(unit=unit)
    )
    decision = (
        Decision.objects.not_executed().filter(client__unit=unit, kind=apartment.decision_kind)
        .filter(client__protection_level="none")
        .exclude(apartment_offers__state__in=OfferState.open_states()).order_by("pk").first()
        # Named like the demo's clients in the world (world.NAME_PREFIX): a
        # Faker surname could be a staff member's, and the page walk would
        # take that staff member's name in a page header for this client.
        or granted_decision(ClientFactory(unit=unit, last_name="WalkanderKedja"), kind=apartment.decision_kind,
                            decided_on=today.replace(day=1),
                            decided_by=users["case_officer"])
    )
    # Not to a protected person: the offer's page would be refused to most users.
    unprotected = offers.filter(decision__client__protection_level="none")
    offer = unprotected.filter(state=OfferState.PENDING).order_by("pk").first() or unprotected.order_by("pk").first()
    if offer is None:
        from referrals.models import Offer, OfferAnswer

        ivo = Offer.objects.create(decision=decision, offered_on=today, description=offer_description(apartment),
                                   answer=OfferAnswer.DECLINED, decline_reason="other")
        offer = ApartmentOffer.objects.create(
            apartment=apartment, decision=decision, ivo_offer=ivo, offered_on=today, move_in_on=today,
            answer_by=today, state=OfferState.DECLINED, answered_on=today, decline_reason="other",
            made_by=users["case_officer"],
        )
    return {"apartment_offer": offer, "offer_apartment": apartment, "offer_decision": decision}


def housing_first_objects(unit, users, today: date) -> dict:
    """A candidate of the unit (the demo's list, or one made here) and the
    steering decision in force."""
    from referrals.models import Client
    from referrals.models.housing_first import (
        HousingFirstCandidate,
        ProposalSource,
        SteeringDecision,
        SteeringPriority,
    )

    candidate = HousingFirstCandidate.objects.filter(unit=unit, client__isnull=False).order_by("pk").first()
    if candidate is None:
        candidate = HousingFirstCandidate.objects.create(
            unit=unit, client=Client.objects.filter(unit=unit).order_by("pk").first(), source=ProposalSource.UNIT,
            proposed_by=users["case_officer"], proposed_on=today, situation="1", needs="Fiktivt behov",
            stage="assessed",
        )
    steering = SteeringDecision.objects.filter(unit=unit).order_by("-decided_on", "-id").first()
    if steering is None:
        steering = SteeringDecision.objects.create(unit=unit, decided_on=today, decided_by=users["manager"])
        SteeringPriority.objects.create(steering_decision=steering, candidate=candidate, position=1)
    return {"hf_candidate": candidate, "hf_steering": steering}


def person_link_objects(unit, users, today: date) -> dict:
    """A link of the unit (the demo's, demo/chain/person_links.py, or one
    made here) and an order without a client to link (services.person_matching)."""
    from audit.context import AuditContext
    from referrals.models import Client, Order, OrderKind
    from referrals.models.links import PersonLink
    from referrals.services import person_matching
    from referrals.tests.factories_orders import outreach_order

    officer = users["case_officer"]
    link = PersonLink.objects.filter(client__unit=unit).order_by("-unlinked_at", "pk").first()
    if link is None:
        first, second = Client.objects.filter(unit=unit).order_by("pk")[:2]
        link = person_matching.confirm_different(AuditContext(user=officer, path="/walk/"), first, other_client=second)
    order = Order.objects.filter(unit=unit, kind=OrderKind.OUTREACH, client__isnull=True).order_by("pk").first()
    if order is None:
        order = outreach_order(unit, officer)
    return {"person_link": link, "person_link_order": order}


def narrative_objects(unit, users, today: date) -> dict:
    """The last closed year's texts (the demo writes them final) and a
    delegation of the running year to the case officer; the routes walk the
    texts page with and without a year, each section's edit and history
    pages, and the delegates page."""
    from reports.models import NarrativeDelegate, NarrativeSection, NarrativeText

    year = today.year - 1
    manager = users["manager"]
    text, _created = NarrativeText.objects.get_or_create(
        unit=unit, year=year, section=NarrativeSection.BACKGROUND,
        defaults={"text": "Verksamheten startade som ett projekt.", "state": "final", "updated_by": manager},
    )
    delegation = NarrativeDelegate.objects.filter(unit=unit, year=today.year, user=users["case_officer"],
                                                  revoked_at__isnull=True).first()
    if delegation is None:
        delegation = NarrativeDelegate.objects.create(unit=unit, year=today.year, user=users["case_officer"],
                                                      granted_by=manager)
    return {"narrative_text": text, "narrative_year": year, "narrative_delegation": delegation,
            "narrative_section": text.section.replace("_", "-")}


def checklist_objects(unit, users, today: date) -> dict:
    """The rules page is the manager's own unit's: it needs no record (the
    demo stores none, so it shows the default)."""
    return {}


def chain_objects(unit, users, today: date) -> dict:
    objects: dict = {}
    for part in (
        vacancy_objects, waiting_objects, offer_objects, housing_first_objects, person_link_objects,
        narrative_objects, checklist_objects,
    ):
        objects.update(part(unit, users, today))
    return objects
