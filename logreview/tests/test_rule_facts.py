"""The facts two risk rules need, entered where they belong: the client's
staff flag on the client form, the user's home address in user
administration."""

import pytest
from django.urls import reverse

from audit.models import AccessAction, AccessLogEntry, FieldChange
from referrals.models import Client
from referrals.tests.test_client_register import form_data

pytestmark = pytest.mark.django_db


def test_case_officer_marks_a_client_as_municipal_staff(client, case_officer, client_record):
    client.force_login(case_officer)
    url = reverse("referrals:client_edit", args=[client_record.pk])
    assert "Anställd i kommunen" in client.get(url).content.decode()
    response = client.post(url, form_data(
        first_name=client_record.first_name, last_name=client_record.last_name,
        personal_number=client_record.personal_number, version=client_record.version,
        responsible_officer=case_officer.pk, is_municipal_staff="on",
    ))
    assert response.status_code == 302
    assert Client.objects.filter(pk=client_record.pk, is_municipal_staff=True).exists()
    change = FieldChange.objects.get(object_id=str(client_record.pk), field="is_municipal_staff")
    assert change.user == case_officer


def address_url(user):
    return reverse("users:home_address", args=[user.pk])


ADDRESS = {"home_street_address": "Fiktiva gatan 3", "home_postal_code": "186 30"}


def test_home_address_anonymous_goes_to_login(client, case_officer):
    response = client.post(address_url(case_officer), ADDRESS)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("role", ["manager", "case_officer", "outside_officer"])
def test_home_address_other_roles_are_refused(client, users, role):
    client.force_login(users[role])
    assert client.post(address_url(users["pilot"]), ADDRESS).status_code == 403
    users["pilot"].refresh_from_db()
    assert users["pilot"].home_street_address == ""


def test_system_administrator_saves_a_users_home_address(client, system_admin, case_officer):
    client.force_login(system_admin)
    page = client.get(reverse("users:edit", args=[case_officer.pk])).content.decode()
    assert "Hemadress" in page
    response = client.post(address_url(case_officer), ADDRESS)
    assert response.status_code == 302
    case_officer.refresh_from_db()
    assert (case_officer.home_street_address, case_officer.home_postal_code) == ("Fiktiva gatan 3", "186 30")
    assert FieldChange.objects.filter(object_id=str(case_officer.pk), field="home_street_address",
                                      user=system_admin).exists()
    assert AccessLogEntry.objects.filter(user=system_admin, action=AccessAction.UPDATE,
                                         object_type="accounts.user").exists()


def test_nobody_sets_their_own_home_address(client, system_admin):
    client.force_login(system_admin)
    assert client.post(address_url(system_admin), ADDRESS).status_code == 403
    system_admin.refresh_from_db()
    assert system_admin.home_street_address == ""


def test_a_too_long_address_is_refused_and_nothing_saved(client, system_admin, case_officer):
    client.force_login(system_admin)
    response = client.post(address_url(case_officer), {**ADDRESS, "home_postal_code": "1" * 11}, follow=True)
    assert "Hemadressen sparades inte" in response.content.decode()
    case_officer.refresh_from_db()
    assert case_officer.home_street_address == ""


def test_home_address_is_post_only(client, system_admin, case_officer):
    client.force_login(system_admin)
    assert client.get(address_url(case_officer)).status_code == 405
