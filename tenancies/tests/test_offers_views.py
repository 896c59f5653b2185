"""The matching and offer pages (tenancies.views.offers): who may open
them, what they show, the forms, protected personal data and the query
counts."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from referrals.models import Offer, OfferAnswer, ProtectionLevel
from referrals.tests.factories import ClientFactory
from tenancies.models import ApartmentOffer, HousingNeeds, OfferState, Vacancy
from tenancies.services import offers as services

from .factories import ApartmentFactory, granted_decision

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _json_support_known():
    # SQLite probes its JSON support once per connection: before counting.
    from django.db import connection

    assert connection.features.supports_json_field


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def apartment(unit):
    return ApartmentFactory(unit=unit, rooms=2, street_address="Påhittade vägen 3")


@pytest.fixture
def waiting(unit):
    client = ClientFactory(unit=unit, first_name="Vera", last_name="Väntesson")
    return granted_decision(client, decided_on=date(2025, 1, 10))


def make_offer(ctx, apartment, decision, today):
    return services.make_offer(ctx, apartment, decision, today, today + timedelta(days=10), today + timedelta(days=7))


def _protect(client):
    client.protection_level = ProtectionLevel.PROTECTED_REGISTRATION
    client.save()


# --- Who may open what ------------------------------------------------------------------


def _urls(apartment, decision, offer):
    return {
        "match": reverse("tenancies:vacancy_match", args=[apartment.pk]),
        "create": reverse("tenancies:offer_create", args=[apartment.pk, decision.pk]),
        "detail": reverse("tenancies:offer_detail", args=[offer.pk]),
        "list": reverse("tenancies:offer_list"),
    }


@pytest.fixture
def pages(ctx, unit, apartment, waiting, today):
    # The offer is on another apartment, so that the matched one is free.
    other_decision = granted_decision(ClientFactory(unit=unit, last_name="Erbjudansson"), decided_on=date(2025, 2, 1))
    offer = make_offer(ctx, ApartmentFactory(unit=unit), other_decision, today)
    return _urls(apartment, waiting, offer)


def test_anonymous_users_go_to_the_login(client, pages):
    for url in pages.values():
        response = client.get(url)
        assert response.status_code == 302 and "/konto/logga-in/" in response["Location"], url


@pytest.mark.parametrize("role", ["pilot", "system_admin"])
def test_roles_without_offers_get_403(client, users, pages, role):
    client.force_login(users[role])
    for url in pages.values():
        assert client.get(url).status_code == 403, url


def test_housing_admin_reads_offers_but_neither_matches_nor_offers(client, housing_admin, pages):
    client.force_login(housing_admin)
    assert client.get(pages["match"]).status_code == 403
    assert client.get(pages["create"]).status_code == 403
    response = client.get(pages["detail"])
    assert response.status_code == 200 and "Erbjudansson" in response.content.decode()
    assert response.context["answer_form"] is None and response.context["withdraw_form"] is None
    assert "Erbjudansson" in client.get(pages["list"]).content.decode()


def test_manager_reads_without_forms(client, manager, pages):
    client.force_login(manager)
    response = client.get(pages["match"])
    assert response.status_code == 200 and "Väntesson" in response.content.decode()
    assert not response.context["can_offer"]
    assert client.get(pages["create"]).status_code == 403
    response = client.get(pages["detail"])
    assert response.status_code == 200 and response.context["answer_form"] is None


def test_an_officer_of_another_unit_sees_nothing(client, outside_officer, pages):
    client.force_login(outside_officer)
    for name in ("match", "create", "detail"):
        assert client.get(pages[name]).status_code == 404, name
    response = client.get(pages["list"])
    assert response.status_code == 200 and "Erbjudansson" not in response.content.decode()
    assert response.context["page_obj"].paginator.count == 0


# --- Matching ----------------------------------------------------------------------------------


def test_the_matching_page_shows_candidates_with_reasons_and_the_offer_action(client, case_officer, apartment, waiting,
                                                                               pages):
    HousingNeeds.objects.create(decision=waiting, rooms_min=1, rooms_max=2)
    client.force_login(case_officer)

    response = client.get(pages["match"])

    body = response.content.decode()
    assert response.status_code == 200
    assert "Vera Väntesson" in body and "Påhittade vägen 3" in body
    assert "2 rum (behov 1–2)" in body
    assert pages["create"] in body
    # The other client has an open offer: no candidate.
    assert "Erbjudansson" not in body


def test_a_protected_candidate_is_left_out_and_counted(client, case_officer, apartment, waiting, pages):
    _protect(waiting.client)
    client.force_login(case_officer)

    response = client.get(pages["match"])

    body = response.content.decode()
    assert "Väntesson" not in body
    assert response.context["hidden"] == 1
    assert "1 väntande beslut av det här slaget gäller en person med skyddade personuppgifter" in body


def test_an_apartment_with_an_open_offer_offers_nothing_more(ctx, client, case_officer, apartment, waiting, today):
    offer = make_offer(ctx, apartment, waiting, today)
    client.force_login(case_officer)
    response = client.get(reverse("tenancies:vacancy_match", args=[apartment.pk]))
    assert not response.context["can_offer"]
    assert reverse("tenancies:offer_detail", args=[offer.pk]) in response.content.decode()


# --- Making an offer -------------------------------------------------------------------------


def test_the_offer_form_makes_the_offer(client, case_officer, apartment, waiting, pages, today):
    client.force_login(case_officer)
    response = client.get(pages["create"])
    assert response.status_code == 200
    assert response.context["form"].initial["answer_by"] == today + timedelta(days=7)

    response = client.post(pages["create"], {
        "offered_on": today.isoformat(), "move_in_on": (today + timedelta(days=5)).isoformat(),
        "answer_by": (today + timedelta(days=7)).isoformat(), "note": "",
    })

    offer = ApartmentOffer.objects.get(apartment=apartment)
    assert response.status_code == 302 and response["Location"] == reverse("tenancies:offer_detail", args=[offer.pk])
    assert offer.state == OfferState.PENDING and offer.decision == waiting


def test_bad_dates_get_a_message_and_nothing_is_saved(client, case_officer, apartment, pages, today):
    client.force_login(case_officer)
    before = (ApartmentOffer.objects.count(), Offer.objects.count())

    response = client.post(pages["create"], {
        "offered_on": today.isoformat(), "move_in_on": today.isoformat(),
        "answer_by": (today - timedelta(days=1)).isoformat(),
    })

    assert response.status_code == 200
    assert response.context["form"].errors["answer_by"] == ["Svarsdagen kan inte vara före erbjudandets datum."]
    assert (ApartmentOffer.objects.count(), Offer.objects.count()) == before


def test_a_second_offer_of_the_apartment_gets_the_message(ctx, client, case_officer, unit, apartment, waiting, today):
    make_offer(ctx, apartment, waiting, today)
    other = granted_decision(ClientFactory(unit=unit), decided_on=date(2025, 3, 1))
    client.force_login(case_officer)

    response = client.post(reverse("tenancies:offer_create", args=[apartment.pk, other.pk]), {
        "offered_on": today.isoformat(), "move_in_on": today.isoformat(),
        "answer_by": (today + timedelta(days=7)).isoformat(),
    })

    assert response.status_code == 200
    assert "Lägenheten har redan ett öppet erbjudande." in response.content.decode()
    assert ApartmentOffer.objects.filter(apartment=apartment).count() == 1


def test_offering_to_a_protected_person_is_refused_without_the_permission(client, case_officer, waiting, pages):
    _protect(waiting.client)
    client.force_login(case_officer)
    response = client.get(pages["create"])
    assert response.status_code == 403 and "Väntesson" not in response.content.decode()


# --- The offer's page: answer and withdraw ------------------------------------------------------


@pytest.fixture
def offer(ctx, apartment, waiting, today):
    return make_offer(ctx, apartment, waiting, today)


def _detail(offer):
    return reverse("tenancies:offer_detail", args=[offer.pk])


def test_decline_needs_a_reason_then_reaches_the_ivo_log(client, case_officer, offer, today):
    client.force_login(case_officer)
    data = {"action": "answer", "answer-answer": "declined", "answer-answered_on": today.isoformat(),
            "answer-decline_reason": "", "answer-note": "", "answer-version": offer.version}

    response = client.post(_detail(offer), data)

    assert response.status_code == 200
    assert response.context["answer_form"].errors["decline_reason"] == ["Välj varför erbjudandet avböjdes."]
    assert ApartmentOffer.objects.get(pk=offer.pk).state == OfferState.PENDING

    response = client.post(_detail(offer), {**data, "answer-decline_reason": "size", "answer-note": "För litet"})

    assert response.status_code == 302
    offer.refresh_from_db()
    assert (offer.state, offer.decline_reason) == (OfferState.DECLINED, "size")
    ivo = Offer.objects.get(pk=offer.ivo_offer_id)
    assert (ivo.answer, ivo.decline_reason, ivo.note) == (OfferAnswer.DECLINED, "size", "För litet")


def test_accept_plans_the_move_in(client, case_officer, offer, today):
    client.force_login(case_officer)
    response = client.post(_detail(offer), {
        "action": "answer", "answer-answer": "accepted", "answer-answered_on": today.isoformat(),
        "answer-version": offer.version,
    })
    assert response.status_code == 302
    assert ApartmentOffer.objects.get(pk=offer.pk).state == OfferState.ACCEPTED
    response = client.get(_detail(offer))
    assert response.context["answer_form"] is None and response.context["withdraw_form"] is not None


def test_a_stale_answer_is_a_conflict_and_saves_nothing(ctx, client, case_officer, offer, today):
    services.answer_offer(ctx, offer, True, today, version=offer.version)
    client.force_login(case_officer)
    response = client.post(_detail(offer), {
        "action": "answer", "answer-answer": "declined", "answer-answered_on": today.isoformat(),
        "answer-decline_reason": "rent", "answer-version": offer.version,
    })
    assert response.status_code == 200
    assert ApartmentOffer.objects.get(pk=offer.pk).state == OfferState.ACCEPTED


def test_withdraw(client, case_officer, offer):
    client.force_login(case_officer)
    response = client.post(_detail(offer), {"action": "withdraw", "withdraw-reason": "", "withdraw-version": offer.version})
    assert response.status_code == 200 and response.context["withdraw_form"].errors["reason"]
    response = client.post(_detail(offer), {
        "action": "withdraw", "withdraw-reason": "Behövs för akut placering", "withdraw-version": offer.version,
    })
    assert response.status_code == 302
    assert ApartmentOffer.objects.get(pk=offer.pk).state == OfferState.WITHDRAWN


def test_readers_cannot_post(client, housing_admin, manager, offer, today):
    for user in (housing_admin, manager):
        client.force_login(user)
        response = client.post(_detail(offer), {
            "action": "answer", "answer-answer": "accepted", "answer-answered_on": today.isoformat(),
            "answer-version": offer.version,
        })
        assert response.status_code == 403
    assert ApartmentOffer.objects.get(pk=offer.pk).state == OfferState.PENDING


def test_an_offer_to_a_protected_person(client, case_officer, offer, waiting, unit):
    _protect(waiting.client)
    client.force_login(case_officer)

    response = client.get(_detail(offer))
    assert response.status_code == 403
    assert "Väntesson" not in response.content.decode() and "Påhittade" not in response.content.decode()
    response = client.get(reverse("tenancies:offer_list"))
    assert "Väntesson" not in response.content.decode()
    assert response.context["hidden"] == 1

    # A user with the permission sees both.
    allowed = UserFactory(unit=unit, roles=[Role.CASE_OFFICER])
    from django.contrib.auth.models import Permission

    allowed.user_permissions.add(Permission.objects.get(codename="view_protected_client"))
    client.force_login(allowed)
    assert "Väntesson" in client.get(_detail(offer)).content.decode()


# --- The list -------------------------------------------------------------------------------------


def test_the_list_marks_overdue_answers(ctx, client, case_officer, unit, today):
    decision = granted_decision(ClientFactory(unit=unit, last_name="Sensvarsson"), decided_on=date(2025, 1, 10))
    late = services.make_offer(ctx, ApartmentFactory(unit=unit), decision, today - timedelta(days=10),
                               today, today - timedelta(days=3))
    client.force_login(case_officer)

    response = client.get(reverse("tenancies:offer_list"))

    body = response.content.decode()
    assert "Sensvarsson" in body and "Svaret är försenat" in body
    assert response.context["page_obj"].object_list == [late]


# --- Query counts -------------------------------------------------------------------------------------


def _offers(ctx, unit, n, today):
    for _ in range(n):
        decision = granted_decision(ClientFactory(unit=unit), decided_on=date(2025, 1, 10))
        services.make_offer(ctx, ApartmentFactory(unit=unit), decision, today, today, today + timedelta(days=7))


@pytest.mark.parametrize("n", [1, 30])
def test_list_queries(ctx, client, case_officer, unit, today, n, django_assert_num_queries):
    _offers(ctx, unit, n, today)
    client.force_login(case_officer)
    # 8 for every page (session, user, permissions, notifications, session
    # save), the counts in one aggregate, the page's rows, the read log's
    # insert and its chain lock.
    with django_assert_num_queries(11):
        response = client.get(reverse("tenancies:offer_list"))
    assert len(response.context["page_obj"].object_list) == min(n, 25)


@pytest.mark.parametrize("n", [1, 30])
def test_matching_queries(client, case_officer, unit, apartment, n, django_assert_num_queries):
    for _ in range(n):
        decision = granted_decision(ClientFactory(unit=unit), decided_on=date(2025, 1, 10))
        HousingNeeds.objects.create(decision=decision, rooms_min=1)
    client.force_login(case_officer)
    # 8 for every page, the apartment (with vacancy, open offer and the
    # protected count), the candidates with their clients, the read log's
    # insert and its chain lock.
    with django_assert_num_queries(11):
        response = client.get(reverse("tenancies:vacancy_match", args=[apartment.pk]))
    assert len(response.context["candidates"]) == n


def test_detail_queries(client, case_officer, offer, django_assert_num_queries):
    client.force_login(case_officer)
    with django_assert_num_queries(11):
        assert client.get(_detail(offer)).status_code == 200


def test_an_answer_posted_without_its_version_is_a_conflict(client, case_officer, offer, today):
    client.force_login(case_officer)
    response = client.post(_detail(offer), {
        "action": "answer", "answer-answer": "accepted", "answer-answered_on": today.isoformat(),
    })
    assert response.status_code == 200
    assert "Någon annan ändrade erbjudandet" in response.content.decode()
    assert ApartmentOffer.objects.get(pk=offer.pk).state == OfferState.PENDING


def test_the_apartment_page_links_a_vacant_apartment_to_its_matching(client, case_officer, housing_admin, apartment):
    url = reverse("tenancies:vacancy_match", args=[apartment.pk])
    client.force_login(case_officer)
    assert url in client.get(reverse("tenancies:apartment_detail", args=[apartment.pk])).content.decode()
    client.force_login(housing_admin)
    assert url not in client.get(reverse("tenancies:apartment_detail", args=[apartment.pk])).content.decode()


def test_form_queries(client, case_officer, apartment, unit, django_assert_num_queries):
    decision = granted_decision(ClientFactory(unit=unit), decided_on=date(2025, 1, 10))
    Vacancy.objects.create(apartment=apartment, reason="move_out", vacant_from=date(2025, 1, 1),
                           ready_from=date(2025, 2, 1))
    client.force_login(case_officer)
    # 8 for every page, the apartment (with its open vacancy's ready-from
    # day), the decision with its client, the read log's insert and its
    # chain lock (the decision's and the apartment's rows in one).
    with django_assert_num_queries(11):
        assert client.get(reverse("tenancies:offer_create", args=[apartment.pk, decision.pk])).status_code == 200


# --- The first empty day after a protected tenant ---------------------------------------------------
# The vacancy's first empty day is the day after the previous tenant's
# move-out. Beside the address it dates a protected tenant's tenancy, so the
# matching page, the offer form and the offer page hide it as the vacancy
# list does (services.vacancies.with_start_hidden).

PROTECTED_MOVE_OUT = date(2025, 4, 14)
FIRST_EMPTY_DAY = "2025-04-15"


@pytest.fixture
def after_protected(ctx, apartment):
    """`apartment` vacant after a tenant with protected personal data moved out."""
    from tenancies.models import EndReason
    from tenancies.services.moves import move_out

    from .factories import moved_in

    tenant = ClientFactory(unit=apartment.unit, first_name="Tova", last_name="Tidigaresson",
                           protection_level=ProtectionLevel.PROTECTED_REGISTRATION)
    tenancy = moved_in(ctx, apartment, tenant, date(2023, 3, 7))
    move_out(ctx, tenancy, PROTECTED_MOVE_OUT, EndReason.OWN_HOUSING)
    assert Vacancy.objects.open().get(apartment=apartment).vacant_from.isoformat() == FIRST_EMPTY_DAY
    return apartment


def _with_protected_permission(user):
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="view_protected_client"))
    return UserFactory._meta.model.objects.get(pk=user.pk)  # permissions re-read


def _dates_of_the_protected_tenancy(body):
    return [day for day in (FIRST_EMPTY_DAY, PROTECTED_MOVE_OUT.isoformat()) if day in body]


def test_the_matching_page_hides_the_first_day_after_a_protected_tenant(client, case_officer, manager, unit,
                                                                       after_protected, waiting):
    url = reverse("tenancies:vacancy_match", args=[after_protected.pk])
    for user in (case_officer, manager):
        client.force_login(user)
        body = client.get(url).content.decode()
        assert "Påhittade vägen 3" in body and "Väntesson" in body
        assert _dates_of_the_protected_tenancy(body) == [], user.username
        assert "Visas inte: skyddade personuppgifter" in body

    client.force_login(_with_protected_permission(UserFactory(unit=unit, roles=[Role.CASE_OFFICER])))
    body = client.get(url).content.decode()
    assert FIRST_EMPTY_DAY in body and "Visas inte: skyddade personuppgifter" not in body


def test_the_matching_page_shows_the_first_day_after_a_plain_tenant(ctx, client, case_officer, apartment, waiting):
    from tenancies.models import EndReason
    from tenancies.services.moves import move_out

    from .factories import moved_in

    tenancy = moved_in(ctx, apartment, ClientFactory(unit=apartment.unit), date(2023, 3, 7))
    move_out(ctx, tenancy, PROTECTED_MOVE_OUT, EndReason.OWN_HOUSING)
    client.force_login(case_officer)
    body = client.get(reverse("tenancies:vacancy_match", args=[apartment.pk])).content.decode()
    assert FIRST_EMPTY_DAY in body and "Visas inte: skyddade personuppgifter" not in body


def test_the_offer_form_shows_no_date_of_a_protected_tenancy(client, case_officer, after_protected, waiting):
    client.force_login(case_officer)
    response = client.get(reverse("tenancies:offer_create", args=[after_protected.pk, waiting.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and "Påhittade vägen 3" in body
    assert _dates_of_the_protected_tenancy(body) == []


def test_the_offer_page_hides_the_first_day_after_a_protected_tenant(ctx, client, case_officer, housing_admin,
                                                                    manager, unit, after_protected, waiting, today):
    offer = make_offer(ctx, after_protected, waiting, today)
    assert offer.vacancy.vacant_from.isoformat() == FIRST_EMPTY_DAY
    for user in (case_officer, housing_admin, manager):
        client.force_login(user)
        body = client.get(_detail(offer)).content.decode()
        assert "Påhittade vägen 3" in body and "Väntesson" in body
        assert _dates_of_the_protected_tenancy(body) == [], user.username
        assert "Visas inte: skyddade personuppgifter" in body

    # A refused answer shows the page again: still hidden.
    client.force_login(case_officer)
    body = client.post(_detail(offer), {
        "action": "answer", "answer-answer": "declined", "answer-answered_on": today.isoformat(),
        "answer-decline_reason": "", "answer-version": offer.version,
    }).content.decode()
    assert "Välj varför erbjudandet avböjdes." in body and _dates_of_the_protected_tenancy(body) == []

    client.force_login(_with_protected_permission(UserFactory(unit=unit, roles=[Role.MANAGER])))
    body = client.get(_detail(offer)).content.decode()
    assert FIRST_EMPTY_DAY in body and "Visas inte: skyddade personuppgifter" not in body


@pytest.mark.parametrize("page", ["match", "detail"])
def test_the_hidden_first_day_costs_no_query(client, case_officer, after_protected, waiting, today, ctx, page,
                                             django_assert_num_queries):
    offer = make_offer(ctx, after_protected, waiting, today)
    url = reverse("tenancies:vacancy_match", args=[after_protected.pk]) if page == "match" else _detail(offer)
    client.force_login(case_officer)
    # The same 11 as without a protected tenant (test_matching_queries,
    # test_detail_queries): the flag is read in the apartment's or the
    # offer's own query.
    with django_assert_num_queries(11):
        response = client.get(url)
    assert response.status_code == 200 and response.context["start_hidden"]


# --- An accepted offer is handed over to the move-in ------------------------------------------------


def _accept(client, offer, today):
    return client.post(_detail(offer), {
        "action": "answer", "answer-answer": "accepted", "answer-answered_on": today.isoformat(),
        "answer-version": offer.version,
    })


@pytest.fixture
def responsible(unit, waiting):
    officer = UserFactory(unit=unit, roles=[Role.CASE_OFFICER], email="ansvarig@example.invalid")
    waiting.client.responsible_officer = officer
    waiting.client.save()
    return officer


def test_accepting_tells_the_responsible_officer_and_the_housing_admins_without_personal_data(
    client, case_officer, housing_admin, manager, responsible, offer, today, mailoutbox,
    django_capture_on_commit_callbacks,
):
    from accounts.models import Notification

    housing_admin.email = "boende@example.invalid"
    housing_admin.save()
    client.force_login(case_officer)
    with django_capture_on_commit_callbacks(execute=True):
        assert _accept(client, offer, today).status_code == 302

    told = Notification.objects.filter(url=_detail(offer))
    assert {n.user for n in told} == {responsible, housing_admin}  # not the one who answered, not the manager
    for notification in told:
        assert notification.text == f"Erbjudande #{offer.pk} har accepterats: registrera inflyttningen"
    assert len(mailoutbox) == 2
    for mail in mailoutbox:
        text = mail.subject + mail.body
        for personal in ("Väntesson", "Vera", "Påhittade", offer.apartment.object_number,
                         offer.move_in_on.isoformat()):
            assert personal not in text


def test_a_decline_tells_nobody(client, case_officer, housing_admin, responsible, offer, today):
    from accounts.models import Notification

    client.force_login(case_officer)
    client.post(_detail(offer), {
        "action": "answer", "answer-answer": "declined", "answer-answered_on": today.isoformat(),
        "answer-decline_reason": "size", "answer-version": offer.version,
    })
    assert not Notification.objects.filter(url=_detail(offer)).exists()


def test_an_accepted_offer_to_a_protected_person_is_told_only_to_who_may_see_it(
    ctx, unit, housing_admin, responsible, offer, waiting, today,
):
    from accounts.models import Notification

    _protect(waiting.client)
    allowed_admin = _with_protected_permission(UserFactory(unit=unit, roles=[Role.HOUSING_ADMIN]))
    services.answer_offer(ctx, offer, True, today, version=offer.version)
    assert {n.user for n in Notification.objects.filter(url=_detail(offer))} == {allowed_admin}


def test_the_accepted_offer_links_to_the_prefilled_move_in(ctx, client, case_officer, housing_admin, manager, offer,
                                                           waiting, today):
    client.force_login(case_officer)
    assert client.get(_detail(offer)).context["move_in_url"] is None  # pending: nothing to hand over yet
    services.answer_offer(ctx, offer, True, today, version=offer.version)

    officer_url = (reverse("tenancies:tenancy_move_in", args=[waiting.client.pk]) + f"?erbjudande={offer.pk}")
    body = client.get(_detail(offer)).content.decode()
    assert officer_url.replace("&", "&amp;") in body and "Registrera inflyttningen" in body
    client.force_login(housing_admin)
    admin_url = reverse("tenancies:apartment_move_in", args=[offer.apartment_id]) + f"?erbjudande={offer.pk}"
    assert admin_url in client.get(_detail(offer)).content.decode()
    client.force_login(manager)
    response = client.get(_detail(offer))
    assert response.context["move_in_url"] is None and "Registrera inflyttningen" not in response.content.decode()


def test_the_case_officers_move_in_form_is_prefilled_and_completes_the_offer(ctx, client, case_officer, offer,
                                                                            waiting, today):
    services.answer_offer(ctx, offer, True, today, version=offer.version)
    client.force_login(case_officer)
    url = reverse("tenancies:tenancy_move_in", args=[waiting.client.pk])

    form = client.get(url + f"?erbjudande={offer.pk}").context["form"]

    assert (form.initial["apartment"], form.initial["decision"], form.initial["start_date"]) == (
        offer.apartment_id, waiting.pk, offer.move_in_on,
    )
    response = client.post(url, {
        "apartment": offer.apartment_id, "decision": waiting.pk, "start_date": offer.move_in_on.isoformat(),
        "rent_kr": "", "contract_months": 12, "notice_weeks": 4,
    })
    assert response.status_code == 302, response.context["form"].errors
    assert ApartmentOffer.objects.get(pk=offer.pk).state == OfferState.MOVED_IN


def test_the_housing_admins_move_in_form_is_prefilled(ctx, client, housing_admin, offer, waiting, today):
    services.answer_offer(ctx, offer, True, today, version=offer.version)
    client.force_login(housing_admin)

    response = client.get(reverse("tenancies:apartment_move_in", args=[offer.apartment_id]) + f"?erbjudande={offer.pk}")

    form = response.context["form"]
    assert (form.initial["client"], form.initial["start_date"]) == (waiting.client.pk, offer.move_in_on)


@pytest.mark.parametrize("how", ["pending", "other_client", "not_a_number", "other_unit", "protected"])
def test_a_move_in_form_prefills_nothing_from_an_offer_it_may_not_use(ctx, client, case_officer, unit, other_unit,
                                                                     offer, waiting, today, how):
    services.answer_offer(ctx, offer, True, today, version=offer.version)
    client_pk, value = waiting.client.pk, str(offer.pk)
    if how == "pending":
        ApartmentOffer.objects.filter(pk=offer.pk).update(state=OfferState.PENDING)
    elif how == "other_client":
        client_pk = granted_decision(ClientFactory(unit=unit), decided_on=date(2025, 1, 10)).client_id
    elif how == "not_a_number":
        value = "1;DROP"
    elif how == "other_unit":
        ApartmentOffer.objects.filter(pk=offer.pk).update(apartment=ApartmentFactory(unit=other_unit))
    else:
        _protect(waiting.client)
    client.force_login(case_officer)

    response = client.get(reverse("tenancies:tenancy_move_in", args=[client_pk]) + f"?erbjudande={value}")

    if how == "protected":  # the client's own form is theirs to open, but the offer prefills nothing
        assert response.status_code in (200, 404)
        if response.status_code == 404:
            return
    assert response.status_code == 200
    assert "apartment" not in response.context["form"].initial
