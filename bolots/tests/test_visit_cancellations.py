"""Cancellation reasons: from the fixed list when the client or staff
cancelled, a text for "other", none on a visit that was done. Refused in
Swedish beside the field, by the form and by the service."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.context import AuditContext
from bolots.models import CancelReason, Visit, VisitKind, VisitOutcome
from bolots.services.visits import VisitError, log_visit
from referrals.tests.factories_orders import accepted_order, make_pilot

from .factories import VisitFactory, visit_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def third_pilot(unit):
    return make_pilot(unit, "bolots3")


@pytest.fixture
def order(client_record, case_officer, pilot, third_pilot):
    order = accepted_order(pilot, third_pilot, client=client_record, ordered_by=case_officer,
                           sent_at=timezone.now() - timedelta(days=20))
    VisitFactory(order=order, visited_at=timezone.now() - timedelta(days=10))
    return order


def post(client, order, pilot, **fields):
    client.force_login(pilot)
    return client.post(reverse("bolots:visit_create", args=[order.pk]), visit_form_data(pilot, **fields))


@pytest.mark.parametrize("outcome", VisitOutcome.needing_reason())
def test_a_cancellation_needs_a_reason(client, order, pilot, outcome):
    response = post(client, order, pilot, outcome=outcome)

    assert response.context["form"].errors["cancel_reason"] == ["Välj orsaken till avbokningen."]
    assert order.visits.count() == 1


@pytest.mark.parametrize("outcome", VisitOutcome.needing_reason())
@pytest.mark.parametrize("reason", [r for r in CancelReason if r != CancelReason.OTHER])
def test_every_reason_on_the_list_is_accepted(client, order, pilot, outcome, reason):
    response = post(client, order, pilot, outcome=outcome, cancel_reason=reason)

    assert response.status_code == 302
    visit = order.visits.latest("created_at")
    assert (visit.outcome, visit.cancel_reason) == (outcome, reason)


def test_other_needs_a_text(client, order, pilot):
    response = post(client, order, pilot, outcome=VisitOutcome.CANCELLED_BY_CLIENT, cancel_reason=CancelReason.OTHER)
    assert response.context["form"].errors["cancel_reason_text"] == ["Skriv orsaken när du väljer ”Annat”."]

    response = post(client, order, pilot, outcome=VisitOutcome.CANCELLED_BY_CLIENT, cancel_reason=CancelReason.OTHER,
                    cancel_reason_text="Hade tandläkartid")
    assert response.status_code == 302
    assert order.visits.latest("created_at").cancel_reason_text == "Hade tandläkartid"


def test_a_done_visit_has_no_reason(client, order, pilot):
    response = post(client, order, pilot, outcome=VisitOutcome.DONE, cancel_reason=CancelReason.FORGOT)

    assert response.context["form"].errors["cancel_reason"] == [
        "Ett genomfört besök har ingen orsak till avbokning: välj ”Ingen”."
    ]
    html = response.content.decode()
    assert "Ett genomfört besök har ingen orsak till avbokning" in html
    assert order.visits.count() == 1


@pytest.mark.parametrize("outcome", [VisitOutcome.NO_SHOW, VisitOutcome.NOBODY_HOME])
def test_no_show_and_nobody_home_may_go_without_a_reason(client, order, pilot, outcome):
    response = post(client, order, pilot, outcome=outcome)

    assert response.status_code == 302
    assert order.visits.latest("created_at").cancel_reason == ""


def test_the_service_checks_the_reasons_too(order, pilot):
    visit = Visit(order=order, visited_at=timezone.now(), kind=VisitKind.LOOK_IN,
                  outcome=VisitOutcome.CANCELLED_BY_STAFF, active_pilot=pilot)

    with pytest.raises(VisitError) as refused:
        log_visit(AuditContext(user=pilot), visit)

    assert refused.value.field == "cancel_reason"
    assert order.visits.count() == 1


def test_the_reasons_are_offered_as_large_buttons_in_swedish(client, order, pilot):
    client.force_login(pilot)
    html = client.get(reverse("bolots:visit_create", args=[order.pk])).content.decode()

    for label in ("Mådde dåligt", "Fysisk sjukdom", "Arbete eller studier", "Glömde", "Ville inte", "Annat"):
        assert f">{label}</label>" in html
    assert 'class="btn-check"' in html
    assert "<legend" in html and "Orsak till avbokningen" in html


def test_no_reason_is_preselected_on_a_new_visit(client, order, pilot):
    client.force_login(pilot)
    response = client.get(reverse("bolots:visit_create", args=[order.pk]))

    assert response.context["form"]["cancel_reason"].value() in (None, "")
    html = response.content.decode()
    fieldset = html[html.index('id="id_cancel_reason"'):]
    fieldset = fieldset[:fieldset.index("</fieldset>")]
    assert ">Ingen</label>" in fieldset and "checked" not in fieldset


@pytest.mark.parametrize("outcome", VisitOutcome.needing_reason())
def test_none_chosen_on_a_cancellation_is_refused(client, order, pilot, outcome):
    response = post(client, order, pilot, outcome=outcome, cancel_reason="none")

    assert response.context["form"].errors["cancel_reason"] == ["Välj orsaken till avbokningen."]
    assert order.visits.count() == 1


def test_none_chosen_on_a_done_visit_saves_no_reason(client, order, pilot):
    response = post(client, order, pilot, outcome=VisitOutcome.DONE, cancel_reason="none")

    assert response.status_code == 302
    assert order.visits.latest("created_at").cancel_reason == ""
