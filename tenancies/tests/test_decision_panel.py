"""The decision page's housing panel (tenancies.decision_panel, registered
through referrals.decision_panels): who sees it (anonymous, wrong role,
outsider, case officer, manager), what it shows (needs with when and by
whom, the priority in force and its history, the apartments offered), the
protected-address rule, one access-log row per page and a query count that
does not grow with the offers or the priority history."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessAction, AccessLogEntry
from referrals.models import DecisionKind, ProtectionLevel
from tenancies.models import ApartmentOffer, Area, OfferState, WaitingPriority
from tenancies.services.waiting import set_needs, set_priority

from .factories import ApartmentFactory, granted_decision

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
HEADING = "Boendebehov, prioritet och lägenhetserbjudanden"


def url_of(decision):
    return reverse("referrals:decision_detail", args=[decision.pk])


def html_of(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def decision(client_record, case_officer):
    return granted_decision(client_record, decided_on=TODAY - timedelta(days=80), decided_by=case_officer)


def offer(decision, made_by, *, offered_on, state=OfferState.DECLINED, **extra):
    """An offer as services.offers leaves it (made directly: the rules of
    making and answering are test_offers_services' to test)."""
    apartment = extra.pop("apartment", None) or ApartmentFactory(unit=decision.client.unit)
    declined = state == OfferState.DECLINED
    return ApartmentOffer.objects.create(
        apartment=apartment, decision=decision, offered_on=offered_on, move_in_on=offered_on + timedelta(days=14),
        answer_by=offered_on + timedelta(days=7), state=state, decline_reason="area" if declined else "",
        answered_on=offered_on + timedelta(days=3) if declined else None, made_by=made_by,
    )


@pytest.fixture
def waiting_data(ctx, unit, case_officer, decision):
    """Needs, two priorities (the second in force) and a declined offer."""
    set_needs(ctx, decision, {"rooms_min": 2, "rooms_max": 3, "children": 1, "notes": "Nära skolan",
                              "areas": [Area.objects.create(unit=unit, name="Västra")]}, 0)
    set_priority(ctx, decision, WaitingPriority.Level.HIGH, "Trångbott")
    set_priority(ctx, decision, WaitingPriority.Level.URGENT, "Vräkning verkställs i maj")
    apartment = ApartmentFactory(unit=unit, street_address="Erbjudandegatan 4", object_number="OBJ-77", area="Norr")
    return offer(decision, case_officer, offered_on=TODAY - timedelta(days=20), apartment=apartment)


# --- Who sees it -------------------------------------------------------------------------


def test_anonymous_users_go_to_the_login(client, decision):
    response = client.get(url_of(decision))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("role", ["pilot", "housing_admin", "system_admin"])
def test_other_roles_do_not_reach_the_page(client, request, decision, waiting_data, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(url_of(decision)).status_code == 403


def _manager_role_keeps(*codenames):
    """The manager role (who reads decisions) with only these tenancies permissions."""
    group = Group.objects.get(name=Role.MANAGER)
    group.permissions.remove(*Permission.objects.filter(content_type__app_label="tenancies")
                             .exclude(codename__in=codenames))


def test_a_reader_of_decisions_without_the_housing_permissions_sees_no_panel(client, manager, decision, waiting_data):
    _manager_role_keeps()
    client.force_login(manager)
    html = html_of(client.get(url_of(decision)))
    assert HEADING not in html
    assert "Vräkning" not in html and "Erbjudandegatan" not in html and "Nära skolan" not in html


def test_each_part_needs_its_own_permission(client, manager, decision, waiting_data):
    _manager_role_keeps("view_apartmentoffer")
    client.force_login(manager)
    html = html_of(client.get(url_of(decision)))
    assert HEADING in html and "Erbjudandegatan 4" in html
    assert "Vräkning" not in html and "Nära skolan" not in html and "Prioritet" not in html


def test_an_outsider_gets_404_and_nothing_of_the_panel(client, outside_officer, decision, waiting_data):
    client.force_login(outside_officer)
    response = client.get(url_of(decision))
    assert response.status_code == 404
    assert "Vräkning" not in response.content.decode()


def test_the_case_officer_sees_needs_priority_and_offers_with_the_edit_links(
    client, case_officer, decision, waiting_data
):
    client.force_login(case_officer)
    html = html_of(client.get(url_of(decision)))
    assert HEADING in html
    # Needs, with the day and who set them (the access log's create row).
    assert "2–3 rum · 1 barn · Västra" in html
    assert "Nära skolan" in html
    assert f"Satt {TODAY:%Y-%m-%d} av {case_officer}." in html
    # The priority in force, and that it has a history.
    assert "Akut</strong> – Vräkning verkställs i maj" in html
    assert "Trångbott" not in html
    assert "Den ersatte 1 tidigare prioritet." in html
    # The offer, with its apartment (the client is not protected).
    assert "Erbjudandegatan 4 (OBJ-77), Norr" in html
    assert "Tackade nej" in html
    assert "Området" in html
    assert reverse("tenancies:offer_detail", args=[waiting_data.pk]) in html
    # The links to edit them.
    assert reverse("tenancies:waiting_needs", args=[decision.pk]) in html and "Ändra behov" in html
    assert reverse("tenancies:waiting_priority", args=[decision.pk]) in html and "Ändra prioritet" in html


def test_the_manager_reads_it_without_edit_links(client, manager, decision, waiting_data):
    client.force_login(manager)
    html = html_of(client.get(url_of(decision)))
    assert "Vräkning verkställs i maj" in html and "Erbjudandegatan 4" in html
    assert reverse("tenancies:waiting_needs", args=[decision.pk]) not in html
    assert "Ändra prioritet" not in html
    # The history, read-only.
    assert "Prioritetshistorik" in html and reverse("tenancies:waiting_priority", args=[decision.pk]) in html


def test_a_decision_without_needs_priority_or_offers_says_so_and_offers_to_register(client, case_officer, decision):
    client.force_login(case_officer)
    html = html_of(client.get(url_of(decision)))
    assert "Inga behov registrerade." in html and "Registrera behov" in html
    assert "Ingen prioritet satt: beslutet räknas som normal prioritet." in html and "Sätt prioritet" in html
    assert "Ingen lägenhet har erbjudits för beslutet." in html


def test_an_executed_decision_shows_what_was_registered_without_edit_links(
    client, case_officer, decision, waiting_data
):
    decision.executed_on = TODAY
    decision.save()
    client.force_login(case_officer)
    html = html_of(client.get(url_of(decision)))
    assert "Beslutet väntar inte längre på en lägenhet" in html
    assert "Vräkning verkställs i maj" in html and "Erbjudandegatan 4" in html
    assert reverse("tenancies:waiting_needs", args=[decision.pk]) not in html
    assert "Ändra prioritet" not in html and "Prioritetshistorik" in html


def test_a_decision_not_on_an_apartment_has_no_panel(client, case_officer, client_record):
    support = granted_decision(client_record, kind=DecisionKind.HOME_SUPPORT, decided_by=case_officer)
    client.force_login(case_officer)
    assert HEADING not in html_of(client.get(url_of(support)))


def test_saving_from_the_panels_links_goes_back_to_the_decision(client, case_officer, decision):
    client.force_login(case_officer)
    html = html_of(client.get(url_of(decision)))
    needs_link = reverse("tenancies:waiting_needs", args=[decision.pk]) + "?fran=beslut"
    priority_link = reverse("tenancies:waiting_priority", args=[decision.pk]) + "?fran=beslut"
    assert needs_link in html and priority_link in html
    # The cancel link leads back too.
    assert f'href="{url_of(decision)}">Avbryt</a>' in html_of(client.get(priority_link))

    response = client.post(priority_link, {"level": "1", "reason": "Akut bostadslöshet", "seen": "0"})
    assert response.status_code == 302 and response["Location"] == url_of(decision)
    response = client.post(needs_link, {"version": "0", "children": "2"})
    assert response.status_code == 302 and response["Location"] == url_of(decision)
    html = html_of(client.get(url_of(decision)))
    assert "Akut</strong> – Akut bostadslöshet" in html and "2 barn" in html
    # Any other value is the list, as before: never a URL to follow.
    response = client.post(reverse("tenancies:waiting_priority", args=[decision.pk]) + "?fran=https://example.org/",
                           {"level": "2", "reason": "Omprövad", "seen": str(WaitingPriority.objects.get().pk)})
    assert response["Location"] == reverse("tenancies:waiting_list")


# --- Protected personal data ------------------------------------------------------------


def test_a_protected_clients_offered_apartment_is_never_shown_without_the_permission(
    client, unit, case_officer, waiting_data, decision
):
    decision.client.protection_level = ProtectionLevel.PROTECTED_REGISTRATION
    decision.client.save()
    client.force_login(case_officer)
    html = html_of(client.get(url_of(decision)))
    assert "Lägenheten visas inte: skyddade personuppgifter" in html
    assert "Erbjudandegatan" not in html and "OBJ-77" not in html and "Norr" not in html
    assert reverse("tenancies:offer_detail", args=[waiting_data.pk]) not in html
    # The dates and the answer remain; the needs and the priority too.
    assert f"{waiting_data.offered_on:%Y-%m-%d}" in html and "Området" in html
    assert "Vräkning verkställs i maj" in html

    allowed = UserFactory(unit=unit, roles=[Role.CASE_OFFICER])
    allowed.user_permissions.add(Permission.objects.get(codename="view_protected_client"))
    client.force_login(allowed)
    html = html_of(client.get(url_of(decision)))
    assert "Erbjudandegatan 4 (OBJ-77), Norr" in html
    assert "Lägenheten visas inte" not in html


# --- The access log and the query count ----------------------------------------------


def test_the_page_logs_one_view_of_the_client_and_nothing_more(client, case_officer, decision, waiting_data):
    client.force_login(case_officer)
    before = AccessLogEntry.objects.count()
    html_of(client.get(url_of(decision)))
    rows = list(AccessLogEntry.objects.order_by("id")[before:])
    assert [(row.action, row.object_type, row.client_id) for row in rows] == [
        (AccessAction.VIEW, "referrals.decision", decision.client_id)
    ]


def _queries(client, url) -> int:
    """The queries of one view of the page (after a first view, so that the
    session and the permission caches have settled)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        html_of(client.get(url))
    return len(captured)


@pytest.fixture
def page_without_panel(client, case_officer, client_record):
    """The queries of the decision page itself: a home-support decision,
    which has no panel (and, granted and waiting too, the same forms)."""
    support = granted_decision(client_record, kind=DecisionKind.HOME_SUPPORT, decided_by=case_officer,
                               decided_on=TODAY - timedelta(days=80))
    client.force_login(case_officer)
    return _queries(client, url_of(support))


# The panel's own: the needs with who saved them, their areas, the priority
# with the size of its history, the offers with their apartments.
PANEL_QUERIES = 4


def test_the_query_count_does_not_grow_with_offers_or_the_priority_history(
    ctx, client, unit, case_officer, decision, waiting_data, page_without_panel
):
    url = url_of(decision)
    # The page without the panel is 7 queries today; the whole page stays
    # within the budget of 12 (docs/housing-chain.md).
    assert page_without_panel + PANEL_QUERIES <= 12
    assert _queries(client, url) == page_without_panel + PANEL_QUERIES
    for day in range(2, 12):
        offer(decision, case_officer, offered_on=TODAY - timedelta(days=20 + day))
        set_priority(ctx, decision, WaitingPriority.Level.NORMAL if day % 2 else WaitingPriority.Level.URGENT,
                     f"Omprövad {day}")
    set_needs(ctx, decision, {"rooms_min": 1, "rooms_max": 3, "children": 1,
                              "areas": list(Area.objects.filter(unit=unit))}, 1)
    html = html_of(client.get(url))
    assert html.count("Området") == 11 and "Den ersatte 11 tidigare prioriteter." in html
    assert _queries(client, url) == page_without_panel + PANEL_QUERIES


def test_the_panel_reads_nothing_for_a_user_without_its_permissions(client, manager, decision, waiting_data):
    _manager_role_keeps()
    client.force_login(manager)
    with_panel_rights_removed = _queries(client, url_of(decision))
    support = granted_decision(decision.client, kind=DecisionKind.HOME_SUPPORT, decided_on=TODAY)
    assert with_panel_rights_removed == _queries(client, url_of(support))
