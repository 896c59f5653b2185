"""Who may reach which tenancy page: anonymous → login, wrong role → 403,
other unit (or a bolots not assigned to the client) → 404, right role → 200;
and the access-log rows the pages write. (The takeover list is bolots':
bolots/tests/test_takeover_page.py.)"""

from datetime import date

import pytest
from django.urls import reverse

from audit.models import AccessAction, AccessLogEntry
from referrals.tests.factories_orders import accepted_order

from .factories import ApartmentFactory, TenancyFactory, add_income, add_insurance

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


@pytest.fixture
def tenancy(unit, client_record, pilot, second_pilot, case_officer):
    tenancy = TenancyFactory(apartment=ApartmentFactory(unit=unit), client=client_record, start_date=date(2023, 1, 1))
    # The bolots is assigned to the client; the second bolots is not.
    accepted_order(pilot, make_second_pilot_passive(unit, second_pilot), client=client_record, ordered_by=case_officer)
    return tenancy


def make_second_pilot_passive(unit, second_pilot):
    # The order needs a passive bolots; a third one, so that `second_pilot`
    # stays unassigned.
    from referrals.tests.factories_orders import make_pilot

    return make_pilot(unit, "bolots_passiv")


@pytest.fixture
def records(tenancy):
    return {
        "tenancy": tenancy,
        "insurance": add_insurance(tenancy, valid_until=date(2030, 1, 1)),
        "income": add_income(tenancy),
    }


def url(name, records):
    tenancy = records["tenancy"]
    if name in ("client_tenancies", "tenancy_move_in"):
        args = [tenancy.client_id]
    elif name == "tenancy_insurance_edit":
        args = [tenancy.pk, records["insurance"].pk]
    elif name in ("tenancy_income_edit", "tenancy_income_end"):
        args = [tenancy.pk, records["income"].pk]
    else:
        args = [tenancy.pk]
    return reverse(f"tenancies:{name}", args=args)


VIEW_ALL = {"case_officer": 200, "manager": 200, "pilot": 200, "second_pilot": 404, "housing_admin": 200,
            "system_admin": 403, "outside_officer": 404}
CLIENT_TAB = {**VIEW_ALL, "housing_admin": 403}
CHANGE = {"case_officer": 200, "manager": 403, "pilot": 403, "second_pilot": 403, "housing_admin": 200,
          "system_admin": 403, "outside_officer": 404}
# The move-in from the client's page needs the client's file, which the
# housing administrator does not open (they move in from the apartment page).
CLIENT_MOVE_IN = {**CHANGE, "housing_admin": 403}

GET_PAGES = {
    "client_tenancies": CLIENT_TAB,
    "tenancy_move_in": CLIENT_MOVE_IN,
    "tenancy_detail": VIEW_ALL,
    "tenancy_internal_move": CHANGE,
    "tenancy_terms": CHANGE,
    "tenancy_insurance_edit": CHANGE,
    "tenancy_income_edit": CHANGE,
}
# Forms posted from the tenancy page; posted empty they come back with the
# messages beside the fields (200) for those who may write.
POST_ONLY = {
    "tenancy_move_out": CHANGE,
    "tenancy_insurance_add": CHANGE,
    "tenancy_income_add": CHANGE,
    "tenancy_income_end": CHANGE,
}
ROLES = sorted(VIEW_ALL)


@pytest.mark.parametrize("name", sorted(GET_PAGES) + sorted(POST_ONLY))
def test_anonymous_is_sent_to_login(client, records, name):
    response = client.post(url(name, records)) if name in POST_ONLY else client.get(url(name, records))

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("name", sorted(GET_PAGES))
def test_get_status_per_role(client, users, records, who, name):
    client.force_login(users[who])

    assert client.get(url(name, records)).status_code == GET_PAGES[name][who]


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_post_status_per_role(client, users, records, who, name):
    client.force_login(users[who])

    response = client.post(url(name, records), {})

    assert response.status_code == POST_ONLY[name][who]
    if response.status_code == 200:
        assert "is-invalid" in response.content.decode(), "the empty form comes back with its messages"


@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_post_only_urls_refuse_get(client, users, records, name):
    client.force_login(users["case_officer"])

    assert client.get(url(name, records)).status_code == 405


def test_the_client_tab_is_in_the_client_header_for_those_who_may_see_it(client, users, records):
    tenancy = records["tenancy"]
    tab = reverse("tenancies:client_tenancies", args=[tenancy.client_id])
    client.force_login(users["case_officer"])
    html = client.get(reverse("referrals:client_detail", args=[tenancy.client_id])).content.decode()
    assert f'href="{tab}">Boende</a>' in html

    client.force_login(users["pilot"])
    assert f'href="{tab}"' in client.get(reverse("referrals:client_detail", args=[tenancy.client_id])).content.decode()


# --- The access log ------------------------------------------------------------------


def log_rows(client_record):
    return list(
        AccessLogEntry.objects.filter(client_id=client_record.pk).order_by("id").values_list("action", "object_type", "object_id")
    )


def test_opening_the_tenancy_page_is_logged(client, users, records):
    tenancy = records["tenancy"]
    client.force_login(users["housing_admin"])

    client.get(url("tenancy_detail", records))

    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.object_type, entry.object_id) == (AccessAction.VIEW, "tenancies.tenancy", str(tenancy.pk))
    assert entry.user == users["housing_admin"]
    assert entry.client_number == tenancy.client.personal_number
    assert entry.path == url("tenancy_detail", records)


def test_opening_the_client_tab_is_logged_as_a_view_of_the_client(client, users, records):
    tenancy = records["tenancy"]
    client.force_login(users["manager"])

    client.get(url("client_tenancies", records))

    assert log_rows(tenancy.client) == [(AccessAction.VIEW, "referrals.client", str(tenancy.client_id))]


def test_refused_requests_write_no_log(client, users, records):
    for who in ("outside_officer", "second_pilot", "system_admin"):
        client.force_login(users[who])
        client.get(url("tenancy_detail", records))
        client.get(url("client_tenancies", records))

    assert AccessLogEntry.objects.count() == 0


def test_opening_a_form_is_logged_as_a_view(client, users, records):
    client.force_login(users["case_officer"])

    client.get(url("tenancy_internal_move", records))
    client.get(url("tenancy_move_in", records))

    assert log_rows(records["tenancy"].client) == [
        (AccessAction.VIEW, "tenancies.tenancy", str(records["tenancy"].pk)),
        (AccessAction.VIEW, "referrals.client", str(records["tenancy"].client_id)),
    ]
