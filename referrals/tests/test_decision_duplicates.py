"""Duplicates and annulment of decisions (issue 12 §6): a decision like one
the client already has (same kind and decision date) is not saved until
the user confirms; a form sent twice creates one decision; a decision
registered by mistake is annulled with a reason by the one who may edit it,
kept in history, and refused when it has had effects."""

from datetime import date

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.models import AccessAction, AccessLogEntry, FieldChange
from referrals.models import Decision, DecisionKind, DecisionOutcome, DecisionStatus
from referrals.services import decisions as services
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_decisions import DecisionFactory, active_reference
from referrals.tests.factories_orders import OrderFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
TOKEN = "t" * 32


@pytest.fixture
def officer(client, case_officer):
    client.force_login(case_officer)
    return client


def form_data(case_officer, **overrides):
    data = {
        "kind": DecisionKind.HOME_SUPPORT,
        "legal_basis": active_reference().pk,
        "applied_on": "2025-01-02",
        "decided_on": "2025-01-10",
        "outcome": DecisionOutcome.GRANTED,
        "valid_from": "2025-02-01",
        "valid_to": "2025-12-31",
        "decided_by": case_officer.pk,
        "reasoning": "Behov av stöd i boendet.",
        "save_anyway": "False",
    }
    data.update(overrides)
    return data


def new_decision(client_record, case_officer, **fields):
    values = {
        "client": client_record, "kind": DecisionKind.HOME_SUPPORT, "legal_basis": active_reference(),
        "applied_on": date(2025, 1, 2), "decided_on": date(2025, 1, 10), "outcome": DecisionOutcome.GRANTED,
        "valid_from": date(2025, 2, 1), "decided_by": case_officer,
    }
    values.update(fields)
    return Decision(**values)


# --- Likely duplicates ----------------------------------------------------------------


def test_the_service_refuses_a_likely_duplicate_until_allowed(ctx, client_record, case_officer):
    first = services.record_decision(ctx, new_decision(client_record, case_officer))

    with pytest.raises(services.LikelyDuplicate) as refused:
        services.record_decision(ctx, new_decision(client_record, case_officer, reasoning="Annan text"))
    assert refused.value.existing == first
    assert Decision.objects.count() == 1

    services.record_decision(ctx, new_decision(client_record, case_officer), allow_duplicate=True)
    assert Decision.objects.count() == 2


def test_another_kind_date_or_client_is_no_duplicate(ctx, client_record, case_officer):
    services.record_decision(ctx, new_decision(client_record, case_officer))
    services.record_decision(ctx, new_decision(client_record, case_officer, kind=DecisionKind.TRIAL_APARTMENT))
    services.record_decision(ctx, new_decision(client_record, case_officer, decided_on=date(2025, 1, 11)))
    services.record_decision(ctx, new_decision(ClientFactory(unit=client_record.unit), case_officer))

    assert Decision.objects.count() == 4


def test_an_annulled_decision_is_no_duplicate(ctx, client_record, case_officer):
    first = services.record_decision(ctx, new_decision(client_record, case_officer))
    services.annul_decision(ctx, first, "Fel klient.", expected_version=first.version)

    services.record_decision(ctx, new_decision(client_record, case_officer))

    assert Decision.objects.effective().count() == 1


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from([DecisionKind.HOME_SUPPORT, DecisionKind.BOLOTS_SUPPORT, DecisionKind.EMERGENCY_HOUSING]),
    outcome=st.sampled_from(DecisionOutcome.values),
    decided_on=st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 1, 1)),
    reasoning=st.text(alphabet="abcåäö ", max_size=20),
)
def test_property_saving_the_same_data_twice_without_confirming_never_adds_a_row(
    officer, client_record, case_officer, kind, outcome, decided_on, reasoning,
):
    Decision.objects.filter(client=client_record).delete()
    data = form_data(case_officer, kind=kind, outcome=outcome, decided_on=decided_on, applied_on=decided_on,
                     valid_from=decided_on, valid_to="", reasoning=reasoning,
                     legal_basis=active_reference(decided_on).pk)
    url = reverse("referrals:decision_create", args=[client_record.pk])

    first = officer.post(url, data)
    second = officer.post(url, data)

    assert first.status_code == 302
    assert second.status_code == 200
    assert Decision.objects.filter(client=client_record).count() == 1


