"""Who may reach the worklist pages: anonymous → login, wrong role → 403,
outsider (other unit, or a bolots not assigned) → 404, right role → 200."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bolots.models import FrequencyChange
from referrals.models import OrderKind
from referrals.tests.factories_orders import accepted_order, make_pilot

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")

ROLES = ["case_officer", "manager", "pilot", "second_pilot", "housing_admin", "system_admin", "outside_officer"]

# Expected GET status per (page, role). The order is accepted long ago, with
# `pilot` and a third bolots assigned; `second_pilot` is not assigned.
EXPECTED = {
    # Only those who log visits have a day: case officers and managers may
    # view visits but have no worklist.
    "my_day": dict(zip(ROLES, [403, 403, 200, 200, 403, 403, 403], strict=True)),
    "unit_overview": dict(zip(ROLES, [403, 200, 200, 200, 403, 403, 403], strict=True)),
    # Follows the order's details: the assigned bolotsar and the unit's case
    # officers; managers have no bolots.view_frequencychange.
    "order_frequency": dict(zip(ROLES, [200, 403, 200, 404, 403, 403, 404], strict=True)),
}

# POST a change: an assigned bolots or the unit's case officer.
EXPECTED_POST = dict(zip(ROLES, [302, 403, 302, 404, 403, 403, 404], strict=True))


@pytest.fixture
def order(unit, client_record, case_officer, pilot):
    return accepted_order(
        pilot, make_pilot(unit, "bolots3"), client=client_record, ordered_by=case_officer,
        kind=OrderKind.BOLOTS_SUPPORT, accepted_at=timezone.now() - timedelta(days=200),
    )


def url_for(name, order):
    if name == "order_frequency":
        return reverse("bolots:order_frequency", args=[order.pk])
    return reverse(f"bolots:{name}")


def change(today=None):
    return {"interval": "monthly", "changed_on": (today or timezone.localdate()).isoformat(), "reason": "Stabilt."}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_anonymous_is_sent_to_login(client, order, name):
    response = client.get(url_for(name, order))

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_anonymous_cannot_post_a_change(client, order):
    response = client.post(url_for("order_frequency", order), change())

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert not FrequencyChange.objects.exists()


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_status_per_role(client, users, order, who, name):
    client.force_login(users[who])

    assert client.get(url_for(name, order)).status_code == EXPECTED[name][who]


@pytest.mark.parametrize("who", ROLES)
def test_who_may_change_the_frequency(client, users, order, who):
    client.force_login(users[who])

    response = client.post(url_for("order_frequency", order), change())

    assert response.status_code == EXPECTED_POST[who]
    assert FrequencyChange.objects.exists() == (EXPECTED_POST[who] == 302)


def test_the_unit_overview_of_another_units_bolots_shows_nothing_of_this_unit(client, order, other_unit):
    stranger = make_pilot(other_unit, "bolots_annan")
    client.force_login(stranger)

    response = client.get(reverse("bolots:unit_overview"))

    assert response.status_code == 200
    assert response.context["pilots"] == [stranger]
    assert response.context["queue"]["count"] == 0
    assert response.context["overdue_count"] == 0
    assert "bolots3" not in response.content.decode()


def test_a_bolots_of_the_unit_sees_overdue_orders_of_colleagues_without_a_link_or_a_name(
    client, unit, second_pilot, order, client_record
):
    # `order` is `pilot`'s and its look-in is overdue (accepted 200 days ago,
    # no visit). `second_pilot` sees the order's number, not who it is about.
    client.force_login(second_pilot)

    html = client.get(reverse("bolots:unit_overview")).content.decode()

    assert f"Bolotsinsats #{order.pk}" in html
    assert reverse("referrals:order_detail", args=[order.pk]) not in html
    assert client_record.full_name not in html and client_record.last_name not in html


def test_the_manager_gets_links_to_the_overdue_orders(client, manager, order):
    client.force_login(manager)

    html = client.get(reverse("bolots:unit_overview")).content.decode()

    assert reverse("referrals:order_detail", args=[order.pk]) in html


def test_menu_entries_follow_the_permissions(client, users):
    pages = {}
    for who in ROLES:
        client.force_login(users[who])
        pages[who] = client.get(reverse("home") + "?oversikt=1").content.decode()

    assert [who for who in ROLES if "Min dag" in pages[who]] == ["pilot", "second_pilot"]
    assert [who for who in ROLES if "Enhetens översikt" in pages[who]] == ["manager", "pilot", "second_pilot"]
