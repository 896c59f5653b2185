"""The demo's offers (demo/chain/offers.py) on a small hand-built unit:
declined offers with reasons in the past year, accepted and pending offers
of vacant apartments, every one with its IVO row; a second run adds
nothing."""

from datetime import date, timedelta
from random import Random

import pytest

from accounts.roles import Role
from demo.chain import offers as demo_offers
from demo.context import DemoContext
from referrals.models import Offer, OfferAnswer
from referrals.tests.factories import ClientFactory
from tenancies.models import ApartmentOffer, ApartmentStatus, OfferState

from .factories import ApartmentFactory, granted_decision

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 7)


def test_the_demo_offers(unit, case_officer):
    for _ in range(3):
        ApartmentFactory(unit=unit, status=ApartmentStatus.VACANT)
    ApartmentFactory(unit=unit, status=ApartmentStatus.OCCUPIED)
    decisions = [granted_decision(ClientFactory(unit=unit), decided_on=date(2025, 6, 1) + timedelta(days=i))
                 for i in range(8)]
    ctx = DemoContext(rng=Random(1), scale="small", today=TODAY, sizes={}, units=[unit],
                      users_by_unit={unit.pk: {Role.CASE_OFFICER: [case_officer]}}, log=lambda message: None)

    demo_offers.seed(ctx)

    offers = list(ApartmentOffer.objects.select_related("ivo_offer"))
    states = [offer.state for offer in offers]
    assert states.count(OfferState.DECLINED) == 6
    assert states.count(OfferState.ACCEPTED) == 2
    assert states.count(OfferState.PENDING) == 1  # three vacant apartments: two accepted, one pending
    for offer in offers:
        assert offer.ivo_offer.decision_id == offer.decision_id
        assert offer.apartment.street_address not in offer.ivo_offer.description
        assert offer.offered_on >= offer.decision.decided_on and offer.answer_by >= offer.offered_on
        if offer.state == OfferState.DECLINED:
            assert offer.decline_reason and offer.ivo_offer.decline_reason == offer.decline_reason
            assert offer.ivo_offer.answer == OfferAnswer.DECLINED
            assert TODAY - timedelta(days=331) <= offer.offered_on <= TODAY
        if offer.state == OfferState.ACCEPTED:
            assert offer.move_in_on > TODAY
    # One open offer per apartment and per decision.
    open_offers = [offer for offer in offers if offer.state in OfferState.open_states()]
    assert len({o.apartment_id for o in open_offers}) == len({o.decision_id for o in open_offers}) == len(open_offers)
    # Every decision still waits.
    assert all(decision.executed_on is None for decision in decisions)

    demo_offers.seed(ctx)
    assert ApartmentOffer.objects.count() == len(offers) and Offer.objects.count() == len(offers)
