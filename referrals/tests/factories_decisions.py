"""Factories for decisions, interruptions, offers and individual plans."""

from datetime import date

import factory

from accounts.tests.factories import UserFactory
from referrals.models import (
    Decision,
    DecisionKind,
    DecisionOutcome,
    IndividualPlan,
    Interruption,
    LegalReference,
    Offer,
    OfferAnswer,
)
from referrals.tests.factories import ClientFactory


def active_reference(on=None):
    """A selectable legal reference from the data migration; with `on`, one
    in force that day (the decision form refuses a reference not in force
    on the decision date)."""
    references = LegalReference.objects.filter(is_active=True)
    if on is not None:
        references = references.valid_on(on)
    return references.first()


class DecisionFactory(factory.django.DjangoModelFactory):
    """A granted home-support decision (no package rule) unless told otherwise."""

    class Meta:
        model = Decision

    client = factory.SubFactory(ClientFactory)
    kind = DecisionKind.HOME_SUPPORT
    legal_basis = factory.LazyFunction(active_reference)
    decided_on = date(2025, 1, 10)
    applied_on = factory.LazyAttribute(lambda decision: decision.decided_on)
    outcome = DecisionOutcome.GRANTED
    valid_from = factory.LazyAttribute(lambda decision: decision.decided_on)
    valid_to = None
    decided_by = factory.SubFactory(UserFactory)
    reasoning = "Fiktivt beslut för test."


class InterruptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interruption

    decision = factory.SubFactory(DecisionFactory, executed_on=date(2025, 1, 20))
    started_on = date(2025, 3, 1)
    reason = "Vistelse på behandlingshem"


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    decision = factory.SubFactory(DecisionFactory)
    offered_on = factory.LazyAttribute(lambda offer: offer.decision.decided_on)
    description = "Träningslägenhet Fiktiva gatan 1"
    answer = OfferAnswer.DECLINED


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndividualPlan

    client = factory.SubFactory(ClientFactory)
    established_on = date(2025, 1, 15)
    next_review_on = factory.LazyAttribute(lambda plan: IndividualPlan.next_review_after(plan.established_on))
    created_by = factory.SubFactory(UserFactory)
