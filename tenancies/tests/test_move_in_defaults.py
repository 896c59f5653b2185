"""The move-in form's defaults (issue 12): the only waiting decision is
preselected, and the move-in date is never before the decision starts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import DecisionKind

from .factories import granted_decision

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def form_of(client, user, person):
    client.force_login(user)
    response = client.get(reverse("tenancies:tenancy_move_in", args=[person.pk]))
    assert response.status_code == 200
    return response.context["form"]


def test_a_decision_starting_later_moves_the_default_date(client, case_officer, client_record):
    decision = granted_decision(client_record, decided_on=TODAY - timedelta(days=3), valid_from=TODAY + timedelta(days=14))

    form = form_of(client, case_officer, client_record)

    assert form["decision"].value() == decision.pk
    assert form["start_date"].value() == TODAY + timedelta(days=14)


def test_a_decision_already_in_force_defaults_to_today(client, case_officer, client_record):
    granted_decision(client_record, decided_on=TODAY - timedelta(days=30))

    assert form_of(client, case_officer, client_record)["start_date"].value() == TODAY


def test_with_two_decisions_none_is_chosen_and_the_first_sets_the_date(client, case_officer, client_record):
    granted_decision(client_record, decided_on=TODAY - timedelta(days=5), valid_from=TODAY + timedelta(days=7))
    granted_decision(client_record, DecisionKind.EMERGENCY_HOUSING, decided_on=TODAY - timedelta(days=2),
                     valid_from=TODAY + timedelta(days=30))

    form = form_of(client, case_officer, client_record)

    assert form["decision"].value() is None
    assert form["start_date"].value() == TODAY + timedelta(days=7)


@pytest.mark.parametrize("user,status", [(None, 302), ("pilot", 403), ("outside_officer", 404)])
def test_others_do_not_get_the_move_in_form(client, request, client_record, user, status):
    granted_decision(client_record, decided_on=TODAY)
    if user:
        client.force_login(request.getfixturevalue(user))
    assert client.get(reverse("tenancies:tenancy_move_in", args=[client_record.pk])).status_code == status
