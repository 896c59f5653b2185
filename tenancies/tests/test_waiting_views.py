"""The waiting list's pages (tenancies.views.waiting): who may open them
(anonymous, wrong role, outsider, case officer, manager read-only), what
they show (never an address), the Swedish messages beside the fields,
nothing half-saved, the optimistic lock and the query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry
from referrals.models import DecisionKind, ProtectionLevel
from referrals.tests.factories import ClientFactory
from tenancies.models import ApartmentOffer, Area, HousingNeeds, OfferState, WaitingPriority
from tenancies.services.waiting import set_needs, set_priority

from .factories import ApartmentFactory, granted_decision

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LIST = reverse("tenancies:waiting_list")


def html_of(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def decision(client_record, case_officer):
    return granted_decision(client_record, decided_on=TODAY - timedelta(days=80), decided_by=case_officer)


def needs_url(decision):
    return reverse("tenancies:waiting_needs", args=[decision.pk])


def priority_url(decision):
    return reverse("tenancies:waiting_priority", args=[decision.pk])


def as_user(client, user):
    client.force_login(user)
    return client


# --- Who may open the pages ------------------------------------------------------------


@pytest.mark.parametrize("page", ["list", "needs", "priority"])
def test_anonymous_users_go_to_the_login(client, decision, page):
    url = {"list": LIST, "needs": needs_url(decision), "priority": priority_url(decision)}[page]
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("role", ["pilot", "housing_admin", "system_admin"])
@pytest.mark.parametrize("page", ["list", "needs", "priority"])
def test_other_roles_are_refused(client, request, decision, role, page):
    url = {"list": LIST, "needs": needs_url(decision), "priority": priority_url(decision)}[page]
    as_user(client, request.getfixturevalue(role))
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403


def test_an_outsider_sees_no_decision_of_another_unit(client, decision, outside_officer, client_record):
    as_user(client, outside_officer)
    assert client_record.last_name not in html_of(client.get(LIST))
    assert client.get(needs_url(decision)).status_code == 404
    assert client.get(priority_url(decision)).status_code == 404
    assert client.post(needs_url(decision), {"version": "0", "children": "1"}).status_code == 404
    assert client.post(priority_url(decision), {"level": "1", "reason": "x", "seen": "0"}).status_code == 404
    assert not HousingNeeds.objects.exists() and not WaitingPriority.objects.exists()


def test_the_case_officer_sees_the_list_with_needs_priority_and_ivo(client, ctx, unit, case_officer, decision,
                                                                    client_record):
    set_needs(ctx, decision, {"rooms_min": 2, "rooms_max": 3, "children": 2,
                              "areas": [Area.objects.create(unit=unit, name="Västra")]}, 0)
    set_priority(ctx, decision, WaitingPriority.Level.URGENT, "Vräkning verkställs i maj")
    html = html_of(as_user(client, case_officer).get(LIST))
    assert client_record.full_name in html
    assert "2–3 rum · 2 barn · Västra" in html
    assert "Akut" in html
    assert "Vräkning verkställs i maj" in html
    assert "80" in html  # days waiting
    # 80 days since the decision: three calendar months are 89–92 days, so
    # the first reportable day is 10–13 days away.
    assert "Rapporteras till IVO inom 30 dagar" in html
    assert needs_url(decision) in html and priority_url(decision) in html
    assert client_record.street_address not in html


def test_the_list_shows_a_protected_client_by_name_with_the_badge_and_never_an_address(
        client, case_officer, unit):
    hidden = ClientFactory(unit=unit, protection_level=ProtectionLevel.PROTECTED_REGISTRATION,
                           street_address="Hemliga gatan 7")
    granted_decision(hidden, kind=DecisionKind.EMERGENCY_HOUSING, decided_on=TODAY, decided_by=case_officer)
    html = html_of(as_user(client, case_officer).get(LIST))
    assert hidden.full_name in html and "Skyddad" in html
    assert "Hemliga gatan" not in html
    # The read is logged (audit.reads): the list loaded the client.
    assert AccessLogEntry.objects.filter(user=case_officer, client_id=hidden.pk, action=AccessAction.VIEW).exists()


def test_the_filters_and_the_oldest_first_toggle(client, ctx, case_officer, unit, decision, client_record):
    emergency_client = ClientFactory(unit=unit, last_name="Jourbo")
    emergency = granted_decision(emergency_client, kind=DecisionKind.EMERGENCY_HOUSING, decided_on=TODAY,
                                 decided_by=case_officer)
    as_user(client, case_officer)
    only_emergency = html_of(client.get(LIST, {"typ": DecisionKind.EMERGENCY_HOUSING}))
    assert emergency_client.full_name in only_emergency and client_record.full_name not in only_emergency
    soon = html_of(client.get(LIST, {"ivo": "soon"}))
    assert client_record.full_name in soon and emergency_client.full_name not in soon
    assert client_record.full_name not in html_of(client.get(LIST, {"ivo": "reportable"}))
    set_priority(ctx, emergency, WaitingPriority.Level.URGENT, "Akut")
    by_priority = html_of(client.get(LIST))
    assert by_priority.index(emergency_client.full_name) < by_priority.index(client_record.full_name)
    oldest = html_of(client.get(LIST, {"ordning": "aldst"}))
    assert oldest.index(client_record.full_name) < oldest.index(emergency_client.full_name)
    # An unknown code shows everything, with the message beside the field.
    unknown = html_of(client.get(LIST, {"typ": "nonsense"}))
    assert client_record.full_name in unknown and emergency_client.full_name in unknown
    assert "invalid-feedback" in unknown


# --- The needs page ----------------------------------------------------------------------


def test_the_case_officer_registers_and_changes_needs(client, case_officer, unit, decision):
    north = Area.objects.create(unit=unit, name="Norr")
    as_user(client, case_officer)
    page = html_of(client.get(needs_url(decision)))
    assert 'name="version" value="0"' in page
    response = client.post(needs_url(decision), {
        "version": "0", "rooms_min": "1,5", "rooms_max": "2", "needs_lift": "on", "children": "1",
        "areas": [north.pk], "accessibility": "Rullstol", "notes": "",
    })
    assert response.status_code == 302 and response["Location"] == LIST
    needs = HousingNeeds.objects.get(decision=decision)
    assert (str(needs.rooms_min), needs.needs_lift, list(needs.areas.all())) == ("1.5", True, [north])
    response = client.post(needs_url(decision), {"version": str(needs.version), "rooms_min": "2", "children": "0"})
    assert response.status_code == 302
    assert HousingNeeds.objects.get(pk=needs.pk).children == 0


def test_rooms_min_above_rooms_max_gives_a_swedish_message_beside_the_field(client, case_officer, decision):
    as_user(client, case_officer)
    response = client.post(needs_url(decision), {"version": "0", "rooms_min": "3", "rooms_max": "2", "children": "0"})
    html = html_of(response)
    assert response.context["form"].errors["rooms_max"] == ["Högsta antal rum kan inte vara lägre än lägsta."]
    assert "Högsta antal rum kan inte vara lägre än lägsta." in html
    assert not HousingNeeds.objects.exists()


def test_hostile_numbers_are_messages_not_errors(client, case_officer, decision):
    as_user(client, case_officer)
    response = client.post(needs_url(decision), {
        "version": "0", "rooms_min": "1e309", "rooms_max": "NaN", "max_floor": "99999999999", "children": "-1",
        "areas": ["99999999999999999999"],
    })
    form = html_of(response) and response.context["form"]
    assert {"rooms_min", "rooms_max", "max_floor", "children", "areas"} <= set(form.errors)
    assert not HousingNeeds.objects.exists()


def test_needs_saved_by_someone_else_meanwhile_are_a_conflict_with_the_input_kept(client, ctx, case_officer,
                                                                                   decision):
    needs = set_needs(ctx, decision, {"children": 1}, 0)
    as_user(client, case_officer)
    opened = needs.version
    set_needs(ctx, decision, {"children": 2}, opened)
    response = client.post(needs_url(decision), {"version": str(opened), "children": "3", "notes": "Min text"})
    html = html_of(response)
    assert "Någon annan ändrade boendebehoven" in html
    assert "Min text" in html
    assert HousingNeeds.objects.get(pk=needs.pk).children == 2


def test_needs_posted_without_a_version_over_existing_needs_are_a_conflict(client, ctx, case_officer, decision):
    set_needs(ctx, decision, {"children": 1}, 0)
    as_user(client, case_officer)
    response = client.post(needs_url(decision), {"children": "4"})
    assert response.status_code == 200
    assert HousingNeeds.objects.get().children == 1


def test_the_manager_reads_the_needs_and_may_not_change_them(client, ctx, manager, decision):
    set_needs(ctx, decision, {"children": 2, "notes": "Behöver närhet till skola"}, 0)
    as_user(client, manager)
    html = html_of(client.get(needs_url(decision)))
    assert "Behöver närhet till skola" in html and "name=\"version\"" not in html and "name=\"reason\"" not in html
    assert client.post(needs_url(decision), {"version": "1", "children": "0"}).status_code == 403
    assert HousingNeeds.objects.get().children == 2


def test_an_executed_decision_shows_its_needs_read_only(client, ctx, case_officer, decision):
    set_needs(ctx, decision, {"children": 2}, 0)
    type(decision).objects.filter(pk=decision.pk).update(executed_on=TODAY)
    as_user(client, case_officer)
    html = html_of(client.get(needs_url(decision)))
    assert "väntar inte längre" in html and "name=\"version\"" not in html and "name=\"reason\"" not in html
    assert client.post(needs_url(decision), {"version": "1", "children": "0"}).status_code == 404


def test_a_decision_that_is_not_an_apartment_has_no_waiting_pages(client, case_officer, client_record):
    support = granted_decision(client_record, kind=DecisionKind.BOLOTS_SUPPORT, decided_on=TODAY,
                               decided_by=case_officer)
    as_user(client, case_officer)
    assert client.get(needs_url(support)).status_code == 404
    assert client.get(priority_url(support)).status_code == 404


# --- The priority page -------------------------------------------------------------------


def test_the_case_officer_sets_a_priority_and_sees_the_history(client, ctx, case_officer, decision):
    first = set_priority(ctx, decision, WaitingPriority.Level.HIGH, "Bor på härbärge")
    as_user(client, case_officer)
    page = html_of(client.get(priority_url(decision)))
    assert "Bor på härbärge" in page and f'name="seen" value="{first.pk}"' in page
    response = client.post(priority_url(decision), {"level": "1", "reason": "Härbärget stänger", "seen": first.pk})
    assert response.status_code == 302 and response["Location"] == LIST
    html = html_of(client.get(priority_url(decision)))
    assert html.index("Härbärget stänger") < html.index("Bor på härbärge")
    assert WaitingPriority.objects.filter(decision=decision).count() == 2


def test_a_priority_without_a_reason_gets_a_swedish_message(client, case_officer, decision):
    as_user(client, case_officer)
    response = client.post(priority_url(decision), {"level": "2", "reason": "  ", "seen": "0"})
    html_of(response)
    assert response.context["form"].errors["reason"] == ["Skriv skälet till prioriteten."]
    assert not WaitingPriority.objects.exists()


def test_a_priority_set_meanwhile_is_shown_before_anything_is_saved(client, ctx, case_officer, decision):
    as_user(client, case_officer)
    set_priority(ctx, decision, WaitingPriority.Level.NORMAL, "Satt av en kollega")
    response = client.post(priority_url(decision), {"level": "1", "reason": "Min", "seen": "0"})
    html = html_of(response)
    assert "Någon annan satte en prioritet" in html and "Satt av en kollega" in html
    assert WaitingPriority.objects.count() == 1
    # Sent again, now against the priority read: saved.
    seen = response.context["form"]["seen"].value()
    assert client.post(priority_url(decision), {"level": "1", "reason": "Min", "seen": seen}).status_code == 302


def test_the_manager_reads_the_priority_history_only(client, ctx, manager, decision):
    set_priority(ctx, decision, WaitingPriority.Level.HIGH, "Barn i hushållet")
    as_user(client, manager)
    html = html_of(client.get(priority_url(decision)))
    assert "Barn i hushållet" in html and "name=\"version\"" not in html and "name=\"reason\"" not in html
    assert client.post(priority_url(decision), {"level": "1", "reason": "x", "seen": "0"}).status_code == 403
    assert WaitingPriority.objects.count() == 1


# --- Query counts ------------------------------------------------------------------------


def _waiting_rows(ctx, unit, case_officer, count):
    area = Area.objects.create(unit=unit, name="Centrum")
    apartment = ApartmentFactory(unit=unit)
    for n in range(count):
        decision = granted_decision(ClientFactory(unit=unit, responsible_officer=case_officer),
                                    decided_on=TODAY - timedelta(days=n), decided_by=case_officer)
        set_needs(ctx, decision, {"rooms_min": 1, "children": n % 3, "areas": [area]}, 0)
        set_priority(ctx, decision, WaitingPriority.Level.HIGH, f"Skäl {n}")
        ApartmentOffer.objects.create(apartment=apartment, decision=decision, offered_on=TODAY, move_in_on=TODAY,
                                      answer_by=TODAY, state=OfferState.DECLINED, decline_reason="other",
                                      made_by=case_officer)


@pytest.mark.parametrize("count", [1, 40])
def test_the_list_query_count_does_not_grow(client, ctx, unit, case_officer, count, django_assert_num_queries):
    _waiting_rows(ctx, unit, case_officer, count)
    as_user(client, case_officer)
    # session + user + permissions + navigation (base 8), the count, the
    # page's rows, the needs' areas, the read-log insert = 12
    with django_assert_num_queries(11):
        html = html_of(client.get(LIST))
    assert html.count("Skäl ") == min(count, 25)


@pytest.mark.parametrize("count", [1, 12])
def test_the_priority_page_query_count_does_not_grow(client, ctx, case_officer, decision, count,
                                                     django_assert_num_queries):
    for n in range(count):
        set_priority(ctx, decision, WaitingPriority.Level.NORMAL, f"Skäl {n}")
    as_user(client, case_officer)
    with django_assert_num_queries(11):
        html_of(client.get(priority_url(decision)))


@pytest.mark.parametrize("areas", [1, 12])
def test_the_needs_page_query_count_does_not_grow(client, ctx, unit, case_officer, decision, areas,
                                                  django_assert_num_queries):
    chosen = [Area.objects.create(unit=unit, name=f"Område {n}") for n in range(areas)]
    set_needs(ctx, decision, {"areas": chosen}, 0)
    as_user(client, case_officer)
    with django_assert_num_queries(11):
        html_of(client.get(needs_url(decision)))
