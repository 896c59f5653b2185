"""The training-apartment package as one form (issue 12, slows work): both
granted decisions for the same client and period, optionally the
bolots-support order, in one transaction; defaults that need no correction;
messages beside the fields; access per role."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from audit.models import AccessAction, AccessLogEntry
from referrals.models import Decision, DecisionKind, DecisionOutcome, LegalReference, Order, OrderKind, OrderState
from referrals.services import packages
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_decisions import DecisionFactory

pytestmark = pytest.mark.django_db


def url(person):
    return reverse("referrals:decision_package_create", args=[person.pk])


def in_force_reference():
    today = timezone.localdate()
    return (
        LegalReference.objects.filter(is_active=True).exclude(valid_from__gt=today).exclude(valid_to__lt=today)
        .order_by("-pk").first()
    )


@pytest.fixture
def form_data(case_officer):
    """What the case officer posts, with `overrides`."""

    def build(**overrides):
        data = {
            "decided_by": case_officer.pk,
            "legal_basis": in_force_reference().pk,
            "applied_on": "2026-10-01",
            "decided_on": "2026-11-02",
            "valid_from": "2026-11-15",
            "valid_to": "2027-11-14",
            "reasoning": "Behöver träna på eget boende.",
        }
        data.update(overrides)
        return data

    return build


def counts():
    return Decision.objects.count(), Order.objects.count(), Notification.objects.count()


def test_the_form_starts_from_sensible_defaults(client, case_officer, client_record, unit):
    usual = in_force_reference()
    DecisionFactory(client=ClientFactory(unit=unit), kind=DecisionKind.BOLOTS_SUPPORT, legal_basis=usual)
    client_record.children_in_home = 2
    client_record.save()
    client.force_login(case_officer)

    response = client.get(url(client_record))

    form = response.context["form"]
    today = timezone.localdate()
    assert form.initial["decided_by"] == case_officer.pk
    assert form.initial["decided_on"] == today and form.initial["valid_from"] == today
    assert form.initial["legal_basis"] == usual.pk, "the unit's usual legal basis"
    assert form.initial["risk_children"] is True, "children in the home are a known risk"
    assert AccessLogEntry.objects.filter(user=case_officer, client_id=client_record.pk,
                                         action=AccessAction.VIEW).exists()


def test_no_legal_basis_is_guessed_without_an_earlier_package(client, case_officer, client_record):
    client.force_login(case_officer)

    assert "legal_basis" not in client.get(url(client_record)).context["form"].initial


def test_both_decisions_are_granted_for_the_same_client_and_period(client, case_officer, client_record, form_data):
    client.force_login(case_officer)

    response = client.post(url(client_record), form_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:client_decisions", args=[client_record.pk])
    training = Decision.objects.get(kind=DecisionKind.TRAINING_APARTMENT)
    support = Decision.objects.get(kind=DecisionKind.BOLOTS_SUPPORT)
    for decision in (training, support):
        assert decision.client == client_record
        assert decision.outcome == DecisionOutcome.GRANTED
        assert (decision.applied_on, decision.decided_on) == (date(2026, 10, 1), date(2026, 11, 2))
        assert (decision.valid_from, decision.valid_to) == (date(2026, 11, 15), date(2027, 11, 14))
        assert decision.decided_by == case_officer
        assert AccessLogEntry.objects.filter(object_type="referrals.decision", object_id=str(decision.pk),
                                             action=AccessAction.CREATE).count() == 1
    assert training.reasoning == support.reasoning == "Behöver träna på eget boende."
    assert not Order.objects.exists(), "the order is optional"
    html = client.get(response["Location"]).content.decode()
    assert "Träningslägenhet och bolotsinsats beviljades." in html


def test_the_order_is_sent_with_the_package(client, case_officer, client_record, pilot, second_pilot, form_data):
    client.force_login(case_officer)

    response = client.post(url(client_record), form_data(
        valid_to="", send_order="on", assignment="Veckovisa hembesök de första tre månaderna.", risk_animals="on",
    ))

    assert response.status_code == 302
    support = Decision.objects.get(kind=DecisionKind.BOLOTS_SUPPORT)
    assert support.valid_to is None and Decision.objects.get(kind=DecisionKind.TRAINING_APARTMENT).valid_to is None
    order = Order.objects.get()
    assert (order.kind, order.client, order.decision, order.state) == (
        OrderKind.BOLOTS_SUPPORT, client_record, support, OrderState.SENT,
    )
    assert order.ordered_by == case_officer and order.unit_id == client_record.unit_id
    assert order.risk_animals and not order.risk_violence
    assert order.assignment == "Veckovisa hembesök de första tre månaderna."
    assert set(Notification.objects.values_list("user_id", flat=True)) == {pilot.pk, second_pilot.pk}


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"applied_on": ""}, "applied_on", "Detta fält måste fyllas i."),
        ({"decided_on": "2026-09-01"}, "decided_on", "Beslutsdatum kan inte vara före ansökningsdatum."),
        ({"valid_to": "2026-11-01"}, "valid_to", "Giltighetstidens slut kan inte vara före dess början."),
        ({"send_order": "on", "assignment": "  "}, "assignment", "Skriv vad bolotsenheten ska göra"),
        ({"decided_on": (date.today() + timedelta(days=3)).isoformat()}, "decided_on", "framtiden"),
        ({"valid_from": "9999-12-31"}, "valid_from", "Datumet kan inte vara senare än"),
    ],
)
def test_bad_input_is_refused_beside_the_field_and_nothing_is_saved(
    client, case_officer, client_record, overrides, field, message, form_data
):
    client.force_login(case_officer)
    before = counts()

    response = client.post(url(client_record), form_data(**overrides))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field])
    assert counts() == before


def test_a_failure_after_the_first_decision_leaves_nothing_half_saved(
    client, case_officer, client_record, monkeypatch, form_data
):
    def fail(ctx, order):
        raise RuntimeError("the order could not be sent")

    monkeypatch.setattr(packages.order_services, "send_order", fail)
    client.force_login(case_officer)
    client.raise_request_exception = True
    before = counts()

    with pytest.raises(RuntimeError):
        client.post(url(client_record), form_data(send_order="on", assignment="Hembesök."))

    assert counts() == before


def test_a_decision_rule_refusal_is_shown_and_nothing_is_saved(
    client, case_officer, client_record, monkeypatch, form_data
):
    from referrals.services.decisions import DecisionError

    real = packages.decision_services.record_decision
    calls = []

    def second_refused(ctx, decision, **kwargs):
        calls.append(decision.kind)
        if len(calls) == 2:
            raise DecisionError("Regeln tillåter inte beslutet.")
        return real(ctx, decision, **kwargs)

    monkeypatch.setattr(packages.decision_services, "record_decision", second_refused)
    client.force_login(case_officer)

    response = client.post(url(client_record), form_data())

    assert response.status_code == 200
    assert "Regeln tillåter inte beslutet." in response.content.decode()
    assert not Decision.objects.exists(), "the bolots-support decision saved first was rolled back"


def test_the_decisions_tab_offers_the_package(client, case_officer, client_record):
    client.force_login(case_officer)

    html = client.get(reverse("referrals:client_decisions", args=[client_record.pk])).content.decode()

    assert url(client_record) in html and "Träningslägenhet med bolotsinsats" in html


# --- Access ----------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, client_record, form_data):
    for response in (client.get(url(client_record)), client.post(url(client_record), form_data())):
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert not Decision.objects.exists()


@pytest.mark.parametrize("who", ["pilot", "housing_admin", "manager", "system_admin"])
def test_wrong_roles_get_403(client, users, client_record, who, form_data):
    client.force_login(users[who])

    assert client.get(url(client_record)).status_code == 403
    assert client.post(url(client_record), form_data()).status_code == 403
    assert not Decision.objects.exists()


def test_an_outsider_gets_404(client, outside_officer, client_record, form_data):
    client.force_login(outside_officer)

    assert client.get(url(client_record)).status_code == 404
    assert client.post(url(client_record), form_data()).status_code == 404
    assert not Decision.objects.exists()


def test_the_right_role_gets_the_form(client, case_officer, client_record):
    client.force_login(case_officer)

    response = client.get(url(client_record))

    assert response.status_code == 200
    assert "Bevilja båda besluten" in response.content.decode()
