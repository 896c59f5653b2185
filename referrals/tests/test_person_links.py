"""One person, one record: the pages (views.person_links) and the second
step of the client and order registration forms ("Möjliga träffar")."""

from datetime import date

import pytest
from django.urls import reverse

from audit.models import AccessLogEntry
from referrals.models import Client, Order, OrderKind, ProtectionLevel, TargetGroup
from referrals.models.links import PersonLink, PersonLinkKind
from referrals.services import person_matching as matching
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import outreach_order

BORN = date(1979, 5, 4)


@pytest.fixture
def anna(unit, case_officer):
    return ClientFactory(unit=unit, first_name="Anna", last_name="Öberg", personal_number="", birth_date=BORN,
                         legal_gender="female", street_address="Storgatan 7", responsible_officer=case_officer)


@pytest.fixture
def subject(unit, case_officer):
    return outreach_order(unit, case_officer, subject_name="Anna Oberg", subject_address="Storgatan 7, Vallentuna")


@pytest.fixture
def link(ctx, anna, unit):
    return matching.link_same_person(ctx, anna, other_client=ClientFactory(unit=unit), reason="Samma person")


def _urls(anna, link, subject):
    return {
        "links": reverse("referrals:person_links", args=[anna.pk]),
        "undo": reverse("referrals:person_link_undo", args=[link.pk]),
        "order": reverse("referrals:person_link_order", args=[subject.pk]),
    }


# --- Who may open the pages --------------------------------------------------------


def test_anonymous_users_go_to_the_login_page(client, anna, link, subject):
    for url in _urls(anna, link, subject).values():
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("role, expected", [
    ("pilot", {"links": 403, "undo": 403, "order": 403}),
    ("housing_admin", {"links": 403, "undo": 403, "order": 403}),
    ("system_admin", {"links": 403, "undo": 403, "order": 403}),
    # Managers read the links; writing them is the case officers'.
    ("manager", {"links": 200, "undo": 403, "order": 403}),
    ("outside_officer", {"links": 404, "undo": 404, "order": 404}),
    ("case_officer", {"links": 200, "undo": 200, "order": 200}),
])
def test_each_role_gets_what_it_may_see(client, users, role, expected, anna, link, subject):
    client.force_login(users[role])

    got = {key: client.get(url).status_code for key, url in _urls(anna, link, subject).items()}

    assert got == expected


def test_the_links_page_lists_the_links_with_undo_and_on_request_the_proposals(client, case_officer, anna, link,
                                                                               unit):
    twin = ClientFactory(unit=unit, first_name="ANNA", last_name="Oberg", personal_number="", birth_date=BORN,
                         legal_gender="female")
    client.force_login(case_officer)
    url = reverse("referrals:person_links", args=[anna.pk])

    html = client.get(url).content.decode()
    proposals = client.get(url + "?traffar=1").content.decode()

    assert "Kopplade akter" in html and link.other_client.full_name in html and "Samma person" in html
    assert reverse("referrals:person_link_undo", args=[link.pk]) in html
    assert "Möjliga träffar" in proposals and twin.full_name in proposals and "Samma namn och födelsedatum" in proposals


def test_the_overview_box_names_the_linked_file(client, case_officer, anna, link):
    client.force_login(case_officer)

    html = client.get(reverse("referrals:client_detail", args=[anna.pk])).content.decode()

    assert f"Även registrerad som {link.other_client.full_name}" in html


@pytest.mark.parametrize("rows", [1, 6])
@pytest.mark.parametrize("mode", ["", "?traffar=1"])
def test_the_links_page_keeps_its_query_budget(client, case_officer, anna, unit, ctx, rows, mode,
                                                django_assert_num_queries):
    for _n in range(rows):
        matching.link_same_person(ctx, anna, other_client=ClientFactory(unit=unit))
        ClientFactory(unit=unit, first_name="Anna", last_name="Öberg", personal_number="", birth_date=BORN,
                      legal_gender="female")
    client.force_login(case_officer)
    url = reverse("referrals:person_links", args=[anna.pk]) + mode

    # The base page's 8 (session, user, two permission queries, the unread
    # notifications, the session save: savepoint, update, release), the read
    # log's chain lock and insert, the client, and the links or the
    # proposals (one values query) = 12, for 1 row as for 6.
    with django_assert_num_queries(11):
        html = client.get(url).content.decode()
    assert html.count("<tr>") == rows + 1 if not mode else html.count('class="border rounded p-2 mb-2 proposal"') == rows


