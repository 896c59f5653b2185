"""The vacancy list and the ready-from page (tenancies.views.vacancies):
who may see and change what, the list's content and order, the hidden
dates of protected tenants, and the query budget."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import ProtectionLevel
from referrals.tests.factories import ClientFactory
from tenancies.models import ApartmentKind, EndReason
from tenancies.models.chain import ApartmentOffer, OfferState, Vacancy, VacancyReason

from .factories import ApartmentFactory, TenancyFactory, granted_decision

pytestmark = pytest.mark.django_db

LIST = reverse("tenancies:vacancy_list")


@pytest.fixture(autouse=True)
def _json_support_known():
    from django.db import connection

    assert connection.features.supports_json_field


def vacancy(unit, days_ago, *, kind=ApartmentKind.TRAINING, area="Centrum", **fields):
    apartment = ApartmentFactory(unit=unit, kind=kind, area=area)
    return Vacancy.objects.create(apartment=apartment, vacant_from=timezone.localdate() - timedelta(days=days_ago),
                                  reason=VacancyReason.ENTERED_PROGRAMME, **fields)


@pytest.fixture
def two(unit):
    # Empty 10 days ago → 11 days empty (today counted); 40 days ago → 41.
    return vacancy(unit, 10, kind=ApartmentKind.TRIAL, area="Norr"), vacancy(unit, 40)


def test_anonymous_goes_to_login(client, two):
    for url in (LIST, reverse("tenancies:vacancy_ready", args=[two[0].pk])):
        response = client.get(url)
        assert response.status_code == 302 and "next=" in response["Location"]


def test_a_pilot_may_not_see_vacancies(client, pilot, two):
    client.force_login(pilot)
    assert client.get(LIST).status_code == 403


def test_the_list_shows_the_units_vacancies_longest_first(client, housing_admin, two):
    closed = vacancy(housing_admin.unit, 100)
    Vacancy.objects.filter(pk=closed.pk).update(ended_on=timezone.localdate() - timedelta(days=50))
    client.force_login(housing_admin)
    response = client.get(LIST)
    assert response.status_code == 200
    rows = list(response.context["page_obj"].object_list)
    assert [(v.pk, v.days_empty) for v in rows] == [(two[1].pk, 41), (two[0].pk, 11)]
    body = response.content.decode()
    assert two[0].apartment.object_number in body and "Ej klar" in body


def test_filters_by_kind_and_area(client, case_officer, two):
    client.force_login(case_officer)
    response = client.get(LIST + "?typ=trial")
    assert [v.pk for v in response.context["page_obj"].object_list] == [two[0].pk]
    area = two[1].apartment.area_id
    response = client.get(LIST + f"?omrade={area}")
    assert [v.pk for v in response.context["page_obj"].object_list] == [two[1].pk]


def test_an_outsider_sees_none_of_them(client, outside_officer, two):
    client.force_login(outside_officer)
    response = client.get(LIST)
    assert response.status_code == 200
    assert list(response.context["page_obj"].object_list) == []
    assert two[0].apartment.object_number not in response.content.decode()


def test_after_a_protected_tenant_the_first_empty_day_is_not_shown(client, housing_admin, unit):
    apartment = ApartmentFactory(unit=unit)
    protected = ClientFactory(unit=unit, protection_level=ProtectionLevel.PROTECTED_REGISTRATION)
    TenancyFactory(apartment=apartment, client=protected, start_date=date(2022, 1, 1), end_date=date(2023, 3, 14),
                   end_reason=EndReason.OWN_HOUSING)
    Vacancy.objects.create(apartment=apartment, vacant_from=date(2023, 3, 15), reason=VacancyReason.MOVE_OUT)
    client.force_login(housing_admin)
    response = client.get(LIST)
    body = response.content.decode()
    assert "2023-03-15" not in body and "skyddade personuppgifter" in body
    assert response.context["page_obj"].object_list[0].days_empty is None


def test_an_accepted_offer_shows_the_planned_move_in_but_no_name(client, housing_admin, case_officer, unit, two):
    applicant = ClientFactory(unit=unit, first_name="Ingrid", last_name="Exempelsson")
    decision = granted_decision(applicant, decided_by=case_officer)
    today = timezone.localdate()
    ApartmentOffer.objects.create(
        apartment=two[0].apartment, vacancy=two[0], decision=decision, offered_on=today, answer_by=today,
        move_in_on=date(2031, 2, 1), state=OfferState.ACCEPTED, made_by=case_officer,
    )
    client.force_login(housing_admin)
    body = client.get(LIST).content.decode()
    assert "2031-02-01" in body
    assert "Exempelsson" not in body and "Ingrid" not in body


def _offered(unit, case_officer, count):
    today = timezone.localdate()
    for i in range(count):
        row = vacancy(unit, i + 1, area="Norr" if i % 2 else "Centrum")
        if i % 3 == 0:
            previous = TenancyFactory(apartment=row.apartment, start_date=date(2020, 1, 1),
                                      end_date=row.vacant_from - timedelta(days=1), end_reason=EndReason.EVICTED)
            Vacancy.objects.filter(pk=row.pk).update(reason=VacancyReason.MOVE_OUT)
            ApartmentOffer.objects.create(
                apartment=row.apartment, vacancy=row, decision=granted_decision(previous.client),
                offered_on=today, answer_by=today, move_in_on=today + timedelta(days=30),
                state=OfferState.ACCEPTED, made_by=case_officer,
            )


@pytest.mark.parametrize("count", [1, 50])
def test_the_list_keeps_its_query_budget(client, housing_admin, case_officer, unit, count,
                                         django_assert_num_queries):
    _offered(unit, case_officer, count)
    client.force_login(housing_admin)
    # The base page's 8 (session, user, two permission queries, the unread
    # notification count, the session save: savepoint, update, release),
    # + the areas, the count and the page (days empty, planned move-in and
    # the hidden-date facts as subqueries) = 11, for 1 row as for 50.
    with django_assert_num_queries(10):
        response = client.get(LIST)
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == min(count, 25)


# --- The ready-from page ---------------------------------------------------------------


def test_ready_page_permissions(client, case_officer, housing_admin, other_unit, two):
    from accounts.roles import Role
    from accounts.tests.factories import UserFactory

    url = reverse("tenancies:vacancy_ready", args=[two[0].pk])
    client.force_login(case_officer)
    assert client.get(url).status_code == 403
    client.force_login(UserFactory(username="annan_admin", unit=other_unit, roles=[Role.HOUSING_ADMIN]))
    assert client.get(url).status_code == 404
    client.force_login(housing_admin)
    response = client.get(url)
    assert response.status_code == 200 and two[0].apartment.street_address in response.content.decode()


def test_ready_page_saves_and_refuses_a_date_before_the_vacancy(client, housing_admin, two):
    row = two[0]
    url = reverse("tenancies:vacancy_ready", args=[row.pk])
    client.force_login(housing_admin)
    before = (row.vacant_from - timedelta(days=1)).isoformat()
    response = client.post(url, {"version": row.version, "ready_from": before, "ready_note": "Städning"})
    assert response.status_code == 200
    assert "kan inte vara före" in response.content.decode()
    assert Vacancy.objects.get(pk=row.pk).ready_from is None

    ready = (row.vacant_from + timedelta(days=20)).isoformat()
    response = client.post(url, {"version": row.version, "ready_from": ready, "ready_note": "Målning"})
    assert response.status_code == 302
    stored = Vacancy.objects.get(pk=row.pk)
    assert (stored.ready_from.isoformat(), stored.ready_note) == (ready, "Målning")

    # A form opened before that save is a conflict, not an overwrite.
    response = client.post(url, {"version": row.version, "ready_from": "", "ready_note": ""})
    assert response.status_code == 200
    assert Vacancy.objects.get(pk=row.pk).ready_from.isoformat() == ready


def test_ready_page_without_its_version_is_a_conflict(client, housing_admin, two):
    row = two[0]
    client.force_login(housing_admin)
    response = client.post(reverse("tenancies:vacancy_ready", args=[row.pk]),
                           {"ready_from": row.vacant_from.isoformat(), "ready_note": "x"})
    assert response.status_code == 200
    assert Vacancy.objects.get(pk=row.pk).ready_from is None


def test_the_case_officer_goes_from_a_vacancy_to_its_candidates(client, housing_admin, case_officer, unit):
    # The match link (views.offers.vacancy_match) is offered to those who may
    # make an offer: the case officer, not the housing administrator.
    row = vacancy(unit, 1)
    match = reverse("tenancies:vacancy_match", args=[row.apartment.pk])
    client.force_login(case_officer)
    assert match in client.get(LIST).content.decode()
    client.force_login(housing_admin)
    assert match not in client.get(LIST).content.decode()


def test_ready_page_keeps_its_query_budget(client, housing_admin, two, django_assert_num_queries):
    url = reverse("tenancies:vacancy_ready", args=[two[0].pk])
    client.force_login(housing_admin)
    client.get(url)  # warm-up: the session and permission caches fill on the first page
    # Warm (the session and permissions come from the cache): the user, the
    # vacancy with its apartment in one query, the unread notification count.
    with django_assert_num_queries(READY_PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200


READY_PAGE_QUERIES = 3
