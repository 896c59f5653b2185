"""Tenancies and clients without a Swedish number (issue 13): the register
importer still requires a number, and the tenant choice names such a person
by the birth date that is stored, not by digits of a number they lack."""

from datetime import date

import pytest

from core import personnummer
from referrals.models import Client, LegalGender
from referrals.tests.factories import ClientFactory
from tenancies.forms.tenancies import ClientChoiceField
from tenancies.importer.cells import InvalidCell, parse_personal_number


@pytest.mark.parametrize("cell", ["", None, "   "])
def test_the_register_importer_still_requires_a_number(cell):
    with pytest.raises(InvalidCell):
        parse_personal_number(cell)


@pytest.mark.django_db
def test_the_tenant_choice_shows_the_birth_date_with_or_without_a_number(unit):
    without = ClientFactory(unit=unit, first_name="Yusuf", last_name="Utannummer", personal_number="",
                            birth_date=date(1985, 3, 14), legal_gender=LegalGender.MALE)
    with_number = ClientFactory(unit=unit, first_name="Greta", last_name="Fiktiv",
                                personal_number=personnummer.make_number(date(1984, 6, 15), 238))
    field = ClientChoiceField(queryset=Client.objects.all())

    assert "1985-03-14" in field.label_from_instance(without)
    assert "Utannummer, Yusuf" in field.label_from_instance(without)
    assert "1984-06-15" in field.label_from_instance(with_number)
