"""Who may reach which apartment page: anonymous → login, wrong role → 403,
outsider → 404, right role → 200. A bolots sees only the apartment where a
client of an order accepted by them lives now."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from referrals.tests.factories_orders import accepted_order, make_pilot
from tenancies.tests.factories import ApartmentFactory, ComplaintFactory, KeySetFactory, TenancyFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")

ALL_URLS = [
    "apartment_list", "apartment_vacant_list", "apartment_create", "apartment_detail", "apartment_edit",
    "apartment_history", "keys_create", "keys_edit", "keys_delete", "complaint_create", "complaint_action",
]
APARTMENT_URLS = {"apartment_detail", "apartment_edit", "apartment_history", "keys_create", "complaint_create"}
KEY_URLS = {"keys_edit", "keys_delete"}

ALL_OK = dict.fromkeys(ALL_URLS, 200)
VIEWER = {
    **dict.fromkeys(ALL_URLS, 403),
    "apartment_list": 200, "apartment_vacant_list": 200, "apartment_detail": 200, "apartment_history": 200,
}
EXPECTED = {
    "housing_admin": ALL_OK,
    "case_officer": {**VIEWER, "complaint_create": 200},
    "manager": VIEWER,
    # Their client lives in the apartment (an order accepted by them).
    "pilot": {**VIEWER, "complaint_create": 200},
    # Same role, nothing assigned: the apartment is not theirs to know about.
    "second_pilot": {**VIEWER, "apartment_detail": 404, "apartment_history": 404, "complaint_create": 404},
    "system_admin": dict.fromkeys(ALL_URLS, 403),
    "outside_officer": {**VIEWER, "apartment_detail": 404, "apartment_history": 404, "complaint_create": 404},
    "outside_admin": {
        **dict.fromkeys(ALL_URLS, 404), "apartment_list": 200, "apartment_vacant_list": 200, "apartment_create": 200,
    },
}


@pytest.fixture
def setting(unit, other_unit, users, client_record, pilot):
    apartment = ApartmentFactory(unit=unit, object_number="OBJ-ACC-1")
    TenancyFactory(apartment=apartment, client=client_record, start_date=date(2024, 1, 1))
    accepted_order(pilot, make_pilot(unit, "bolots3"), client=client_record)
    keyset = KeySetFactory(apartment=apartment)
    complaint = ComplaintFactory(apartment=apartment)
    people = {**users, "outside_admin": UserFactory(username="boendeadmin_annan", unit=other_unit,
                                                    roles=[Role.HOUSING_ADMIN])}
    return {"apartment": apartment, "keyset": keyset, "complaint": complaint, "users": people}


def url_for(name, setting):
    if name in APARTMENT_URLS:
        return reverse(f"tenancies:{name}", args=[setting["apartment"].pk])
    if name in KEY_URLS:
        return reverse(f"tenancies:{name}", args=[setting["keyset"].pk])
    if name == "complaint_action":
        return reverse(f"tenancies:{name}", args=[setting["complaint"].pk])
    return reverse(f"tenancies:{name}")


@pytest.mark.parametrize("name", ALL_URLS)
def test_anonymous_is_sent_to_login(client, setting, name):
    response = client.get(url_for(name, setting))

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("who", sorted(EXPECTED))
@pytest.mark.parametrize("name", ALL_URLS)
def test_status_per_role(client, setting, who, name):
    client.force_login(setting["users"][who])

    assert client.get(url_for(name, setting)).status_code == EXPECTED[who][name]


@pytest.mark.parametrize("who", ["housing_admin", "case_officer", "pilot", "manager"])
def test_list_shows_only_what_the_user_may_see(client, setting, unit, other_unit, who):
    neighbour = ApartmentFactory(unit=unit, street_address="Grannvägen 9")
    stranger = ApartmentFactory(unit=other_unit, street_address="Annanstad 1")
    client.force_login(setting["users"][who])

    html = client.get(reverse("tenancies:apartment_list")).content.decode()

    assert setting["apartment"].street_address in html
    assert stranger.street_address not in html
    # A bolots sees only the apartment where their client lives now.
    assert (neighbour.street_address in html) == (who != "pilot")


def test_pilot_gets_404_for_other_apartments_of_the_unit(client, setting, unit):
    other = ApartmentFactory(unit=unit)
    TenancyFactory(apartment=other, start_date=date(2024, 1, 1))  # someone else's client
    client.force_login(setting["users"]["pilot"])

    assert client.get(reverse("tenancies:apartment_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("tenancies:complaint_create", args=[other.pk])).status_code == 404


def test_pilot_loses_the_apartment_when_the_client_has_moved_out(client, setting, client_record):
    tenancy = client_record.tenancies.get()
    tenancy.end_date, tenancy.end_reason = date(2024, 6, 30), "own_housing"
    tenancy.save()
    client.force_login(setting["users"]["pilot"])

    assert client.get(reverse("tenancies:apartment_detail", args=[setting["apartment"].pk])).status_code == 404


def test_posts_are_refused_like_gets(client, setting):
    """A wrong role cannot write by posting either."""
    client.force_login(setting["users"]["case_officer"])
    apartment = setting["apartment"]

    assert client.post(reverse("tenancies:apartment_edit", args=[apartment.pk]), {}).status_code == 403
    assert client.post(reverse("tenancies:keys_delete", args=[setting["keyset"].pk])).status_code == 403
    assert apartment.keys.count() == 1


def test_detail_view_is_access_logged(client, setting):
    from audit.models import AccessLogEntry

    client.force_login(setting["users"]["manager"])
    client.get(reverse("tenancies:apartment_detail", args=[setting["apartment"].pk]))

    entry = AccessLogEntry.objects.get(object_type="tenancies.apartment")
    assert entry.user == setting["users"]["manager"]
    assert entry.action == "view"
    assert entry.object_id == str(setting["apartment"].pk)
