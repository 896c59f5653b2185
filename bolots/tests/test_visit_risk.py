"""The visit form shows the client's current risk information first, with
who changed it and the link to update it (issue 12, point 5), and the
two-person rule follows the current risks, not the order's snapshot."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.context import AuditContext
from audit.models import AccessAction, AccessLogEntry
from bolots.models import Visit, VisitOutcome
from bolots.services.visits import VisitError, log_visit
from referrals.models import Client, Order
from referrals.services import risks
from referrals.tests.factories_orders import accepted_order, make_pilot

from .factories import VisitFactory, visit_form_data

pytestmark = pytest.mark.django_db

NONE = {"risk_animals": False, "risk_substance_use": False, "risk_violence": False, "risk_children": False,
        "risk_threats": False, "risk_notes": ""}


@pytest.fixture
def passive(unit):
    return make_pilot(unit, "bolots3")


@pytest.fixture
def order(pilot, passive, client_record, case_officer):
    order = accepted_order(pilot, passive, client=client_record, ordered_by=case_officer,
                           sent_at=timezone.now() - timedelta(days=20))
    VisitFactory(order=order, visited_at=timezone.now() - timedelta(days=7))  # not the first visit
    return order


def update(user, client, **flags):
    current = Client.objects.get(pk=client.pk)
    risks.update_risk(AuditContext(user=user), current, {**NONE, **flags}, expected_version=current.version)


def risk_section(response):
    html = response.content.decode()
    return html.split('class="risk-info current-risk')[1].split("</section>")[0]


def test_the_visit_form_shows_the_current_risks_after_an_update(client, pilot, passive, order, client_record):
    client.force_login(pilot)
    url = reverse("bolots:visit_create", args=[order.pk])
    before = risk_section(client.get(url))
    assert "Inga kända risker" in before

    # The passive bolots updates from the order page's link; the form is
    # opened again for the next visit.
    edit = reverse("referrals:client_risk_edit", args=[client_record.pk])
    assert edit in before
    client.force_login(passive)
    response = client.post(edit, {"version": Client.objects.get(pk=client_record.pk).version,
                                  "risk_animals": "on", "risk_notes": "Två hundar, ring innan", "next": url})
    assert response["Location"] == url
    client.force_login(pilot)
    after = risk_section(client.get(url))

    assert "Djur i hemmet" in after and "Två hundar, ring innan" in after
    assert f"av {passive}" in after
    assert reverse("referrals:client_risk_history", args=[client_record.pk]) in after
    assert AccessLogEntry.objects.filter(user=pilot, client_id=client_record.pk, action=AccessAction.VIEW).exists()


def test_the_risks_come_first_on_the_visit_form(client, pilot, order):
    client.force_login(pilot)
    html = client.get(reverse("bolots:visit_create", args=[order.pk])).content.decode()
    assert html.index("current-risk") < html.index('class="visit-form')


def test_violence_reported_after_sending_requires_two_bolotsar(order, pilot, client_record, case_officer):
    update(case_officer, client_record, risk_violence=True)
    order.refresh_from_db()
    assert not order.risk_violence, "the order keeps what it was sent with"
    alone = Visit(order=order, visited_at=timezone.now() - timedelta(hours=1), kind="look_in",
                  outcome=VisitOutcome.DONE, active_pilot=pilot, passive_pilot=None)

    with pytest.raises(VisitError) as refusal:
        log_visit(AuditContext(user=pilot), alone)

    assert "riskinformationen omfattar våld eller hot" in refusal.value.message


def test_violence_no_longer_current_lets_one_bolots_visit(pilot, passive, client_record, case_officer):
    order = accepted_order(pilot, passive, client=client_record, ordered_by=case_officer, risk_violence=True,
                           sent_at=timezone.now() - timedelta(days=20))
    VisitFactory(order=order, visited_at=timezone.now() - timedelta(days=7))
    update(case_officer, client_record)  # the violent partner has moved out
    alone = Visit(order=Order.objects.select_related("client").get(pk=order.pk),
                  visited_at=timezone.now() - timedelta(hours=1), kind="look_in", outcome=VisitOutcome.DONE,
                  active_pilot=pilot, passive_pilot=None)

    log_visit(AuditContext(user=pilot), alone)

    assert order.visits.count() == 2


def test_an_unassigned_bolots_gets_no_visit_form_and_no_risk_page(client, second_pilot, order, client_record):
    client.force_login(second_pilot)
    assert client.get(reverse("bolots:visit_create", args=[order.pk])).status_code == 404
    assert client.get(reverse("referrals:client_risk_edit", args=[client_record.pk])).status_code == 404
    data = visit_form_data(second_pilot)
    assert client.post(reverse("referrals:client_risk_edit", args=[client_record.pk]),
                       {"version": 1, "risk_violence": "on", **data}).status_code == 404
    assert not Client.objects.get(pk=client_record.pk).risk_violence
