"""Issue 12: a client search box in the header of every page. It POSTs (the
name or number never reaches a URL or a server log), finds clients through
the access rule (ClientQuerySet.visible_to), logs the search, and opens
the file at once when one client matches. Tested for every role."""

import pytest
from django.urls import reverse

from audit.models import AccessLogEntry
from referrals.models import ProtectionLevel
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import accepted_order, make_pilot
from referrals.views.clients import SEARCH_SESSION_KEY

pytestmark = pytest.mark.django_db

SEARCH = reverse("referrals:client_search")
LIST = reverse("referrals:client_list")


@pytest.fixture
def people(unit, case_officer):
    return {
        "one": ClientFactory(unit=unit, first_name="Ensam", last_name="Unikson", responsible_officer=case_officer),
        "twin_a": ClientFactory(unit=unit, first_name="Tvilling", last_name="Andersson"),
        "twin_b": ClientFactory(unit=unit, first_name="Tvilling", last_name="Bengtsson"),
        "protected": ClientFactory(unit=unit, first_name="Skyddad", last_name="Person",
                                   street_address="Hemligvägen 9",
                                   protection_level=ProtectionLevel.PROTECTED_REGISTRATION),
    }


@pytest.mark.parametrize("role", ["case_officer", "pilot", "manager"])
def test_the_header_has_an_accessible_search_form_for_roles_that_read_client_files(client, users, role):
    client.force_login(users[role])

    html = client.get(reverse("accounts:notifications")).content.decode()

    form = html[html.index('class="header-search'):]
    form = form[:form.index("</form>")]
    assert f'action="{SEARCH}"' in html
    assert 'role="search"' in html[html.index("<form", html.index("<header")):][:200]
    assert 'method="post"' in html[html.index("<form", html.index("<header")):][:200]
    assert '<label class="visually-hidden" for="header-search-q">Sök klient' in form
    assert 'id="header-search-q"' in form and 'name="q"' in form


@pytest.mark.parametrize("role", ["housing_admin", "system_admin"])
def test_roles_without_client_files_get_no_search_box(client, users, role):
    client.force_login(users[role])

    html = client.get(reverse("accounts:notifications")).content.decode()

    assert "header-search" not in html


def test_anonymous_users_get_no_box_and_cannot_search(client, people):
    assert "header-search" not in client.get(reverse("accounts:login")).content.decode()

    response = client.post(SEARCH, {"q": "Ensam"})

    assert response.status_code == 302 and reverse("accounts:login") in response.url
    assert "Ensam" not in response.url


@pytest.mark.parametrize("role", ["housing_admin", "system_admin"])
def test_a_role_without_client_files_is_refused(client, users, role, people):
    client.force_login(users[role])

    assert client.post(SEARCH, {"q": "Ensam"}).status_code == 403


def test_a_get_is_refused_so_that_no_term_is_ever_in_a_url(client, case_officer):
    client.force_login(case_officer)

    assert client.get(SEARCH, {"q": "Ensam"}).status_code == 405


def test_one_match_opens_the_file_and_the_search_is_logged_without_the_number(client, case_officer, people):
    client.force_login(case_officer)
    number = people["one"].personal_number

    response = client.post(SEARCH, {"q": number})

    assert response.status_code == 302
    assert response.url == reverse("referrals:client_detail", args=[people["one"].pk])
    assert number not in response.url
    search = AccessLogEntry.objects.get(user=case_officer, object_type="search")
    assert "1 matched" in search.note and number not in search.note
    client.get(response.url)
    assert AccessLogEntry.objects.filter(user=case_officer, client_id=people["one"].pk).exists()


def test_several_matches_go_to_the_list_with_the_term_kept_in_the_session(client, case_officer, people):
    client.force_login(case_officer)

    response = client.post(SEARCH, {"q": "Tvilling"})

    assert response.status_code == 302 and response.url == LIST
    assert client.session[SEARCH_SESSION_KEY] == "Tvilling"
    listed = client.get(LIST)
    assert {person.pk for person in listed.context["page_obj"].object_list} == {
        people["twin_a"].pk, people["twin_b"].pk}


def test_an_empty_search_goes_to_the_list(client, case_officer, people):
    client.force_login(case_officer)

    response = client.post(SEARCH, {"q": "  "})

    assert response.url == LIST
    assert SEARCH_SESSION_KEY not in client.session


def test_an_outsider_finds_nobody_of_another_unit(client, outside_officer, people):
    client.force_login(outside_officer)

    response = client.post(SEARCH, {"q": people["one"].personal_number})

    assert response.url == LIST
    assert list(client.get(LIST).context["page_obj"].object_list) == []


def test_a_bolots_finds_only_the_clients_of_their_orders(client, pilot, second_pilot, people):
    accepted_order(pilot, second_pilot, client=people["twin_a"])
    client.force_login(pilot)

    response = client.post(SEARCH, {"q": "Tvilling"})

    # Only one of the two is the bolots's: the file opens straight away.
    assert response.url == reverse("referrals:client_detail", args=[people["twin_a"].pk])
    client.force_login(make_pilot(pilot.unit, "bolots3"))  # assigned nothing
    assert client.post(SEARCH, {"q": "Tvilling"}).url == LIST
    assert list(client.get(LIST).context["page_obj"].object_list) == []


def test_a_protected_client_is_found_by_name_but_their_address_is_not_shown(client, case_officer, people):
    client.force_login(case_officer)

    response = client.post(SEARCH, {"q": "Skyddad"}, follow=True)

    html = response.content.decode()
    assert "Skyddad Person" in html
    assert "Hemligvägen" not in html
