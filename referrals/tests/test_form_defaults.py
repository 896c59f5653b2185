"""Defaults that save a step instead of forcing an error first (issue 12):
the acting case officer is the new client's responsible officer, and a new
order preselects the client's only decision it can follow."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from referrals.tests.factories import ClientFactory

from .factories_orders import BolotsDecisionFactory

pytestmark = pytest.mark.django_db

NEW_CLIENT = reverse("referrals:client_create")
NEW_ORDER = reverse("referrals:order_create")


def test_a_new_client_has_the_acting_case_officer_as_responsible(client, case_officer):
    client.force_login(case_officer)

    response = client.get(NEW_CLIENT)

    assert response.context["form"]["responsible_officer"].value() == case_officer.pk
    assert f'<option value="{case_officer.pk}" selected>' in response.content.decode()


def test_an_existing_client_keeps_an_empty_responsible_officer(client, unit, case_officer):
    nobodys = ClientFactory(unit=unit, responsible_officer=None)
    client.force_login(case_officer)

    response = client.get(reverse("referrals:client_edit", args=[nobodys.pk]))

    assert response.context["form"]["responsible_officer"].value() is None


def test_a_user_who_is_no_case_officer_is_not_proposed(client, manager):
    manager.user_permissions.add(Permission.objects.get(codename="add_client"))
    client.force_login(manager)

    assert client.get(NEW_CLIENT).context["form"]["responsible_officer"].value() is None


@pytest.mark.parametrize("user,status", [(None, 302), ("pilot", 403), ("housing_admin", 403)])
def test_others_do_not_get_the_new_client_form(client, request, user, status):
    if user:
        client.force_login(request.getfixturevalue(user))
    assert client.get(NEW_CLIENT).status_code == status


def test_the_only_decision_is_preselected_on_a_new_order(client, unit, case_officer):
    person = ClientFactory(unit=unit)
    decision = BolotsDecisionFactory(client=person)
    BolotsDecisionFactory(client=person, outcome="rejected")
    client.force_login(case_officer)

    form = client.get(NEW_ORDER, {"klient": person.pk}).context["form"]

    assert form["decision"].value() == decision.pk


def test_with_two_decisions_or_no_client_none_is_preselected(client, unit, case_officer):
    person = ClientFactory(unit=unit)
    BolotsDecisionFactory.create_batch(2, client=person)
    client.force_login(case_officer)

    assert client.get(NEW_ORDER, {"klient": person.pk}).context["form"]["decision"].value() is None
    assert client.get(NEW_ORDER).context["form"]["decision"].value() is None


def test_another_units_decision_is_never_preselected(client, other_unit, case_officer):
    stranger = ClientFactory(unit=other_unit)
    BolotsDecisionFactory(client=stranger)
    client.force_login(case_officer)

    assert client.get(NEW_ORDER, {"klient": stranger.pk}).context["form"]["decision"].value() is None


@pytest.mark.parametrize("user,status", [(None, 302), ("pilot", 403), ("housing_admin", 403)])
def test_others_do_not_get_the_new_order_form(client, request, user, status):
    if user:
        client.force_login(request.getfixturevalue(user))
    assert client.get(NEW_ORDER).status_code == status
