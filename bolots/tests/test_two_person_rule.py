"""The two-person rule: a second bolots at the first visit of every order,
at every visit on outreach and eviction-prevention orders, and at every
visit on an order whose risks include violence or threats. The form refuses
otherwise, in Swedish, beside the field."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.context import AuditContext
from bolots.models import CancelReason, Visit, VisitOutcome
from bolots.services.visits import VisitError, log_visit
from referrals.models import OrderKind
from referrals.tests.factories_orders import accepted_order, make_pilot

from .factories import VisitFactory, visit_form_data

pytestmark = pytest.mark.django_db

REQUIRED_KINDS = {OrderKind.OUTREACH, OrderKind.EVICTION_PREVENTION}
REQUIRED_RISKS = {"risk_violence", "risk_threats"}
RISKS = [None, "risk_violence", "risk_threats", "risk_children", "risk_substance_use", "risk_animals"]


@pytest.fixture
def third_pilot(unit):
    return make_pilot(unit, "bolots3")


def make_order(pilot, passive, client, officer, kind, risk=None):
    extra = {risk: True} if risk else {}
    return accepted_order(
        pilot, passive, client=client, ordered_by=officer, kind=kind,
        sent_at=timezone.now() - timedelta(days=30), **extra,
    )


def alone(order, pilot, outcome=VisitOutcome.DONE, at=None, **fields):
    return Visit(
        order=order, visited_at=at or timezone.now() - timedelta(hours=1), kind="look_in", outcome=outcome,
        active_pilot=pilot, passive_pilot=None, **fields,
    )


def refused_for_want_of_a_second(ctx, visit):
    try:
        log_visit(ctx, visit)
    except VisitError as refusal:
        assert refusal.field == "passive_pilot"
        assert "Två bolotsar måste vara med" in refusal.message
        return True
    return False


@pytest.mark.parametrize("later", [False, True], ids=["first visit", "later visit"])
@pytest.mark.parametrize("kind", list(OrderKind), ids=lambda kind: kind.value)
@pytest.mark.parametrize("risk", RISKS, ids=lambda risk: risk or "no risk")
def test_rule_table(client_record, case_officer, pilot, third_pilot, later, kind, risk):
    order = make_order(pilot, third_pilot, client_record, case_officer, kind, risk)
    if later:
        VisitFactory(order=order, visited_at=timezone.now() - timedelta(days=7))
    required = not later or kind in REQUIRED_KINDS or risk in REQUIRED_RISKS

    refused = refused_for_want_of_a_second(AuditContext(user=pilot), alone(order, pilot))

    assert refused == required
    assert order.visits.count() == (1 if later else 0) + (0 if required else 1)


def test_with_a_second_bolots_the_first_visit_is_logged(client_record, case_officer, pilot, third_pilot):
    order = make_order(pilot, third_pilot, client_record, case_officer, OrderKind.OUTREACH, "risk_violence")
    visit = alone(order, pilot)
    visit.passive_pilot = third_pilot

    log_visit(AuditContext(user=pilot), visit)

    assert order.visits.get().passive_pilot == third_pilot


@pytest.mark.parametrize(
    "earlier_outcome", [VisitOutcome.CANCELLED_BY_CLIENT, VisitOutcome.NOBODY_HOME, VisitOutcome.NO_SHOW]
)
def test_the_first_meeting_is_still_the_first_visit_after_visits_that_did_not_take_place(
    client_record, case_officer, pilot, third_pilot, earlier_outcome
):
    order = make_order(pilot, third_pilot, client_record, case_officer, OrderKind.BOLOTS_SUPPORT)
    reason = CancelReason.FORGOT if earlier_outcome in VisitOutcome.needing_reason() else ""
    VisitFactory(order=order, visited_at=timezone.now() - timedelta(days=3), outcome=earlier_outcome,
                 cancel_reason=reason)

    assert refused_for_want_of_a_second(AuditContext(user=pilot), alone(order, pilot))


def test_a_visit_logged_afterwards_before_the_first_done_visit_is_a_first_visit(
    client_record, case_officer, pilot, third_pilot
):
    order = make_order(pilot, third_pilot, client_record, case_officer, OrderKind.BOLOTS_SUPPORT)
    VisitFactory(order=order, visited_at=timezone.now() - timedelta(days=3))

    assert refused_for_want_of_a_second(
        AuditContext(user=pilot), alone(order, pilot, at=timezone.now() - timedelta(days=5))
    )


@pytest.mark.parametrize("outcome", VisitOutcome.needing_reason())
def test_a_visit_cancelled_beforehand_needs_no_second_bolots(client_record, case_officer, pilot, third_pilot, outcome):
    # Nobody went; the visit may have been cancelled because the second
    # bolots fell ill.
    order = make_order(pilot, third_pilot, client_record, case_officer, OrderKind.OUTREACH, "risk_threats")

    log_visit(AuditContext(user=pilot), alone(order, pilot, outcome=outcome, cancel_reason=CancelReason.PHYSICAL_ILLNESS))

    assert order.visits.get().passive_pilot is None


@pytest.mark.parametrize("outcome", [VisitOutcome.NO_SHOW, VisitOutcome.NOBODY_HOME])
def test_going_to_the_door_counts(client_record, case_officer, pilot, third_pilot, outcome):
    order = make_order(pilot, third_pilot, client_record, case_officer, OrderKind.EVICTION_PREVENTION)

    assert refused_for_want_of_a_second(AuditContext(user=pilot), alone(order, pilot, outcome=outcome))


def test_the_form_refuses_in_swedish_beside_the_second_bolots(client, client_record, case_officer, pilot, third_pilot):
    order = make_order(pilot, third_pilot, client_record, case_officer, OrderKind.BOLOTS_SUPPORT, "risk_violence")
    client.force_login(pilot)

    response = client.post(reverse("bolots:visit_create", args=[order.pk]), visit_form_data(pilot))

    assert response.status_code == 200
    errors = response.context["form"].errors["passive_pilot"]
    assert errors == [
        "Två bolotsar måste vara med: det är första besöket på uppdraget; riskinformationen "
        "omfattar våld eller hot. Välj den andra bolotsen."
    ]
    html = response.content.decode()
    beside = html[html.index('id="id_passive_pilot"'):]
    assert "Två bolotsar måste vara med" in beside[:1500]
    assert not order.visits.exists()


def test_the_second_bolots_must_be_someone_else(client, client_record, case_officer, pilot, third_pilot):
    order = make_order(pilot, third_pilot, client_record, case_officer, OrderKind.SINGLE_ERRAND)
    client.force_login(pilot)

    response = client.post(reverse("bolots:visit_create", args=[order.pk]), visit_form_data(pilot, pilot))

    assert "passive_pilot" in response.context["form"].errors
    assert not order.visits.exists()


def test_bolotsar_of_another_unit_cannot_be_chosen(client, client_record, case_officer, pilot, third_pilot, other_unit):
    stranger = make_pilot(other_unit, "bolots_annan")
    order = make_order(pilot, third_pilot, client_record, case_officer, OrderKind.SINGLE_ERRAND)
    client.force_login(pilot)

    response = client.post(reverse("bolots:visit_create", args=[order.pk]), visit_form_data(pilot, stranger))

    assert "passive_pilot" in response.context["form"].errors
    assert not order.visits.exists()
