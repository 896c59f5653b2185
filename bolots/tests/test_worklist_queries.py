"""Query counts of the worklist pages: the same for 5 orders as for 200,
within the budget of 12 per page.

The base page costs 8: session, user, two permission queries, the unread
notification count, and the session save (savepoint, update, release).
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bolots.models import VisitChecklist, VisitKind
from referrals.models import OrderKind, OrderState, ProtectionLevel
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import OrderFactory, accepted_order, make_pilot
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

from .factories import FrequencyChangeFactory, VisitFactory

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def orders(request, unit, case_officer, pilot):
    """`n` orders assigned to `pilot` of every kind and in every section
    (overdue, due today, upcoming, 48 hours), with visits, checklists and
    frequency changes, some clients protected; plus a queue and a colleague's
    overdue orders for the unit's overview."""
    n = request.param
    colleague = make_pilot(unit, "bolots3")
    people = [
        ClientFactory(unit=unit, responsible_officer=case_officer),
        ClientFactory(unit=unit, responsible_officer=case_officer, protection_level=ProtectionLevel.CONFIDENTIALITY_MARK),
    ]
    kinds = [OrderKind.BOLOTS_SUPPORT, OrderKind.BOLOTS_SUPPORT, OrderKind.OUTREACH, OrderKind.EVICTION_PREVENTION,
             OrderKind.SINGLE_ERRAND]
    created = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        active, passive = (pilot, colleague) if i % 3 else (colleague, pilot)
        order = accepted_order(
            active, passive, client=people[i % 2], ordered_by=case_officer, kind=kind, risk_violence=bool(i % 2),
            risk_notes="Hund" if i % 4 == 0 else "", accepted_at=days_ago(100 + i % 40), sent_at=days_ago(101 + i % 40),
            state=OrderState.IN_PROGRESS if i % 2 else OrderState.ACCEPTED,
        )
        if i % 5 in (0, 1):
            contact = VisitFactory(order=order, visited_at=days_ago(i % 9), kind=VisitKind.QUARTERLY_FOLLOW_UP)
            VisitChecklist.objects.create(visit=contact, rent_paid="yes", insurance_valid="no",
                                          housing_search_active="yes", treatment_followed="not_applicable")
            FrequencyChangeFactory(order=order, interval="every_other_week", changed_on=timezone.localdate())
        created.append(order)
    for i in range(n // 5 + 1):
        OrderFactory(unit=unit, ordered_by=case_officer, client=people[0], kind=OrderKind.OUTREACH,
                     sent_at=days_ago(i % 4))
    # Where to go: one client lives in a training apartment.
    TenancyFactory(apartment=ApartmentFactory(unit=unit), client=people[0], start_date=timezone.localdate())
    return created


def get_ok(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("orders", [5, 40, 200], indirect=True)
def test_my_day(client, pilot, orders, django_assert_num_queries):
    client.force_login(pilot)
    # + the unit's queue with its counts (one query), the assigned orders
    # with their facts and where to go (one query), the access-log row = 12
    with django_assert_num_queries(11):
        response = get_ok(client, reverse("bolots:my_day"))
    day = response.context["day"]
    assert day.order_count == len(orders)
    assert day.overdue and day.queue
    assert any(entry.address is not None and entry.address.from_tenancy for entry in day.shown)


@pytest.mark.parametrize("orders", [5, 200], indirect=True)
def test_unit_overview(client, manager, orders, django_assert_num_queries):
    client.force_login(manager)
    # + the bolotsar with their caseloads, the queue's figures, the unit's
    # orders with their facts = 11
    with django_assert_num_queries(10):
        response = get_ok(client, reverse("bolots:unit_overview"))
    assert response.context["overdue_count"] > 0


@pytest.mark.parametrize("orders", [5, 200], indirect=True)
def test_order_frequency_page(client, pilot, orders, django_assert_num_queries):
    order = next(order for order in orders if order.is_assigned_to(pilot) and order.frequency_changes.exists())
    FrequencyChangeFactory.create_batch(len(orders) // 5, order=order, interval="monthly")
    client.force_login(pilot)
    # + the order with its facts, the access-log row, the history = 11
    with django_assert_num_queries(11):
        get_ok(client, reverse("bolots:order_frequency", args=[order.pk]))
