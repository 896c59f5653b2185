from datetime import date

import factory

from accounts.tests.factories import UnitFactory
from core import personnummer
from referrals.models import Client


def fictional_number(n, birth_date=date(1985, 3, 14), coordination=False):
    """A valid, unique-per-n 12-digit number for a fictional test person."""
    return personnummer.make_number(birth_date, n % 1000, coordination=coordination)


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client
        skip_postgeneration_save = True

    unit = factory.SubFactory(UnitFactory)
    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    personal_number = factory.Sequence(
        lambda n: fictional_number(n, birth_date=date(1960 + n // 1000 % 40, 1 + n // 40 % 12, 1 + n % 28))
    )
    street_address = factory.Faker("street_address", locale="sv_SE")
    postal_code = "186 30"
    city = "Vallentuna"
    phone = factory.Sequence(lambda n: f"070-{1000000 + n}")
    notes = "Fiktiv testperson."
