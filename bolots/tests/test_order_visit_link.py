"""The order page offers "Registrera besök" to the bolots who may log a
visit on it now (issue 12, journey 2: after accepting and starting an order
the bolots no longer goes back to Min dag to find the visit button)."""

import pytest
from django.urls import reverse

from referrals.models import OrderKind, OrderState
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import OrderFactory, accepted_order, make_pilot

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(unit):
    return make_pilot(unit, "bolots3")


def _link(order):
    return f'href="{reverse("bolots:visit_create", args=[order.pk])}"'


def _page(client, user, order):
    client.force_login(user)
    response = client.get(reverse("referrals:order_detail", args=[order.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("state", [OrderState.ACCEPTED, OrderState.IN_PROGRESS])
def test_both_assigned_bolotsar_get_the_visit_link(client, unit, pilot, colleague, case_officer, state):
    order = accepted_order(pilot, colleague, client=ClientFactory(unit=unit), ordered_by=case_officer,
                           kind=OrderKind.BOLOTS_SUPPORT, state=state)
    for user in (pilot, colleague):
        html = _page(client, user, order)
        assert _link(order) in html and "Registrera besök" in html


def test_others_and_ended_orders_get_no_visit_link(client, unit, pilot, colleague, second_pilot, case_officer,
                                                   manager):
    person = ClientFactory(unit=unit)
    order = accepted_order(pilot, colleague, client=person, ordered_by=case_officer, kind=OrderKind.BOLOTS_SUPPORT)
    for user in (case_officer, manager):
        assert _link(order) not in _page(client, user, order)
    # An unassigned bolots of the unit may not open the order's details at all.
    client.force_login(second_pilot)
    assert _link(order) not in client.get(reverse("referrals:order_detail", args=[order.pk])).content.decode()
    ended = accepted_order(pilot, colleague, client=person, ordered_by=case_officer, kind=OrderKind.BOLOTS_SUPPORT,
                           state=OrderState.COMPLETED)
    client.force_login(pilot)
    assert _link(ended) not in client.get(reverse("referrals:order_detail", args=[ended.pk])).content.decode()
    queued = OrderFactory(unit=unit, ordered_by=case_officer, kind=OrderKind.BOLOTS_SUPPORT)
    assert _link(queued) not in _page(client, pilot, queued)