@pytest.mark.parametrize("rows", [1, 6])
def test_the_order_link_page_keeps_its_query_budget(client, case_officer, unit, subject, rows,
                                                    django_assert_num_queries):
    for n in range(rows):
        ClientFactory(unit=unit, first_name="Anna", last_name="Oberg", street_address=f"Storgatan {7 + n}")
    client.force_login(case_officer)
    url = reverse("referrals:person_link_order", args=[subject.pk])

    # The base 10 (as above), the order, the unit's names (one values query) = 12.
    with django_assert_num_queries(11):
        html = client.get(url).content.decode()
    assert html.count('class="border rounded p-2 mb-2 order-choice"') == rows


@pytest.mark.parametrize("rows", [1, 6])
def test_the_undo_page_keeps_its_query_budget(client, case_officer, unit, anna, ctx, rows,
                                              django_assert_num_queries):
    links = [matching.link_same_person(ctx, anna, other_client=ClientFactory(unit=unit)) for _n in range(rows)]
    client.force_login(case_officer)
    url = reverse("referrals:person_link_undo", args=[links[-1].pk])

    # The base 10 (as above) and the link with its two files = 11.
    with django_assert_num_queries(10):
        assert client.get(url).status_code == 200


# --- Writing through the pages --------------------------------------------------------


def test_someone_else_on_the_links_page_records_the_pair_and_stops_proposing_it(client, case_officer, anna, unit):
    twin = ClientFactory(unit=unit, first_name="Anna", last_name="Oberg", personal_number="", birth_date=BORN,
                         legal_gender="female")
    client.force_login(case_officer)
    url = reverse("referrals:person_links", args=[anna.pk])

    response = client.post(url, {"action": "different", "target": f"c{twin.pk}", "reason": "Annan Anna"})

    assert response.status_code == 302
    stored = PersonLink.objects.get()
    assert (stored.kind, stored.other_client, stored.client, stored.reason) == (
        PersonLinkKind.NOT_SAME, twin, anna, "Annan Anna")
    assert twin.full_name not in client.get(url + "?traffar=1").content.decode().split("Möjliga träffar")[1]


def test_a_proposal_outside_the_users_reach_is_refused(client, case_officer, anna, other_unit):
    stranger = ClientFactory(unit=other_unit)
    client.force_login(case_officer)

    client.post(reverse("referrals:person_links", args=[anna.pk]), {"action": "link", "target": f"c{stranger.pk}"})

    assert not PersonLink.objects.exists()


def test_the_undo_page_undoes_with_a_reason_only(client, case_officer, anna, link):
    client.force_login(case_officer)
    url = reverse("referrals:person_link_undo", args=[link.pk])

    refused = client.post(url, {"reason": ""})
    link.refresh_from_db()
    assert refused.status_code == 200 and link.is_active
    response = client.post(url, {"reason": "Fel person"})
    link.refresh_from_db()
    assert response.status_code == 302 and not link.is_active and link.unlink_reason == "Fel person"


def test_an_outreach_subject_is_found_by_search_and_linked(client, case_officer, unit, subject):
    person = ClientFactory(unit=unit, first_name="Karl", last_name="Sundin")
    client.force_login(case_officer)
    url = reverse("referrals:person_link_order", args=[subject.pk])

    found = client.post(url, {"search": "1", "q": "Sundin"})
    assert person.full_name in found.content.decode()
    # The search term is logged masked, never put in a URL.
    assert AccessLogEntry.objects.filter(object_type="search").exists()

    response = client.post(url, {"action": "link", "client": person.pk, "reason": "Känd vid besök"})

    assert response.status_code == 302 and response["Location"] == reverse("referrals:order_detail", args=[subject.pk])
    subject.refresh_from_db()
    assert subject.client == person
    assert PersonLink.objects.get().kind == PersonLinkKind.SAME_PERSON


def test_the_order_link_page_does_not_propose_a_protected_client_by_address(client, case_officer, unit, anna):
    Client.objects.filter(pk=anna.pk).update(protection_level=ProtectionLevel.PROTECTED_REGISTRATION)
    order = outreach_order(unit, case_officer, subject_name="Okänd kvinna", subject_address="Storgatan 7")
    client.force_login(case_officer)

    html = client.get(reverse("referrals:person_link_order", args=[order.pk])).content.decode()

    assert anna.full_name not in html


