"""Factories for orders and the bolots-support decisions they follow."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UnitFactory, UserFactory
from referrals.models import (
    Client,
    Decision,
    DecisionKind,
    DecisionOutcome,
    ErrandType,
    LegalReference,
    Order,
    OrderKind,
    OrderState,
)
from referrals.models.risks import RISK_FLAGS
from referrals.tests.factories import ClientFactory


class BolotsDecisionFactory(factory.django.DjangoModelFactory):
    """A granted bolots-support decision."""

    class Meta:
        model = Decision

    client = factory.SubFactory(ClientFactory)
    kind = DecisionKind.BOLOTS_SUPPORT
    legal_basis = factory.LazyFunction(lambda: LegalReference.objects.order_by("pk").first())
    applied_on = factory.LazyFunction(lambda: date.today() - timedelta(days=30))
    decided_on = factory.LazyFunction(lambda: date.today() - timedelta(days=10))
    outcome = DecisionOutcome.GRANTED
    valid_from = factory.LazyFunction(lambda: date.today() - timedelta(days=10))
    decided_by = factory.SubFactory(
        UserFactory, unit=factory.SelfAttribute("..client.unit"), roles=[Role.CASE_OFFICER]
    )


class OrderFactory(factory.django.DjangoModelFactory):
    """A sent single errand about a client of the unit. Pass state, pilots
    and times for later stages, or use the helpers below."""

    class Meta:
        model = Order
        skip_postgeneration_save = True

    unit = factory.SubFactory(UnitFactory)
    kind = OrderKind.SINGLE_ERRAND
    errand_type = factory.LazyAttribute(lambda o: ErrandType.ESCORT_DOCTOR if o.kind == OrderKind.SINGLE_ERRAND else "")
    client = factory.SubFactory(ClientFactory, unit=factory.SelfAttribute("..unit"))
    ordered_by = factory.SubFactory(UserFactory, unit=factory.SelfAttribute("..unit"), roles=[Role.CASE_OFFICER])
    assignment = "Följ med till vårdcentralen på tisdag."
    state = OrderState.SENT
    sent_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def client_knows_the_risks(order, create, extracted, **kwargs):
        """As sending does (services.orders.send_order): the client's
        current risk information includes what the order says. Pass
        client_knows_the_risks=False for a client who has been updated
        since (the order then differs from the client's current risks)."""
        if not create or extracted is False or not order.client_id or not order.has_risk:
            return
        client = order.client
        values = {name: getattr(client, name) or getattr(order, name) for name in RISK_FLAGS}
        values["risk_notes"] = client.risk_notes or order.risk_notes
        Client.objects.filter(pk=client.pk).update(**values)
        for name, value in values.items():
            setattr(client, name, value)


def accepted_order(active_pilot, passive_pilot, **kwargs):
    """An order accepted by the unit with the two bolotsar assigned."""
    kwargs.setdefault("unit", active_pilot.unit)
    kwargs.setdefault("state", OrderState.ACCEPTED)
    kwargs.setdefault("accepted_at", timezone.now())
    return OrderFactory(active_pilot=active_pilot, passive_pilot=passive_pilot, **kwargs)


def outreach_order(unit, ordered_by, **kwargs):
    """An outreach order about a person without a client file."""
    kwargs.setdefault("subject_name", "Man i 50-årsåldern, kallas Kalle")
    kwargs.setdefault("subject_address", "Storgatan 7, 186 30 Vallentuna")
    kwargs.setdefault("assignment", "Sök upp personen och erbjud kontakt.")
    return OrderFactory(unit=unit, ordered_by=ordered_by, kind=OrderKind.OUTREACH, client=None, **kwargs)


def make_pilot(unit, username, **kwargs):
    return UserFactory(username=username, unit=unit, roles=[Role.PILOT], **kwargs)
