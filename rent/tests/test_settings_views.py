"""The rent settings page (/hyra/installningar/): who may open it, the
bankgiro check, and the save with its field history."""

import pytest
from django.urls import reverse

from audit.models import FieldChange
from rent.forms.settings import format_bankgiro, is_valid_bankgiro
from rent.models import RentSettings

URL = "/hyra/installningar/"


def _post(**changes):
    data = {
        "bankgiro": "991-2346", "payee_name": "Vallentuna kommun", "contact_text": "",
        "notice_run_day": "20", "grace_days": "5", "organisation_number": "212000-0142",
        "receivable_account": "1510", "rent_income_account": "3911", "other_income_account": "3990",
        "bank_account": "1930", "write_off_account": "6351", "cost_centre": "7110",
        "cost_centre_dimension": "1", "apartment_dimension": "6",
    }
    data.update(changes)
    return data


def test_the_url_name():
    assert reverse("rent:settings") == URL


@pytest.mark.parametrize("number,valid", [
    ("991-2346", True), ("9912346", True), ("5050-1055", True), ("991-2347", False),
    ("123456", False), ("123456789", False), ("99a2346", False), ("", False),
])
def test_a_bankgiro_number_is_7_or_8_digits_with_a_luhn_check_digit(number, valid):
    assert is_valid_bankgiro(number) is valid


def test_a_bankgiro_number_is_printed_with_its_hyphen():
    assert format_bankgiro("9912346") == "991-2346"
    assert format_bankgiro("50501055") == "5050-1055"


@pytest.mark.django_db
def test_anonymous_goes_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["case_officer", "pilot", "manager"])
def test_other_roles_are_refused(client, users, role):
    client.force_login(users[role])
    assert client.get(URL).status_code == 403
    assert client.post(URL, _post()).status_code == 403
    assert not RentSettings.objects.exists()


@pytest.mark.django_db
def test_the_housing_administrator_sees_the_defaults_without_a_row_being_made(client, housing_admin):
    client.force_login(housing_admin)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["form"]["notice_run_day"].value() == 20
    assert not RentSettings.objects.exists()


@pytest.mark.django_db
def test_saving_makes_the_units_settings_and_keeps_the_changes(client, housing_admin, other_unit):
    client.force_login(housing_admin)
    response = client.post(URL, _post())
    assert response.status_code == 302 and response["Location"] == URL
    stored = RentSettings.objects.get()
    assert stored.unit == housing_admin.unit
    assert stored.bankgiro == "9912346"  # the digits, printed with the hyphen
    assert stored.organisation_number == "212000-0142"

    client.post(URL, _post(grace_days="7"))
    stored.refresh_from_db()
    assert stored.grace_days == 7
    assert RentSettings.objects.count() == 1
    change = FieldChange.objects.filter(object_id=str(stored.pk), field="grace_days").latest("pk")
    assert (change.old_value, change.new_value, change.user) == ("5", "7", housing_admin)


@pytest.mark.django_db
def test_each_unit_edits_only_its_own_settings(client, housing_admin, other_unit):
    from accounts.roles import Role
    from accounts.tests.factories import UserFactory

    theirs = RentSettings.objects.create(unit=other_unit, bankgiro="50501055", payee_name="Österåker")
    outsider = UserFactory(unit=other_unit, roles=[Role.HOUSING_ADMIN])
    client.force_login(housing_admin)
    client.post(URL, _post())
    client.force_login(outsider)
    assert client.get(URL).context["form"]["payee_name"].value() == "Österåker"
    theirs.refresh_from_db()
    assert theirs.bankgiro == "50501055"


@pytest.mark.django_db
@pytest.mark.parametrize("field,value,message", [
    ("bankgiro", "991-2347", "kontrollsiffra"),
    ("bankgiro", "12345", "7 eller 8 siffror"),
    ("notice_run_day", "29", "28"),
    ("notice_run_day", "0", "1"),
    ("organisation_number", "212000-0143", "organisationsnummer"),
    ("receivable_account", "15100", "fyra siffror"),
    ("apartment_dimension", "1", "egen dimension"),
])
def test_a_wrong_value_is_refused_beside_its_field_in_swedish_and_nothing_is_saved(
    client, housing_admin, field, value, message
):
    client.force_login(housing_admin)
    response = client.post(URL, _post(**{field: value}), HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in " ".join(errors[field])
    assert not RentSettings.objects.exists()
