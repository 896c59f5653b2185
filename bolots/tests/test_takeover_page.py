"""The page of possible first-hand takeovers (bolots.views.takeovers): the
unit's candidates with their years in the programme, who may reach it, the
menu entry, and a query count that does not grow with the rows. Which
tenancies are candidates is tenancies' rule
(tenancies/tests/test_takeover_candidates.py)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.calendar import years_before
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import accepted_order, make_pilot
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

pytestmark = pytest.mark.django_db

URL = reverse("bolots:takeover_candidates")
LOGIN = reverse("accounts:login")


def candidates(unit, n):
    today = timezone.localdate()
    for i in range(n):
        TenancyFactory(apartment=ApartmentFactory(unit=unit), client=ClientFactory(unit=unit),
                       start_date=years_before(today, 3) - timedelta(days=i))


def test_the_page_lists_the_units_candidates_with_years(client, case_officer, unit, other_unit):
    today = timezone.localdate()
    mine = TenancyFactory(apartment=ApartmentFactory(unit=unit, street_address="Långa gatan 4"),
                          client=ClientFactory(unit=unit), start_date=years_before(today, 5))
    theirs = TenancyFactory(apartment=ApartmentFactory(unit=other_unit), client=ClientFactory(unit=other_unit),
                            start_date=years_before(today, 6))
    client.force_login(case_officer)

    response = client.get(reverse("bolots:takeover_candidates"))

    html = response.content.decode()
    assert [row.pk for row in response.context["page_obj"].object_list] == [mine.pk]
    assert mine.client.full_name in html and "Långa gatan 4" in html
    assert theirs.client.full_name not in html
    assert '<td data-label="År i verksamheten">5</td>' in html
    assert "Bostadssökande" in html, "the column later issues fill"
    assert "Hyran betald i tid" in html


def test_a_bolots_sees_only_the_candidates_among_their_clients(client, pilot, unit):
    candidates(unit, 2)
    client.force_login(pilot)

    response = client.get(reverse("bolots:takeover_candidates"))

    assert list(response.context["page_obj"].object_list) == []


@pytest.mark.parametrize("count", [3, 30])
def test_the_query_count_does_not_grow(client, manager, unit, count, django_assert_num_queries):
    candidates(unit, count)
    client.force_login(manager)
    # base 8 + count and page of the candidates + the tenants' current
    # housing queues for the "Bostadssökande" column (bolots app) = 11
    with django_assert_num_queries(12):  # incl. the read log's one insert (audit.reads) and its chain lock (audit.chain)
        response = client.get(reverse("bolots:takeover_candidates"))
    assert len(response.context["page_obj"].object_list) == count


# --- Who may reach it (from tenancies/tests/test_tenancy_access.py) ----------------------------


@pytest.fixture
def records(unit, client_record, pilot, case_officer):
    tenancy = TenancyFactory(apartment=ApartmentFactory(unit=unit), client=client_record, start_date=date(2023, 1, 1))
    # The bolots is assigned to the client; the second bolots is not.
    accepted_order(pilot, make_pilot(unit, "bolots_passiv"), client=client_record, ordered_by=case_officer)
    return {"tenancy": tenancy}


LIST = {"case_officer": 200, "manager": 200, "pilot": 200, "second_pilot": 200, "housing_admin": 200,
        "system_admin": 403, "outside_officer": 200}


def test_anonymous_is_sent_to_login(client, records):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("who", sorted(LIST))
def test_get_status_per_role(client, users, records, who):
    client.force_login(users[who])

    assert client.get(URL).status_code == LIST[who]


def test_navigation_shows_possible_takeovers_to_those_who_may_see_them(client, users, records):
    link = reverse("bolots:takeover_candidates")
    for who in ("case_officer", "manager", "housing_admin"):
        client.force_login(users[who])
        assert "Möjliga övertaganden" in client.get(reverse("home") + "?oversikt=1").content.decode(), who
    client.force_login(users["system_admin"])
    assert link not in client.get(reverse("home") + "?oversikt=1").content.decode()
