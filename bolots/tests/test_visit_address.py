"""Where to go on the order page and the visit pages (issue 12 §2): after a
move-in they show the apartment as "Besöksadress", the registered address
when it differs, and nothing of a protected client's whereabouts."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bolots.tests.factories import VisitFactory
from referrals.models import OrderKind, ProtectionLevel
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import accepted_order, make_pilot
from tenancies.models import ApartmentKind
from tenancies.tests.factories import ApartmentFactory, TenancyFactory, moved_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(unit):
    return make_pilot(unit, "bolots3")


def pages(order, visit):
    return {
        "order": reverse("referrals:order_detail", args=[order.pk]),
        "visit_form": reverse("bolots:visit_create", args=[order.pk]),
        "order_visits": reverse("bolots:order_visits", args=[order.pk]),
        "visit": reverse("bolots:visit_detail", args=[visit.pk]),
    }


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def moved(ctx, unit, case_officer, pilot, colleague):
    """A client who moved into a training apartment today, with an accepted
    order of `pilot` and one visit."""
    person = ClientFactory(unit=unit, responsible_officer=case_officer, street_address="Gamla vägen 1",
                           postal_code="111 22", city="Stockholm")
    order = accepted_order(pilot, colleague, client=person, ordered_by=case_officer, kind=OrderKind.BOLOTS_SUPPORT,
                           accepted_at=timezone.now() - timedelta(days=10))
    visit = VisitFactory(order=order, visited_at=timezone.now() - timedelta(days=2))
    apartment = ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING, street_address="Träningsgatan 5",
                                 postal_code="186 31")
    moved_in(ctx, apartment, person, timezone.localdate())
    return order, visit


@pytest.mark.parametrize("who", ["pilot", "case_officer"])
def test_after_a_move_in_every_page_shows_the_apartment_as_where_to_go(client, users, moved, unit, who):
    order, visit = moved
    client.force_login(users[who])
    urls = pages(order, visit)
    if who == "case_officer":  # logging a visit is the bolotsar's
        urls.pop("visit_form")

    for name, url in urls.items():
        html = html_of(client, url)
        assert "Besöksadress" in html, name
        assert f"Träningsgatan 5, 186 31 {unit.municipality}" in html, name
        assert "Gamla vägen" not in html, f"{name}: the registered address moved with the client"


def test_the_registered_address_is_shown_beside_when_it_differs(client, unit, pilot, colleague, case_officer):
    # An imported tenancy: the registered address was never changed.
    person = ClientFactory(unit=unit, street_address="Gamla vägen 1", postal_code="111 22", city="Stockholm")
    TenancyFactory(apartment=ApartmentFactory(unit=unit, street_address="Träningsgatan 5"), client=person,
                   start_date=date(2024, 1, 1))
    order = accepted_order(pilot, colleague, client=person, ordered_by=case_officer, kind=OrderKind.BOLOTS_SUPPORT)
    visit = VisitFactory(order=order)
    client.force_login(pilot)

    for name, url in pages(order, visit).items():
        html = html_of(client, url)
        visit_at = html.index("Besöksadress")
        assert visit_at < html.index("Träningsgatan 5") < html.index("Folkbokföringsadress"), name
        assert "Gamla vägen 1, 111 22 Stockholm" in html, name


def test_without_a_tenancy_where_to_go_is_the_registered_address_alone(client, unit, pilot, colleague):
    person = ClientFactory(unit=unit, street_address="Hemvägen 3", postal_code="186 40", city="Vallentuna")
    order = accepted_order(pilot, colleague, client=person, kind=OrderKind.BOLOTS_SUPPORT)
    visit = VisitFactory(order=order)
    client.force_login(pilot)

    for name, url in pages(order, visit).items():
        html = html_of(client, url)
        assert "Hemvägen 3, 186 40 Vallentuna" in html, name
        assert "Folkbokföringsadress" not in html, name


@pytest.mark.parametrize("level", [level for level in ProtectionLevel.values if level != ProtectionLevel.NONE])
def test_a_protected_client_shows_no_address_outside_the_visit_pages_exception(
        ctx, client, users, unit, pilot, colleague, case_officer, level):
    """No page shows a protected client's address, except the one exception
    (issue 12 §3, referrals.protection.visit_page_address): the order's two
    visit pages for its assigned bolots, where it is where to go (the
    apartment), with the banner."""
    person = ClientFactory(unit=unit, street_address="Gamla vägen 1", protection_level=level)
    order = accepted_order(pilot, colleague, client=person, ordered_by=case_officer, kind=OrderKind.BOLOTS_SUPPORT,
                           accepted_at=timezone.now() - timedelta(days=10))
    visit = VisitFactory(order=order)
    moved_in(ctx, ApartmentFactory(unit=unit, street_address="Hemliga gränd 7", postal_code="186 99"), person,
             timezone.localdate())

    for who in ("pilot", "case_officer"):
        client.force_login(users[who])
        urls = pages(order, visit)
        if who == "case_officer":
            urls.pop("visit_form")
        urls["my_day"] = reverse("bolots:my_day") if who == "pilot" else urls["order"]
        for name, url in urls.items():
            html = html_of(client, url)
            assert "Gamla vägen" not in html, f"{who} {name}"
            if who == "pilot" and name in ("visit_form", "visit"):
                assert "Hemliga gränd 7" in html and "Besöksadress" in html, name
                assert "Skyddade personuppgifter" in html, name
            else:
                for secret in ("Hemliga gränd", "186 99"):
                    assert secret not in html, f"{who} {name}"


def test_the_manager_with_the_permission_sees_the_address(ctx, client, unit, manager, case_officer, pilot, colleague):
    from django.contrib.auth.models import Permission

    manager.user_permissions.add(Permission.objects.get(codename="view_protected_client"))
    person = ClientFactory(unit=unit, protection_level=ProtectionLevel.PROTECTED_REGISTRATION)
    order = accepted_order(pilot, colleague, client=person, ordered_by=case_officer, kind=OrderKind.BOLOTS_SUPPORT)
    moved_in(ctx, ApartmentFactory(unit=unit, street_address="Hemliga gränd 7"), person, timezone.localdate())
    client.force_login(manager)

    assert "Hemliga gränd 7" in html_of(client, reverse("referrals:order_detail", args=[order.pk]))


def test_the_visit_form_reads_where_to_go_in_one_query(client, moved, pilot, django_assert_num_queries):
    order, _ = moved
    client.force_login(pilot)
    # Measured without the address, plus one for it, plus one for the rent
    # ledger's note beside "rent paid" (checklist_notes, issue 14), plus one
    # for the items the unit's checklist asks on this kind of order (issue 15).
    with django_assert_num_queries(15):
        html_of(client, reverse("bolots:visit_create", args=[order.pk]))
