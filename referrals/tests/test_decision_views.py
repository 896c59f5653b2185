"""Decision pages: registering (with the training-apartment package), the
detail page's steps, editing, the list of non-executed decisions, and the
access log they write."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry, FieldChange
from referrals.models import Decision, DecisionKind, DecisionOutcome, Interruption, LegalReference, Offer
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_decisions import DecisionFactory, InterruptionFactory, active_reference

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client, case_officer):
    client.force_login(case_officer)
    return client


def form_data(**overrides):
    data = {
        "kind": DecisionKind.HOME_SUPPORT,
        "legal_basis": active_reference().pk,
        "applied_on": "2025-01-02",
        "decided_on": "2025-01-10",
        "outcome": DecisionOutcome.GRANTED,
        "valid_from": "2025-02-01",
        "valid_to": "2025-12-31",
        "reasoning": "Behov av stöd i boendet.",
    }
    data.update(overrides)
    return data


def html_of(response):
    return response.content.decode()


# --- Registering ------------------------------------------------------------------


def test_create_form_defaults_decided_by_to_the_user_and_logs_a_view(officer, case_officer, client_record):
    response = officer.get(reverse("referrals:decision_create", args=[client_record.pk]))

    html = html_of(response)
    assert f'<option value="{case_officer.pk}" selected>' in html
    assert "Registrera samtidigt beslut om bolotsinsats" not in html, "the box is shown only when needed"
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.client_id) == (AccessAction.VIEW, client_record.pk)


def test_only_active_legal_references_are_offered(officer, client_record):
    retired = LegalReference.objects.create(code="Gammal § 1", law="Upphävd lag", is_active=False)

    html = html_of(officer.get(reverse("referrals:decision_create", args=[client_record.pk])))
    response = officer.post(
        reverse("referrals:decision_create", args=[client_record.pk]),
        form_data(legal_basis=retired.pk, decided_by=""),
    )

    assert "Gammal § 1" not in html
    assert response.status_code == 200
    assert Decision.objects.count() == 0


def test_register_a_decision(officer, case_officer, client_record):
    response = officer.post(
        reverse("referrals:decision_create", args=[client_record.pk]), form_data(decided_by=case_officer.pk)
    )

    decision = Decision.objects.get()
    assert response["Location"] == reverse("referrals:decision_detail", args=[decision.pk])
    assert (decision.client, decision.decided_by, decision.execution_due_by) == (
        client_record, case_officer, date(2025, 4, 10),
    )
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.object_type, entry.object_id) == (AccessAction.CREATE, "referrals.decision", str(decision.pk))


def test_decided_before_applied_is_refused(officer, case_officer, client_record):
    response = officer.post(
        reverse("referrals:decision_create", args=[client_record.pk]),
        form_data(decided_by=case_officer.pk, applied_on="2025-01-11", decided_on="2025-01-10"),
    )

    assert "Beslutsdatum kan inte vara före ansökningsdatum." in html_of(response)
    assert Decision.objects.count() == 0


def test_bad_dates_get_messages_beside_the_fields(officer, case_officer, client_record):
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = officer.post(
        reverse("referrals:decision_create", args=[client_record.pk]),
        form_data(decided_by=case_officer.pk, decided_on="2024-12-31", valid_to="2025-01-01", applied_on=future),
    )

    html = html_of(response)
    assert "Giltighetstidens slut kan inte vara före dess början." in html
    assert "Datumet kan inte ligga i framtiden." in html
    assert 'id="error_1_id_applied_on"' in html and 'id="error_1_id_valid_to"' in html
    assert Decision.objects.count() == 0


def test_training_apartment_without_support_is_refused_then_both_are_registered_with_the_box(
    officer, case_officer, client_record
):
    url = reverse("referrals:decision_create", args=[client_record.pk])
    data = form_data(kind=DecisionKind.TRAINING_APARTMENT, decided_by=case_officer.pk)

    refused = officer.post(url, data)

    html = html_of(refused)
    assert refused.status_code == 200
    assert "Ett beviljat beslut om träningslägenhet kräver ett beviljat beslut om bolotsinsats" in html
    assert "Registrera samtidigt beslut om bolotsinsats för samma period" in html
    assert 'name="with_bolots_support"' in html
    assert Decision.objects.count() == 0

    accepted = officer.post(url, {**data, "with_bolots_support": "on"})

    assert accepted.status_code == 302
    kinds = sorted(Decision.objects.values_list("kind", "valid_from", "valid_to"))
    assert kinds == [
        (DecisionKind.BOLOTS_SUPPORT, date(2025, 2, 1), date(2025, 12, 31)),
        (DecisionKind.TRAINING_APARTMENT, date(2025, 2, 1), date(2025, 12, 31)),
    ]
    detail = officer.get(accepted["Location"])
    assert "Beslutet och ett beslut om bolotsinsats för samma period är registrerade." in html_of(detail)


# --- The client's tab and the detail page ----------------------------------------


def test_client_tab_lists_decisions_with_status_and_logs_the_view(officer, case_officer, client_record):
    DecisionFactory(client=client_record, decided_by=case_officer, kind=DecisionKind.TRIAL_APARTMENT)
    DecisionFactory(client=client_record, decided_by=case_officer, executed_on=date(2025, 2, 1))

    html = html_of(officer.get(reverse("referrals:client_decisions", args=[client_record.pk])))

    assert "Försökslägenhet" in html
    assert "Väntar på verkställighet" in html and "Verkställt" in html
    assert 'aria-current="page" href="/klienter/' in html, "the Beslut tab is the current one"
    assert AccessLogEntry.objects.get().action == AccessAction.VIEW


def test_client_tab_query_count_does_not_grow(officer, case_officer, client_record, django_assert_num_queries):
    DecisionFactory(client=client_record, decided_by=case_officer)
    url = reverse("referrals:client_decisions", args=[client_record.pk])
    officer.get(url)
    with django_assert_num_queries(7) as one:
        officer.get(url)
    DecisionFactory.create_batch(8, client=client_record, decided_by=case_officer)
    with django_assert_num_queries(len(one)):
        officer.get(url)


def test_detail_shows_interruptions_offers_and_logs_a_view(officer, case_officer, client_record, django_assert_max_num_queries):
    decision = DecisionFactory(client=client_record, decided_by=case_officer, executed_on=date(2025, 2, 1))
    InterruptionFactory(decision=decision, started_on=date(2025, 3, 1), ended_on=date(2025, 3, 10), reason="Sjukhusvård")
    InterruptionFactory(decision=decision, started_on=date(2025, 4, 1), reason="Behandlingshem")
    url = reverse("referrals:decision_detail", args=[decision.pk])

    with django_assert_max_num_queries(13):
        response = officer.get(url)

    html = html_of(response)
    assert "Sjukhusvård" in html and "Behandlingshem" in html
    assert "Avbrutet" in html or "Avbrott" in html
    assert reverse("referrals:decision_resume", args=[decision.pk, decision.interruptions.get(ended_on=None).pk]) in html
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.object_type, entry.client_id) == (AccessAction.VIEW, "referrals.decision", client_record.pk)


def test_execute_by_hand_with_a_note(officer, case_officer, client_record):
    decision = DecisionFactory(client=client_record, decided_by=case_officer)

    response = officer.post(
        reverse("referrals:decision_execute", args=[decision.pk]),
        {"execute-executed_on": "2025-02-03", "execute-note": "Insatsen startade"},
    )

    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.executed_on, decision.execution_note) == (date(2025, 2, 3), "Insatsen startade")
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.object_id) == (AccessAction.UPDATE, str(decision.pk))


def test_a_refused_execution_shows_the_reason_and_changes_nothing(officer, case_officer, client_record):
    decision = DecisionFactory(client=client_record, decided_by=case_officer, executed_on=date(2025, 1, 20))

    response = officer.post(
        reverse("referrals:decision_execute", args=[decision.pk]), {"execute-executed_on": "2025-02-03"}
    )

    assert response.status_code == 200
    assert "Beslutet är redan verkställt 2025-01-20." in html_of(response)
    decision.refresh_from_db()
    assert decision.executed_on == date(2025, 1, 20)
    assert list(AccessLogEntry.objects.values_list("action", flat=True)) == [AccessAction.VIEW]


def test_execution_before_the_decision_date_is_refused_beside_the_form(officer, case_officer, client_record):
    decision = DecisionFactory(client=client_record, decided_by=case_officer)

    html = html_of(officer.post(
        reverse("referrals:decision_execute", args=[decision.pk]), {"execute-executed_on": "2025-01-01"}
    ))

    assert "Verkställighetsdatum kan inte vara före beslutsdatum (2025-01-10)." in html
    assert 'value="2025-01-01"' in html, "the user's input is kept"


def test_interrupt_resume_close_offer_and_delay_reason(officer, case_officer, client_record):
    decision = DecisionFactory(client=client_record, decided_by=case_officer, executed_on=date(2025, 2, 1))
    post = lambda name, data, *args: officer.post(reverse(f"referrals:{name}", args=[decision.pk, *args]), data)  # noqa: E731

    assert post("decision_interrupt", {"interrupt-started_on": "2025-03-01", "interrupt-reason": "Behandling"}).status_code == 302
    interruption = Interruption.objects.get()
    assert post("decision_offer_add", {
        "offer-offered_on": "2025-03-15", "offer-description": "Annan lägenhet", "offer-answer": "declined",
        "offer-note": "",
    }).status_code == 302
    assert post("decision_delay_reason", {"delay-delay_reason": "Väntar på plats"}).status_code == 302
    assert post("decision_resume", {"resume-ended_on": "2025-04-01"}, interruption.pk).status_code == 302
    assert post("decision_close", {"close-closed_on": "2025-05-01", "close-reason": "Egen bostad"}).status_code == 302

    decision.refresh_from_db()
    interruption.refresh_from_db()
    assert interruption.ended_on == date(2025, 4, 1)
    assert Offer.objects.get().description == "Annan lägenhet"
    assert (decision.delay_reason, decision.closed_on) == ("Väntar på plats", date(2025, 5, 1))
    assert AccessLogEntry.objects.count() == 5
    assert set(AccessLogEntry.objects.values_list("client_id", flat=True)) == {client_record.pk}


def test_resuming_an_interruption_of_another_decision_is_404(officer, case_officer, client_record):
    decision = DecisionFactory(client=client_record, decided_by=case_officer, executed_on=date(2025, 2, 1))
    other = InterruptionFactory(decision__client=client_record, started_on=date(2025, 3, 1))

    response = officer.post(
        reverse("referrals:decision_resume", args=[decision.pk, other.pk]), {"resume-ended_on": "2025-04-01"}
    )

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.ended_on is None


def test_steps_are_post_only(officer, case_officer, client_record):
    decision = DecisionFactory(client=client_record, decided_by=case_officer)

    assert officer.get(reverse("referrals:decision_execute", args=[decision.pk])).status_code == 405


# --- Editing ------------------------------------------------------------------------


def edit_data(decision, **overrides):
    data = form_data(
        kind=decision.kind, decided_by=decision.decided_by_id, applied_on=decision.applied_on.isoformat(),
        decided_on=decision.decided_on.isoformat(), valid_from=decision.valid_from.isoformat(), valid_to="",
        reasoning=decision.reasoning, version=decision.version,
    )
    data.update(overrides)
    return data


def test_edit_keeps_history_and_logs(officer, case_officer, client_record):
    decision = DecisionFactory(client=client_record, decided_by=case_officer)
    url = reverse("referrals:decision_edit", args=[decision.pk])
    officer.get(url)

    response = officer.post(url, edit_data(decision, reasoning="Ändrad motivering"))

    assert response.status_code == 302
    change = FieldChange.objects.get()
    assert (change.field, change.new_value, change.user) == ("reasoning", "Ändrad motivering", case_officer)
    assert list(AccessLogEntry.objects.order_by("id").values_list("action", flat=True)) == [
        AccessAction.VIEW, AccessAction.UPDATE,
    ]
    assert "Ändrad motivering" in html_of(officer.get(reverse("referrals:decision_detail", args=[decision.pk])))


def test_concurrent_edit_is_detected_and_the_input_kept(officer, case_officer, client_record):
    decision = DecisionFactory(client=client_record, decided_by=case_officer)
    url = reverse("referrals:decision_edit", args=[decision.pk])
    officer.post(url, edit_data(decision, reasoning="Först sparat"))

    response = officer.post(url, edit_data(decision, reasoning="Min version"))

    html = html_of(response)
    assert "Någon annan sparade beslutet medan du redigerade" in html
    assert "Min version" in html and "Först sparat" in html
    decision.refresh_from_db()
    assert decision.reasoning == "Först sparat"


def test_a_retired_legal_basis_stays_selectable_on_its_own_decision(officer, case_officer, client_record):
    retired = LegalReference.objects.create(code="Gammal § 2", law="Upphävd lag", is_active=False)
    decision = DecisionFactory(client=client_record, decided_by=case_officer, legal_basis=retired)
    url = reverse("referrals:decision_edit", args=[decision.pk])

    assert "Gammal § 2" in html_of(officer.get(url))
    assert officer.post(url, edit_data(decision, legal_basis=retired.pk)).status_code == 302


# --- Non-executed decisions ----------------------------------------------------------


def test_waiting_list_content_and_order(officer, case_officer, client_record, unit, other_unit):
    today = timezone.localdate()
    recent = DecisionFactory(client=client_record, decided_by=case_officer, decided_on=today - timedelta(days=10))
    old = DecisionFactory(
        client=ClientFactory(unit=unit, first_name="Långväntare"), decided_by=case_officer,
        decided_on=today - timedelta(days=200),
    )
    interrupted = DecisionFactory(
        client=ClientFactory(unit=unit, first_name="Avbruten"), decided_by=case_officer,
        decided_on=today - timedelta(days=400), executed_on=today - timedelta(days=390),
    )
    InterruptionFactory(decision=interrupted, started_on=today - timedelta(days=70))
    # Not listed: executed, closed, rejected, another unit's.
    DecisionFactory(client=client_record, decided_by=case_officer, executed_on=today)
    DecisionFactory(client=client_record, decided_by=case_officer, closed_on=today, close_reason="x")
    DecisionFactory(client=client_record, decided_by=case_officer, outcome=DecisionOutcome.REJECTED)
    DecisionFactory(client=ClientFactory(unit=other_unit, first_name="Främling"), decided_on=today)

    response = officer.get(reverse("referrals:decision_waiting_list"))

    listed = [decision.pk for decision in response.context["page_obj"].object_list]
    # Longest wait first: 200 days, 70 days (interruption), 10 days.
    assert listed == [old.pk, interrupted.pk, recent.pk]
    rows = {decision.pk: decision for decision in response.context["page_obj"].object_list}
    assert (rows[old.pk].days_waiting_now, rows[old.pk].needs_warning, rows[old.pk].is_reportable) == (200, True, True)
    assert (rows[interrupted.pk].days_waiting_now, rows[interrupted.pk].needs_warning) == (70, True)
    assert (rows[recent.pk].days_waiting_now, rows[recent.pk].needs_warning, rows[recent.pk].is_reportable) == (10, False, False)
    html = html_of(response)
    assert "Varning: lång väntan" in html and "Ska rapporteras" in html
    assert "Främling" not in html


def test_warning_starts_at_60_days_and_reportability_the_day_after_three_months(officer, case_officer, client_record):
    today = timezone.localdate()
    sixty = DecisionFactory(client=client_record, decided_by=case_officer, decided_on=today - timedelta(days=60))
    fiftynine = DecisionFactory(client=client_record, decided_by=case_officer, decided_on=today - timedelta(days=59))

    rows = {d.pk: d for d in officer.get(reverse("referrals:decision_waiting_list")).context["page_obj"].object_list}

    assert rows[sixty.pk].needs_warning and not rows[fiftynine.pk].needs_warning
    assert rows[sixty.pk].is_reportable == (today > sixty.execution_due_by)


@pytest.mark.parametrize("rows", [1, 30])
def test_waiting_list_query_count_is_fixed(officer, case_officer, unit, django_assert_num_queries, rows):
    for n in range(rows):
        decision = DecisionFactory(client=ClientFactory(unit=unit, responsible_officer=case_officer), decided_by=case_officer)
        if n % 3 == 0:
            decision.executed_on = decision.decided_on
            decision.save()
            InterruptionFactory(decision=decision, started_on=decision.decided_on + timedelta(days=5))
    url = reverse("referrals:decision_waiting_list")
    # Base page ~8 queries + count + page of rows.
    with django_assert_num_queries(11):  # incl. the read log's one insert (audit.reads) and its chain lock (audit.chain)
        response = officer.get(url)
    assert len(response.context["page_obj"].object_list) == min(rows, 25)
