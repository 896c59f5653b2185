"""Who may reach which client page: anonymous → login, wrong role → 403,
outsider → 404, right role → 200."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from referrals.tests.factories import ClientFactory

LOGIN = reverse("accounts:login")


def url_for(name, client_record):
    if name in ("client_detail", "client_edit"):
        return reverse(f"referrals:{name}", args=[client_record.pk])
    return reverse(f"referrals:{name}")


ALL_URLS = ["client_list", "client_create", "client_detail", "client_edit"]

# Expected status per (role fixture, url name).
EXPECTED = {
    "case_officer": {"client_list": 200, "client_create": 200, "client_detail": 200, "client_edit": 200},
    "manager": {"client_list": 200, "client_create": 403, "client_detail": 200, "client_edit": 403},
    # A bolots sees only clients of orders assigned to them: none yet.
    "pilot": {"client_list": 200, "client_create": 403, "client_detail": 404, "client_edit": 403},
    "second_pilot": {"client_list": 200, "client_create": 403, "client_detail": 404, "client_edit": 403},
    "housing_admin": {"client_list": 403, "client_create": 403, "client_detail": 403, "client_edit": 403},
    "system_admin": {"client_list": 403, "client_create": 403, "client_detail": 403, "client_edit": 403},
    # Right role, other unit: the client is not theirs to know about.
    "outside_officer": {"client_list": 200, "client_create": 200, "client_detail": 404, "client_edit": 404},
}


@pytest.mark.parametrize("name", ALL_URLS)
def test_anonymous_is_sent_to_login(client, client_record, name):
    response = client.get(url_for(name, client_record))

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("who", sorted(EXPECTED))
@pytest.mark.parametrize("name", ALL_URLS)
def test_status_per_role(client, users, client_record, who, name):
    client.force_login(users[who])

    assert client.get(url_for(name, client_record)).status_code == EXPECTED[who][name]


def test_list_shows_only_the_units_clients(client, users, client_record, other_unit):
    stranger = ClientFactory(unit=other_unit, first_name="Främling", last_name="Annanstad")
    client.force_login(users["case_officer"])

    html = client.get(reverse("referrals:client_list")).content.decode()

    assert client_record.full_name in html
    assert stranger.full_name not in html


def test_pilot_list_is_empty_without_assigned_orders(client, users, client_record):
    client.force_login(users["pilot"])

    html = client.get(reverse("referrals:client_list")).content.decode()

    assert client_record.full_name not in html
    assert "Det finns inga klienter att visa." in html


def test_a_user_without_unit_sees_no_clients_even_with_the_role(client, users, client_record):
    officer = users["case_officer"]
    officer.unit = None
    officer.save()
    client.force_login(officer)

    assert client.get(reverse("referrals:client_detail", args=[client_record.pk])).status_code == 404


def test_personal_permission_can_be_given_to_one_user(client, users, client_record):
    # The permission to see protected data is given to named users.
    officer = users["case_officer"]
    officer.user_permissions.add(Permission.objects.get(codename="view_protected_client"))

    assert officer.has_perm("referrals.view_protected_client")
    assert not users["manager"].has_perm("referrals.view_protected_client")
