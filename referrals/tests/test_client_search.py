from datetime import date

import pytest
from django.urls import reverse

from core import personnummer
from referrals.tests.factories import ClientFactory

LIST = reverse("referrals:client_list")


@pytest.fixture
def people(unit):
    return {
        "anna": ClientFactory(unit=unit, first_name="Anna", last_name="Berglund",
                              personal_number=personnummer.make_number(date(1980, 1, 2), 424)),
        "bo": ClientFactory(unit=unit, first_name="Bo", last_name="Annersten",
                            personal_number=personnummer.make_number(date(1975, 7, 30), 111)),
        "cecilia": ClientFactory(unit=unit, first_name="Cecilia", last_name="Ek",
                                 personal_number=personnummer.make_number(date(1999, 12, 24), 862)),
    }


def search(client, term):
    response = client.post(LIST, {"q": term})
    assert response.status_code == 302
    # The term travels in the session, never in the URL.
    assert response["Location"] == LIST
    assert term.strip() == "" or term not in response["Location"]
    html = client.get(response["Location"]).content.decode()
    # Only the result rows: the search box echoes the term.
    return html.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in html else ""


@pytest.mark.parametrize(
    "term, found, not_found",
    [
        ("anna", ["Anna Berglund"], ["Bo Annersten", "Cecilia Ek"]),
        ("ann", ["Anna Berglund", "Bo Annersten"], ["Cecilia Ek"]),
        ("anna berg", ["Anna Berglund"], ["Bo Annersten"]),
        ("EK", ["Cecilia Ek"], ["Anna Berglund"]),
    ],
)
def test_search_by_name(client, case_officer, people, term, found, not_found):
    client.force_login(case_officer)

    html = search(client, term)

    for name in found:
        assert name in html
    for name in not_found:
        assert name not in html


@pytest.mark.parametrize(
    "written",
    ["full12", "full10", "dashed", "partial", "last4"],
)
def test_search_by_personal_identity_number(client, case_officer, people, written):
    client.force_login(case_officer)
    digits = people["cecilia"].personal_number
    term = {
        "full12": digits,
        "full10": digits[2:],
        "dashed": f"{digits[2:8]}-{digits[8:]}",
        "partial": digits[2:8],
        "last4": digits[8:],
    }[written]

    html = search(client, term)

    assert "Cecilia Ek" in html
    assert "Anna Berglund" not in html and "Bo Annersten" not in html


def test_clearing_the_search_shows_everyone(client, case_officer, people):
    client.force_login(case_officer)
    search(client, "anna")

    client.post(LIST, {"q": "", "clear": "1"})
    html = client.get(LIST).content.decode().split("<tbody>")[1]

    assert all(person.full_name in html for person in people.values())


def test_search_does_not_reach_other_units(client, case_officer, other_unit):
    ClientFactory(unit=other_unit, first_name="Annan", last_name="Kommunsson")
    client.force_login(case_officer)

    assert "Kommunsson" not in search(client, "Kommunsson")


def test_list_is_paginated(client, case_officer, unit):
    ClientFactory.create_batch(30, unit=unit)
    client.force_login(case_officer)

    first = client.get(LIST)
    second = client.get(LIST + "?page=2")

    assert len(first.context["page_obj"].object_list) == 25
    assert len(second.context["page_obj"].object_list) == 5
    assert "Sida 1 av 2" in first.content.decode()


@pytest.mark.parametrize("rows", [10, 200])
def test_list_query_count_does_not_grow_with_rows(client, case_officer, unit, rows, django_assert_num_queries):
    officers = [case_officer]
    for client_record in ClientFactory.create_batch(rows, unit=unit, responsible_officer=officers[0]):
        client_record.target_groups.set([1, 2])
    client.force_login(case_officer)
    client.get(LIST)  # warm the session

    # session, user, user and group permissions, role names, count, page,
    # target groups (one prefetch), session save (with its savepoint pair):
    # the same 11 for 10 and 200 rows.
    with django_assert_num_queries(7):  # incl. the read log's one insert (audit.reads) and its chain lock (audit.chain)
        response = client.get(LIST)

    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == min(rows, 25)
