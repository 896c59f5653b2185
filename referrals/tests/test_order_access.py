"""Who may reach which order and reassignment page: anonymous → login,
wrong role → 403, outsider (other unit, or a bolots not assigned) → 404,
right role → 200."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from referrals.models import OrderState, Reassignment

from .factories_orders import accepted_order, make_pilot

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")

ROLES = ["case_officer", "manager", "pilot", "second_pilot", "housing_admin", "system_admin", "outside_officer"]

# Expected GET status per (url name, role). The order is accepted, with
# `pilot` and a third bolots assigned; `second_pilot` is not assigned.
EXPECTED = {
    "order_list": dict(zip(ROLES, [200, 200, 200, 200, 403, 403, 200], strict=True)),
    "order_create": dict(zip(ROLES, [200, 403, 403, 403, 403, 403, 200], strict=True)),
    "order_detail": dict(zip(ROLES, [200, 200, 200, 404, 403, 403, 404], strict=True)),
    "client_orders": dict(zip(ROLES, [200, 200, 200, 404, 403, 403, 404], strict=True)),
    "reassign": dict(zip(ROLES, [403, 200, 403, 403, 403, 403, 403], strict=True)),
    "reassign_pilot": dict(zip(ROLES, [403, 200, 403, 403, 403, 403, 403], strict=True)),
    "reassignment_list": dict(zip(ROLES, [403, 200, 403, 403, 403, 403, 403], strict=True)),
}

# POST to a step (start): only an assigned bolots may; a user who sees the
# order but may not take the step gets 403 from the service.
EXPECTED_STEP = dict(zip(ROLES, [403, 403, 302, 404, 403, 403, 404], strict=True))


@pytest.fixture
def order(unit, client_record, case_officer, pilot):
    return accepted_order(pilot, make_pilot(unit, "bolots3"), client=client_record, ordered_by=case_officer)


def url_for(name, order):
    if name == "order_detail":
        return reverse("referrals:order_detail", args=[order.pk])
    if name == "client_orders":
        return reverse("referrals:client_orders", args=[order.client_id])
    return reverse(f"referrals:{name}")


@pytest.mark.parametrize("name", [*EXPECTED, "order_step"])
def test_anonymous_is_sent_to_login(client, order, name):
    if name == "order_step":
        response = client.post(reverse("referrals:order_step", args=[order.pk, "paborja"]), {"start-version": 1})
    else:
        response = client.get(url_for(name, order))

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("name", list(EXPECTED))
def test_status_per_role(client, users, order, who, name):
    client.force_login(users[who])

    assert client.get(url_for(name, order)).status_code == EXPECTED[name][who]


@pytest.mark.parametrize("who", ROLES)
def test_step_status_per_role(client, users, order, who):
    client.force_login(users[who])

    response = client.post(
        reverse("referrals:order_step", args=[order.pk, "paborja"]), {"start-version": order.version}
    )

    assert response.status_code == EXPECTED_STEP[who]
    order.refresh_from_db()
    assert order.state == (OrderState.IN_PROGRESS if EXPECTED_STEP[who] == 302 else OrderState.ACCEPTED)


def test_a_manager_of_another_unit_gets_404_for_the_order_and_the_client(client, order, other_unit):
    outsider = UserFactory(username="chef_annan", unit=other_unit, roles=[Role.MANAGER])
    client.force_login(outsider)

    assert client.get(url_for("order_detail", order)).status_code == 404
    assert client.get(url_for("client_orders", order)).status_code == 404


def test_a_pilot_loses_the_order_and_the_client_when_it_is_completed(client, users, order):
    # Visible while assigned and under way; afterwards the order shows the
    # assigned bolots neither the person nor the address (docs/access.md,
    # "Former clients"), and the client file is closed.
    client.force_login(users["pilot"])
    client_url = reverse("referrals:client_detail", args=[order.client_id])
    assert client.get(client_url).status_code == 200

    order.state = OrderState.COMPLETED
    order.completed_at = timezone.now()
    order.save()

    assert client.get(client_url).status_code == 404
    response = client.get(url_for("order_detail", order))
    assert response.status_code == 200
    assert order.client.last_name not in response.content.decode()


def test_a_manager_of_another_unit_does_not_see_the_units_reassignments(client, users, other_unit):
    record = Reassignment.objects.create(
        by=users["manager"], scope=Reassignment.Scope.PILOT, from_user=users["pilot"],
        to_user=users["second_pilot"], reason="Slutat på enheten",
    )
    outsider = UserFactory(username="chef_annan", unit=other_unit, roles=[Role.MANAGER])
    client.force_login(outsider)

    html = client.get(reverse("referrals:reassignment_list")).content.decode()

    assert record.reason not in html
    client.force_login(users["manager"])
    assert record.reason in client.get(reverse("referrals:reassignment_list")).content.decode()


def test_navigation_shows_orders_and_reassignment_to_the_right_roles(client, users):
    client.force_login(users["manager"])
    html = client.get(reverse("referrals:order_list")).content.decode()
    assert ">Uppdrag</a>" in html and ">Omfördelning</a>" in html

    client.force_login(users["pilot"])
    html = client.get(reverse("referrals:order_list")).content.decode()
    assert ">Uppdrag</a>" in html and ">Omfördelning</a>" not in html