# --- The registration forms' second step ----------------------------------------------------


def _client_data(**overrides):
    data = {
        "first_name": "anna", "last_name": "OBERG", "no_swedish_number": "on", "birth_date": BORN.isoformat(),
        "legal_gender": "female", "protection_level": ProtectionLevel.NONE,
        "target_groups": [TargetGroup.objects.get(code="missbruk").pk], "children_in_home": "0",
        "phone": "", "street_address": "", "postal_code": "", "city": "", "responsible_officer": "", "notes": "",
    }
    data.update(overrides)
    return data


def test_registering_an_alike_person_shows_the_matches_before_saving(client, case_officer, anna):
    client.force_login(case_officer)
    url = reverse("referrals:client_create")

    page = client.post(url, _client_data()).content.decode()

    assert "Möjliga träffar" in page and "Samma namn och födelsedatum" in page
    assert reverse("referrals:client_detail", args=[anna.pk]) in page  # "öppna befintlig akt"
    assert 'value="anna"' in page  # the form's data is still there, to be re-posted
    assert Client.objects.count() == 1


def test_someone_else_registers_and_records_the_pair(client, case_officer, anna):
    client.force_login(case_officer)

    response = client.post(reverse("referrals:client_create"),
                           _client_data(match_decision="new", match_seen=f"c{anna.pk}"))

    new = Client.objects.exclude(pk=anna.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse("referrals:client_detail", args=[new.pk])
    assert PersonLink.objects.filter(client=new, other_client=anna, kind=PersonLinkKind.NOT_SAME).exists()


def test_a_match_that_appeared_since_is_shown_before_saving(client, case_officer, anna, unit):
    newcomer = ClientFactory(unit=unit, first_name="Anna", last_name="Oberg", personal_number="", birth_date=BORN,
                             legal_gender="female")
    client.force_login(case_officer)

    page = client.post(reverse("referrals:client_create"),
                       _client_data(match_decision="new", match_seen=f"c{anna.pk}")).content.decode()

    assert "Möjliga träffar" in page and newcomer.full_name in page
    assert Client.objects.count() == 2


def _order_data(**overrides):
    data = {"kind": OrderKind.OUTREACH, "client": "", "subject_name": "Anna Öberg", "subject_address": "",
            "assignment": "Sök upp personen.", "risk_notes": ""}
    data.update(overrides)
    return data


def test_an_outreach_subject_like_a_client_is_shown_then_sent_linked(client, case_officer, anna):
    client.force_login(case_officer)
    url = reverse("referrals:order_create")

    page = client.post(url, _order_data()).content.decode()
    assert "Möjliga träffar" in page and not Order.objects.exists()

    response = client.post(url, _order_data(match_decision=f"client:{anna.pk}", match_seen=f"c{anna.pk}"))

    order = Order.objects.get()
    assert response.status_code == 302 and order.client == anna and order.subject_name == "Anna Öberg"
    assert PersonLink.objects.get(order=order).kind == PersonLinkKind.SAME_PERSON


def test_an_outreach_subject_confirmed_as_someone_else_is_sent_without_a_client(client, case_officer, anna):
    client.force_login(case_officer)

    response = client.post(reverse("referrals:order_create"),
                           _order_data(match_decision="new", match_seen=f"c{anna.pk}"))

    order = Order.objects.get()
    assert response.status_code == 302 and order.client is None
    # The confirmation is kept, so the pair is not proposed again on the
    # order's link page.
    confirmation = PersonLink.objects.get(order=order)
    assert (confirmation.kind, confirmation.client) == (PersonLinkKind.NOT_SAME, anna)
    proposals = matching.possible_matches_for_subject(
        order.unit, order.subject_name, order.subject_address, user=case_officer, exclude_order=order,
    )
    assert anna not in proposals.clients


def test_an_order_for_a_client_has_no_matching_step(client, case_officer, anna):
    client.force_login(case_officer)

    response = client.post(reverse("referrals:order_create"), _order_data(client=anna.pk, subject_name=""))

    assert response.status_code == 302 and Order.objects.get().client == anna
