"""Query counts of the order and reassignment pages: the same for 5 rows as
for 50, and within the budget of 12 per page.

The base page costs 8: session, user, two permission queries, the unread
notification count, and the session save (savepoint, update, release).
"""

import pytest
from django.urls import reverse

from referrals.models import OrderEvent, OrderKind, Reassignment
from referrals.tests.factories import ClientFactory

from .factories_orders import OrderFactory, accepted_order, make_pilot, outreach_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(unit, case_officer, pilot, second_pilot, request):
    """`n` queued outreach orders with risks and `n` accepted errands."""
    n = request.param
    person = ClientFactory(unit=unit, responsible_officer=case_officer)
    for _ in range(n):
        OrderFactory(unit=unit, ordered_by=case_officer, client=person, kind=OrderKind.OUTREACH, risk_animals=True,
                     risk_notes="Hund")
        accepted_order(pilot, second_pilot, client=person, ordered_by=case_officer, risk_threats=True)
    return person


def get_ok(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("orders", [5, 50], indirect=True)
def test_case_officer_list(client, case_officer, orders, django_assert_num_queries):
    client.force_login(case_officer)
    # + count and page of the unit's orders = 10
    with django_assert_num_queries(11):  # incl. the read log's one insert (audit.reads) and its chain lock (audit.chain)
        get_ok(client, reverse("referrals:order_list") + "?visa=alla&status=")


@pytest.mark.parametrize("orders", [5, 50], indirect=True)
def test_pilot_list_with_the_queue(client, pilot, orders, django_assert_num_queries):
    client.force_login(pilot)
    # + count and page of "Mina uppdrag", count and page of the queue, the
    # recently ended orders (own notes, one query), and the read log's one
    # insert (audit.reads) = 14
    with django_assert_num_queries(14):  # + the log chain's lock (audit.chain)
        response = get_ok(client, reverse("referrals:order_list"))
    assert len(response.context["queue"].object_list) == len(response.context["my_orders"].object_list) > 0


@pytest.mark.parametrize("orders", [5, 50], indirect=True)
def test_client_orders_tab(client, case_officer, orders, django_assert_num_queries):
    client.force_login(case_officer)
    # + the client, its access-log row, count and page of its orders = 12
    with django_assert_num_queries(12):
        get_ok(client, reverse("referrals:client_orders", args=[orders.pk]))


@pytest.mark.parametrize("events", [2, 40])
def test_detail_page_stays_within_budget(client, unit, case_officer, pilot, second_pilot, events, django_assert_num_queries):
    # The heaviest detail pages: a case officer on an unlinked outreach order
    # (link form lists clients), a bolots in the queue (accept form lists
    # the bolotsar), the assigned bolots; each with many events.
    ClientFactory.create_batch(3, unit=unit)
    outreach = outreach_order(unit, case_officer)
    assigned = accepted_order(pilot, second_pilot, ordered_by=case_officer)
    for order in (outreach, assigned):
        OrderEvent.objects.bulk_create(
            OrderEvent(order=order, by=case_officer, transition=OrderEvent.Transition.SENT, text="x") for _ in range(events)
        )
    make_pilot(unit, "bolots3")
    # The assigned bolots's page also reads where to go (tenancies' address
    # panel: one query, issue 12 §2); the outreach order has no client.
    cases = [(case_officer, outreach, 12), (second_pilot, outreach, 10), (pilot, assigned, 12)]
    for user, order, expected in cases:
        client.force_login(user)
        with django_assert_num_queries(expected):
            get_ok(client, reverse("referrals:order_detail", args=[order.pk]))


@pytest.mark.parametrize("n", [5, 50])
def test_reassignment_pages(client, users, manager, n, django_assert_num_queries):
    Reassignment.objects.bulk_create(
        Reassignment(by=manager, scope=Reassignment.Scope.PILOT, from_user=users["pilot"],
                     to_user=users["second_pilot"], reason="Slutat") for _ in range(n)
    )
    client.force_login(manager)
    # + count and page of the history = 10
    with django_assert_num_queries(9):
        get_ok(client, reverse("referrals:reassignment_list"))
    # + the two lists of people with their roles (two queries each) = 12
    with django_assert_num_queries(6):
        get_ok(client, reverse("referrals:reassign"))