def test_the_form_asks_naming_and_linking_the_existing_decision(officer, client_record, case_officer):
    url = reverse("referrals:decision_create", args=[client_record.pk])
    officer.post(url, form_data(case_officer))
    existing = Decision.objects.get()

    response = officer.post(url, form_data(case_officer, reasoning="Samma beslut igen"))

    html = response.content.decode()
    assert response.status_code == 200
    assert Decision.objects.count() == 1
    assert "Klienten har redan ett beslut om boendestöd daterat 2025-01-10" in html
    assert reverse("referrals:decision_detail", args=[existing.pk]) in html
    assert 'type="checkbox" name="save_anyway"' in html
    # The text the user typed is still in the form.
    assert "Samma beslut igen" in html


def test_save_anyway_saves_the_second_decision(officer, client_record, case_officer):
    url = reverse("referrals:decision_create", args=[client_record.pk])
    officer.post(url, form_data(case_officer))

    response = officer.post(url, form_data(case_officer, save_anyway="on"))

    assert response.status_code == 302
    assert Decision.objects.count() == 2


# --- One token per form -------------------------------------------------------------


def test_the_same_form_sent_twice_creates_one_decision_and_leads_to_it(officer, client_record, case_officer):
    url = reverse("referrals:decision_create", args=[client_record.pk])
    # Even a confirmed duplicate is not saved twice from one form.
    data = form_data(case_officer, save_anyway="on", submit_token=TOKEN)

    first = officer.post(url, data)
    second = officer.post(url, data, follow=True)

    decision = Decision.objects.get()
    assert first["Location"] == reverse("referrals:decision_detail", args=[decision.pk])
    assert second.redirect_chain == [(first["Location"], 302)]
    assert "Formuläret hade redan skickats och sparats" in second.content.decode()


def test_the_form_page_carries_a_token(officer, client_record):
    html = officer.get(reverse("referrals:decision_create", args=[client_record.pk])).content.decode()

    assert 'type="hidden" name="submit_token"' in html


# --- Annulment ---------------------------------------------------------------------


@pytest.fixture
def decision(client_record, case_officer):
    return DecisionFactory(client=client_record, decided_by=case_officer)


def annul_url(decision):
    return reverse("referrals:decision_annul", args=[decision.pk])


def annul_data(decision, reason="Registrerat två gånger av misstag."):
    return {"annul-reason": reason, "annul-version": decision.version}


def test_anonymous_is_sent_to_login(client, decision):
    response = client.post(annul_url(decision), annul_data(decision))

    assert response["Location"].startswith(LOGIN)
    decision.refresh_from_db()
    assert decision.annulled_at is None


@pytest.mark.parametrize("role", ["pilot", "manager", "housing_admin", "system_admin"])
def test_wrong_role_gets_403(client, users, decision, role):
    client.force_login(users[role])

    response = client.post(annul_url(decision), annul_data(decision))

    assert response.status_code == 403
    decision.refresh_from_db()
    assert decision.annulled_at is None


def test_outsider_gets_404(client, outside_officer, decision):
    client.force_login(outside_officer)

    response = client.post(annul_url(decision), annul_data(decision))

    assert response.status_code == 404
    decision.refresh_from_db()
    assert decision.annulled_at is None


def test_get_is_not_allowed(officer, decision):
    assert officer.get(annul_url(decision)).status_code == 405


