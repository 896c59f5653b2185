"""Factories for the housing side, shared by all tenancies tests."""

from datetime import date

import factory

from accounts.roles import Role
from accounts.tests.factories import UnitFactory, UserFactory
from referrals.models import Decision, DecisionKind, DecisionOutcome, LegalReference
from referrals.tests.factories import ClientFactory
from tenancies.models import Apartment, ApartmentKind, ApartmentStatus, Tenancy, Tenure
from tenancies.services.tenancies import derive_programme_fields


class ApartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Apartment

    unit = factory.SubFactory(UnitFactory)
    object_number = factory.Sequence(lambda n: f"OBJ-{n:05d}")
    street_address = factory.Sequence(lambda n: f"Fiktiva gatan {n + 1}")
    postal_code = "186 30"
    area = "Centrum"
    rooms = 2
    size_m2 = 48
    kind = ApartmentKind.TRAINING
    tenure = Tenure.RENTAL
    landlord = "Kommunens fastighetsavdelning"
    monthly_cost = 650_000
    rent = 600_000
    status = ApartmentStatus.VACANT


def granted_decision(client, kind=DecisionKind.TRAINING_APARTMENT, decided_on=date(2020, 1, 10), **extra):
    """A granted, unexecuted decision, created directly (the package rule of
    training apartments is the decisions service's to test)."""
    decided_by = extra.pop("decided_by", None) or UserFactory(unit=client.unit, roles=[Role.CASE_OFFICER])
    return Decision.objects.create(
        client=client,
        kind=kind,
        legal_basis=LegalReference.objects.order_by("pk").first(),
        applied_on=extra.pop("applied_on", decided_on),
        decided_on=decided_on,
        outcome=DecisionOutcome.GRANTED,
        valid_from=extra.pop("valid_from", decided_on),
        decided_by=decided_by,
        **extra,
    )


class TenancyFactory(factory.django.DjangoModelFactory):
    """A tenancy written directly, without the move-in service (for history
    and fixtures). Derived fields are computed as the service would."""

    class Meta:
        model = Tenancy

    apartment = factory.SubFactory(ApartmentFactory)
    client = factory.SubFactory(ClientFactory, unit=factory.SelfAttribute("..apartment.unit"))
    start_date = date(2021, 1, 1)
    rent = 600_000
    created_by = factory.SubFactory(
        UserFactory, unit=factory.SelfAttribute("..apartment.unit"), roles=[Role.CASE_OFFICER]
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        tenancy = model_class(*args, **kwargs)
        derive_programme_fields(tenancy)
        tenancy.save()
        return tenancy
