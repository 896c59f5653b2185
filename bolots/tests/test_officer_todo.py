"""Issue 12: the case officer's start page "Att göra" (accounts.todo, fed by
referrals.todo and bolots.todo): orders returned with a question with the
48-hour clock, new signals, decisions nearing the IVO deadline, plans due for
review and 48-hour orders not yet visited; only the officer's own items,
each linking to its page, every client named logged, the query count
constant in the number of items."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.todo import LIMIT
from audit.models import AccessLogEntry
from referrals.models import DecisionKind, OrderKind, OrderState
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_decisions import DecisionFactory, PlanFactory
from referrals.tests.factories_orders import OrderFactory, accepted_order

from .factories import SignalFactory, VisitFactory

pytestmark = pytest.mark.django_db

HOME = reverse("home")
SECTIONS = ["returned_orders", "first_visits", "signals", "ivo_deadlines", "plan_reviews"]


def make_items(officer, pilot, passive, *, n=1, first_name="Egen"):
    """n items of every section for `officer`, each about its own client."""
    now = timezone.now()
    today = timezone.localdate()
    made = {key: [] for key in SECTIONS}
    for i in range(n):
        person = ClientFactory(unit=officer.unit, responsible_officer=officer, first_name=f"{first_name}{i}")
        made["returned_orders"].append(OrderFactory(
            unit=officer.unit, client=person, ordered_by=officer, kind=OrderKind.OUTREACH,
            state=OrderState.RETURNED, sent_at=now - timedelta(hours=10),
        ))
        made["first_visits"].append(OrderFactory(
            unit=officer.unit, client=person, ordered_by=officer, kind=OrderKind.EVICTION_PREVENTION,
            sent_at=now - timedelta(hours=47),
        ))
        order = accepted_order(pilot, passive, client=person, ordered_by=officer)
        made["signals"].append(SignalFactory(visit=VisitFactory(order=order), recipient=officer))
        made["ivo_deadlines"].append(DecisionFactory(
            client=person, kind=DecisionKind.HOME_SUPPORT, decided_by=officer,
            decided_on=today - timedelta(days=80), applied_on=today - timedelta(days=90),
        ))
        made["plan_reviews"].append(PlanFactory(
            client=person, established_on=today - timedelta(days=85), created_by=officer,
        ))
    return made


def todo_of(response):
    assert response.status_code == 200
    return {section.key: section for section in response.context["todo"]}


def test_the_case_officer_sees_each_section_with_their_items_linking_to_their_pages(
    client, case_officer, pilot, second_pilot
):
    made = make_items(case_officer, pilot, second_pilot)
    client.force_login(case_officer)

    response = client.get(HOME)

    todo = todo_of(response)
    assert list(todo) == SECTIONS
    returned = todo["returned_orders"].items[0]
    assert returned.url == reverse("referrals:order_detail", args=[made["returned_orders"][0].pk])
    assert "Returnerat med fråga" in returned.detail and "37 h kvar till första besöket" in returned.detail
    first = todo["first_visits"].items[0]
    assert first.url == reverse("referrals:order_detail", args=[made["first_visits"][0].pk])
    assert "0 h kvar till första besöket" in first.detail and first.urgent
    signal = todo["signals"].items[0]
    assert signal.url == reverse("bolots:visit_detail", args=[made["signals"][0].visit_id])
    decision = todo["ivo_deadlines"].items[0]
    assert decision.url == reverse("referrals:decision_detail", args=[made["ivo_deadlines"][0].pk])
    assert "Rapporteras till IVO efter" in decision.detail
    plan = todo["plan_reviews"].items[0]
    assert plan.url == reverse("referrals:client_plan", args=[made["plan_reviews"][0].client_id])
    html = response.content.decode()
    assert "<h1 class=\"h3\">Att göra</h1>" in html
    for section in todo.values():
        assert section.items[0].url in html


def test_only_the_officers_own_items_are_listed(client, case_officer, pilot, second_pilot, unit, outside_officer):
    colleague = type(case_officer).objects.create_user(username="kollega", unit=unit)
    colleague.groups.set(case_officer.groups.all())
    make_items(colleague, pilot, second_pilot, first_name="Kollegans")
    client.force_login(case_officer)

    todo = todo_of(client.get(HOME))

    assert all(section.items == [] for section in todo.values())
    assert "Inget att göra här." in client.get(HOME).content.decode()


def test_an_outsider_sees_nothing_of_another_units_items(client, case_officer, pilot, second_pilot, outside_officer):
    make_items(case_officer, pilot, second_pilot)
    client.force_login(outside_officer)

    todo = todo_of(client.get(HOME))

    assert set(todo) == set(SECTIONS)
    assert all(section.items == [] for section in todo.values())


def test_a_reportable_decision_and_an_overdue_clock_are_urgent(client, case_officer, client_record):
    today = timezone.localdate()
    DecisionFactory(client=client_record, decided_by=case_officer, decided_on=today - timedelta(days=120),
                    applied_on=today - timedelta(days=130))
    OrderFactory(unit=case_officer.unit, client=client_record, ordered_by=case_officer, kind=OrderKind.OUTREACH,
                 state=OrderState.RETURNED, sent_at=timezone.now() - timedelta(hours=50))
    client.force_login(case_officer)

    todo = todo_of(client.get(HOME))

    decision = todo["ivo_deadlines"].items[0]
    assert decision.urgent and "Rapporteringsbart till IVO sedan" in decision.detail
    returned = todo["returned_orders"].items[0]
    assert returned.urgent and "Första besöket försenat med 2 h" in returned.detail


def test_a_decision_far_from_the_deadline_and_an_executed_one_are_not_listed(client, case_officer, client_record):
    today = timezone.localdate()
    DecisionFactory(client=client_record, decided_by=case_officer, decided_on=today - timedelta(days=5),
                    applied_on=today - timedelta(days=6))
    DecisionFactory(client=client_record, decided_by=case_officer, decided_on=today - timedelta(days=80),
                    applied_on=today - timedelta(days=90), executed_on=today - timedelta(days=1))
    client.force_login(case_officer)

    assert todo_of(client.get(HOME))["ivo_deadlines"].items == []


@pytest.mark.parametrize("role", ["pilot", "housing_admin", "manager", "system_admin"])
def test_other_roles_get_no_case_officer_sections(client, users, role, case_officer, pilot, second_pilot):
    make_items(case_officer, pilot, second_pilot)
    client.force_login(users[role])

    response = client.get(HOME, {"oversikt": "1"})

    assert response.status_code == 200
    # Their own sections (the manager's log reviews) may be there; none of
    # the case officer's.
    officer_sections = {"returned_orders", "first_visits", "ivo_deadlines", "plan_reviews"}
    assert not officer_sections & {section.key for section in response.context["todo"]}


def test_anonymous_users_go_to_the_login_page(client):
    response = client.get(HOME)

    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


def test_every_client_named_is_logged(client, case_officer, pilot, second_pilot):
    made = make_items(case_officer, pilot, second_pilot, n=2)
    client.force_login(case_officer)
    before = set(AccessLogEntry.objects.values_list("pk", flat=True))

    client.get(HOME)

    logged = set(
        AccessLogEntry.objects.exclude(pk__in=before).filter(user=case_officer, path=HOME)
        .values_list("client_id", flat=True)
    )
    named = {order.client_id for order in made["returned_orders"]}
    assert named and named <= logged


def test_a_long_list_shows_the_first_items_and_a_link_to_all(client, case_officer, pilot, second_pilot):
    make_items(case_officer, pilot, second_pilot, n=LIMIT + 1)
    client.force_login(case_officer)

    todo = todo_of(client.get(HOME))

    for section in todo.values():
        assert len(section.items) == LIMIT and section.has_more
    assert todo["signals"].more_url == reverse("bolots:signal_list")


@pytest.mark.parametrize("n", [1, 6])
def test_the_query_count_does_not_grow_with_the_items(client, case_officer, pilot, second_pilot, n,
                                                      django_assert_num_queries):
    make_items(case_officer, pilot, second_pilot, n=n)
    client.force_login(case_officer)
    client.get(HOME)  # warm the session and permission caches alike for both sizes

    # 10 every page makes (session, user, two for permissions, the
    # notification badge, the access log's chain head and insert, the
    # session save in its savepoint) and one per section.
    with django_assert_num_queries(9):
        response = client.get(HOME)

    assert all(len(section.items) == n for section in todo_of(response).values())