def test_case_officer_annuls_with_a_reason_kept_in_history(officer, case_officer, decision):
    response = officer.post(annul_url(decision), annul_data(decision))

    assert response["Location"] == reverse("referrals:decision_detail", args=[decision.pk])
    decision.refresh_from_db()
    assert (decision.annulled_by, decision.annul_reason) == (case_officer, "Registrerat två gånger av misstag.")
    assert decision.annulled_at is not None
    assert decision.status_on() == DecisionStatus.ANNULLED
    changes = {change.field: change.new_value for change in FieldChange.objects.filter(object_id=str(decision.pk))}
    assert changes["annul_reason"] == "Registrerat två gånger av misstag."
    assert AccessLogEntry.objects.filter(action=AccessAction.UPDATE, note="annulled",
                                         client_id=decision.client_id).exists()
    page = officer.get(reverse("referrals:decision_detail", args=[decision.pk])).content.decode()
    assert "Makulerat av" in page and "Registrerat två gånger av misstag." in page
    assert reverse("referrals:decision_annul", args=[decision.pk]) not in page, "no second annulment"
    assert reverse("referrals:decision_edit", args=[decision.pk]) not in page


def test_a_reason_is_required(officer, decision):
    response = officer.post(annul_url(decision), annul_data(decision, reason="   "))

    assert response.status_code == 200
    # Beside the reason field of the annul form.
    assert 'id="error_1_id_annul-reason"' in response.content.decode()
    assert "Detta fält måste fyllas i." in response.content.decode()
    decision.refresh_from_db()
    assert decision.annulled_at is None


def test_an_executed_decision_is_not_annulled(officer, decision):
    Decision.objects.filter(pk=decision.pk).update(executed_on=date(2025, 2, 1))

    response = officer.post(annul_url(decision), annul_data(decision))

    assert response.status_code == 200
    decision.refresh_from_db()
    assert decision.annulled_at is None


def test_a_decision_an_order_follows_is_not_annulled(officer, decision, unit):
    OrderFactory(unit=unit, client=decision.client, decision=decision)

    response = officer.post(annul_url(decision), annul_data(decision))

    assert "Ett uppdrag bygger på det här beslutet" in response.content.decode()
    decision.refresh_from_db()
    assert decision.annulled_at is None


def test_a_bolots_decision_covering_a_training_decision_is_not_annulled(ctx, client_record, case_officer):
    support = DecisionFactory(client=client_record, decided_by=case_officer, kind=DecisionKind.BOLOTS_SUPPORT)
    DecisionFactory(client=client_record, decided_by=case_officer, kind=DecisionKind.TRAINING_APARTMENT)

    with pytest.raises(services.DecisionError):
        services.annul_decision(ctx, support, "Fel.", expected_version=support.version)
    support.refresh_from_db()
    assert support.annulled_at is None


def test_a_stale_page_is_a_conflict(officer, decision):
    data = annul_data(decision)
    Decision.objects.filter(pk=decision.pk).update(version=decision.version + 1)

    response = officer.post(annul_url(decision), data)

    assert response.status_code == 200
    decision.refresh_from_db()
    assert decision.annulled_at is None


def test_an_annulled_decision_is_neither_edited_nor_executed(ctx, decision):
    services.annul_decision(ctx, decision, "Dubblett.", expected_version=decision.version)
    decision.refresh_from_db()

    with pytest.raises(services.DecisionError):
        services.execute_decision(ctx, decision, date(2025, 3, 1))
    decision.reasoning = "Ändrad"
    with pytest.raises(services.DecisionError):
        services.update_decision(ctx, decision, expected_version=decision.version)
    decision.refresh_from_db()
    assert decision.reasoning != "Ändrad"
    with pytest.raises(services.DecisionError):
        services.annul_decision(ctx, decision, "Igen.", expected_version=decision.version)


def test_the_client_decision_list_marks_it_annulled(officer, ctx, decision):
    services.annul_decision(ctx, decision, "Dubblett.", expected_version=decision.version)

    html = officer.get(reverse("referrals:client_decisions", args=[decision.client_id])).content.decode()

    assert "Makulerad" in html
