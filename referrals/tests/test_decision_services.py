"""The rules of decisions, in the service functions: the training-apartment
package, execution, interruptions, closing and the derived status."""

from datetime import date

import pytest

from audit.models import AccessAction, AccessLogEntry, FieldChange
from audit.versioning import ConcurrentEditError
from referrals.models import Decision, DecisionKind, DecisionOutcome, DecisionStatus, Interruption, Offer, OfferAnswer
from referrals.services import decisions as services
from referrals.tests.factories_decisions import DecisionFactory, InterruptionFactory, active_reference

pytestmark = pytest.mark.django_db



def training(client, **fields):
    """An unsaved granted training-apartment decision."""
    values = {
        "client": client,
        "kind": DecisionKind.TRAINING_APARTMENT,
        "legal_basis": active_reference(),
        "applied_on": date(2025, 1, 2),
        "decided_on": date(2025, 1, 10),
        "outcome": DecisionOutcome.GRANTED,
        "valid_from": date(2025, 2, 1),
        "valid_to": date(2025, 12, 31),
    }
    values.update(fields)
    return Decision(**values)


def bolots(client, officer, **fields):
    values = {"client": client, "kind": DecisionKind.BOLOTS_SUPPORT, "decided_by": officer}
    values.update(fields)
    return DecisionFactory(**values)


# --- The training apartment needs bolots support ---------------------------------


def test_training_apartment_without_bolots_support_is_refused_and_nothing_is_saved(ctx, client_record):
    with pytest.raises(services.MissingBolotsSupport) as refused:
        services.record_decision(ctx, training(client_record))

    message = refused.value.messages[0]
    assert "bolotsinsats" in message
    assert "2025-02-01 till 2025-12-31" in message
    assert "kryssa i rutan" in message, "the message offers to register both"
    assert Decision.objects.count() == 0
    assert AccessLogEntry.objects.count() == 0


def test_bolots_support_covering_the_period_lets_the_training_decision_through(ctx, client_record, case_officer):
    bolots(client_record, case_officer, valid_from=date(2025, 1, 1), valid_to=date(2026, 6, 30))

    decision = services.record_decision(ctx, training(client_record))

    assert decision.pk is not None
    assert decision.decided_by == ctx.user, "decided by defaults to the user"
    assert decision.created_bolots_support is None


@pytest.mark.parametrize(
    "support, training_period",
    [
        # Starts a day after the training decision.
        ({"valid_from": date(2025, 2, 2), "valid_to": None}, (date(2025, 2, 1), date(2025, 12, 31))),
        # Ends a day before it.
        ({"valid_from": date(2025, 1, 1), "valid_to": date(2025, 12, 30)}, (date(2025, 2, 1), date(2025, 12, 31))),
        # Training until further notice needs open-ended support.
        ({"valid_from": date(2025, 1, 1), "valid_to": date(2030, 12, 31)}, (date(2025, 2, 1), None)),
        # Rejected support does not count.
        ({"valid_from": date(2025, 1, 1), "valid_to": None, "outcome": DecisionOutcome.REJECTED},
         (date(2025, 2, 1), None)),
    ],
)
def test_support_that_does_not_cover_the_period_is_not_enough(ctx, client_record, case_officer, support, training_period):
    bolots(client_record, case_officer, **support)
    start, end = training_period

    with pytest.raises(services.MissingBolotsSupport):
        services.record_decision(ctx, training(client_record, valid_from=start, valid_to=end))


def test_open_ended_support_covers_an_open_ended_training_decision(ctx, client_record, case_officer):
    bolots(client_record, case_officer, valid_from=date(2025, 1, 1), valid_to=None, outcome=DecisionOutcome.PARTLY_GRANTED)

    decision = services.record_decision(ctx, training(client_record, valid_to=None))

    assert decision.pk


def test_support_of_another_client_does_not_count(ctx, client_record, case_officer, unit):
    from referrals.tests.factories import ClientFactory

    bolots(ClientFactory(unit=unit), case_officer, valid_from=date(2025, 1, 1))

    with pytest.raises(services.MissingBolotsSupport):
        services.record_decision(ctx, training(client_record))


def test_rejected_or_other_kinds_need_no_support(ctx, client_record):
    services.record_decision(ctx, training(client_record, outcome=DecisionOutcome.REJECTED))
    services.record_decision(ctx, training(client_record, kind=DecisionKind.TRIAL_APARTMENT))

    assert Decision.objects.count() == 2


def test_with_the_box_ticked_both_decisions_are_registered_for_the_same_period(ctx, client_record):
    decision = services.record_decision(
        ctx, training(client_record, outcome=DecisionOutcome.PARTLY_GRANTED), with_bolots_support=True
    )

    support = decision.created_bolots_support
    assert support.kind == DecisionKind.BOLOTS_SUPPORT
    assert support.outcome == DecisionOutcome.GRANTED
    assert (support.client, support.valid_from, support.valid_to) == (client_record, date(2025, 2, 1), date(2025, 12, 31))
    assert (support.decided_on, support.applied_on, support.legal_basis) == (
        decision.decided_on, decision.applied_on, decision.legal_basis,
    )
    assert list(services.covering_bolots_support(decision)) == [support]
    logged = AccessLogEntry.objects.filter(action=AccessAction.CREATE).values_list("object_id", flat=True)
    assert sorted(logged) == sorted([str(decision.pk), str(support.pk)])


def test_the_box_creates_no_second_support_decision_when_one_covers(ctx, client_record, case_officer):
    bolots(client_record, case_officer, valid_from=date(2025, 1, 1))

    services.record_decision(ctx, training(client_record), with_bolots_support=True)

    assert Decision.objects.filter(kind=DecisionKind.BOLOTS_SUPPORT).count() == 1


def test_both_decisions_are_in_one_transaction(ctx, client_record, monkeypatch):
    # The training decision fails to save after the support decision was
    # written: neither may remain.
    original_save = Decision.save

    def failing_save(self, *args, **kwargs):
        if self.kind == DecisionKind.TRAINING_APARTMENT:
            raise RuntimeError("disk full")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Decision, "save", failing_save)
    with pytest.raises(RuntimeError):
        services.record_decision(ctx, training(client_record), with_bolots_support=True)

    assert Decision.objects.count() == 0
    assert AccessLogEntry.objects.count() == 0


def test_editing_the_support_decision_cannot_uncover_a_training_decision(ctx, client_record, case_officer):
    support = bolots(client_record, case_officer, valid_from=date(2025, 1, 1), valid_to=None)
    services.record_decision(ctx, training(client_record))
    support.valid_to = date(2025, 6, 30)

    with pytest.raises(services.DecisionError) as refused:
        services.update_decision(ctx, support, expected_version=support.version)

    assert "utan ett beviljat beslut om bolotsinsats" in refused.value.messages[0]
    support.refresh_from_db()
    assert support.valid_to is None
    assert support.version == 1, "the version claim was rolled back too"


def test_editing_a_training_decision_outside_its_support_is_refused(ctx, client_record, case_officer):
    bolots(client_record, case_officer, valid_from=date(2025, 1, 1), valid_to=date(2025, 12, 31))
    decision = services.record_decision(ctx, training(client_record))
    decision.valid_to = None

    with pytest.raises(services.MissingBolotsSupport):
        services.update_decision(ctx, decision, expected_version=decision.version)


# --- Editing ------------------------------------------------------------------------


def test_update_keeps_field_history_and_refuses_a_stale_version(ctx, client_record, case_officer):
    decision = DecisionFactory(client=client_record, decided_by=case_officer)
    opened = decision.version
    decision.reasoning = "Ny motivering."
    services.update_decision(ctx, decision, expected_version=opened)

    change = FieldChange.objects.get()
    assert (change.field, change.old_value, change.new_value) == ("reasoning", "Fiktivt beslut för test.", "Ny motivering.")
    assert AccessLogEntry.objects.get().action == AccessAction.UPDATE

    stale = Decision.objects.get(pk=decision.pk)
    stale.reasoning = "Gammal flik."
    with pytest.raises(ConcurrentEditError):
        services.update_decision(ctx, stale, expected_version=opened)


def test_an_edit_never_overwrites_an_execution_saved_meanwhile(ctx, client_record, case_officer):
    opened = DecisionFactory(client=client_record, decided_by=case_officer)
    services.execute_decision(ctx, Decision.objects.get(pk=opened.pk), date(2025, 2, 1))

    opened.reasoning = "Ändrad i ett formulär öppnat före verkställigheten."
    services.update_decision(ctx, opened, expected_version=opened.version)

    opened.refresh_from_db()
    assert opened.executed_on == date(2025, 2, 1)


def test_an_executed_decision_cannot_become_rejected(ctx, client_record, case_officer):
    decision = DecisionFactory(client=client_record, decided_by=case_officer, executed_on=date(2025, 2, 1))
    decision.outcome = DecisionOutcome.REJECTED

    with pytest.raises(services.DecisionError):
        services.update_decision(ctx, decision, expected_version=decision.version)


# --- Execution ------------------------------------------------------------------------


def test_execution_sets_the_date_note_history_and_log(ctx, client_record, case_officer):
    decision = DecisionFactory(client=client_record, decided_by=case_officer)

    services.execute_decision(ctx, decision, date(2025, 2, 3), note="Inflyttning")

    decision.refresh_from_db()
    assert (decision.executed_on, decision.execution_note) == (date(2025, 2, 3), "Inflyttning")
    assert FieldChange.objects.filter(field="executed_on", new_value="2025-02-03").exists()
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.object_id, entry.client_id) == (AccessAction.UPDATE, str(decision.pk), client_record.pk)


@pytest.mark.parametrize(
    "fields, on, code",
    [
        ({"outcome": DecisionOutcome.REJECTED}, date(2025, 2, 1), "not_granted"),
        ({"closed_on": date(2025, 1, 20), "close_reason": "Avböjt"}, date(2025, 2, 1), "closed"),
        ({"executed_on": date(2025, 1, 15)}, date(2025, 2, 1), "already_executed"),
        ({}, date(2025, 1, 9), "before_decision"),  # decided 2025-01-10
    ],
)
def test_execution_is_refused_when_not_allowed(ctx, client_record, case_officer, fields, on, code):
    decision = DecisionFactory(client=client_record, decided_by=case_officer, **fields)

    with pytest.raises(services.DecisionError) as refused:
        services.execute_decision(ctx, decision, on)

    assert refused.value.code == code
    assert refused.value.messages[0]  # a Swedish sentence for the user
    assert AccessLogEntry.objects.count() == 0


def test_execution_on_the_decision_day_is_allowed(ctx, client_record, case_officer):
    decision = DecisionFactory(client=client_record, decided_by=case_officer)

    services.execute_decision(ctx, decision, date(2025, 1, 10))

    assert decision.executed_on == date(2025, 1, 10)


# --- Interruptions, closing, offers, delay -----------------------------------------


def test_interrupt_and_resume(ctx, client_record, case_officer):
    decision = DecisionFactory(client=client_record, decided_by=case_officer, executed_on=date(2025, 2, 1))

    interruption = services.interrupt_decision(ctx, decision, date(2025, 5, 1), "Behandlingshem")
    assert interruption.resume_due_by == date(2025, 8, 1)
    with pytest.raises(services.DecisionError):
        services.interrupt_decision(ctx, decision, date(2025, 5, 2), "Igen")
    with pytest.raises(services.DecisionError):
        services.resume_decision(ctx, interruption, date(2025, 4, 30))

    services.resume_decision(ctx, interruption, date(2025, 6, 1))

    interruption.refresh_from_db()
    assert interruption.ended_on == date(2025, 6, 1)
    with pytest.raises(services.DecisionError):
        services.interrupt_decision(ctx, decision, date(2025, 5, 31), "Före förra slutet")
    actions = list(AccessLogEntry.objects.order_by("id").values_list("action", "object_type"))
    assert actions == [
        (AccessAction.CREATE, "referrals.interruption"),
        (AccessAction.UPDATE, "referrals.interruption"),
    ]


def test_a_waiting_decision_cannot_be_interrupted(ctx, client_record, case_officer):
    decision = DecisionFactory(client=client_record, decided_by=case_officer)

    with pytest.raises(services.DecisionError):
        services.interrupt_decision(ctx, decision, date(2025, 3, 1), "x")


def test_close_checks_dates_and_keeps_the_reason(ctx, client_record, case_officer):
    decision = DecisionFactory(client=client_record, decided_by=case_officer, executed_on=date(2025, 2, 1))
    with pytest.raises(services.DecisionError):
        services.close_decision(ctx, decision, date(2025, 1, 31), "Före verkställigheten")
    with pytest.raises(services.DecisionError):
        services.close_decision(ctx, decision, date(2025, 3, 1), "  ")

    services.close_decision(ctx, decision, date(2025, 3, 1), "Flyttat till egen bostad")

    decision.refresh_from_db()
    assert (decision.closed_on, decision.close_reason) == (date(2025, 3, 1), "Flyttat till egen bostad")
    with pytest.raises(services.DecisionError):
        services.close_decision(ctx, decision, date(2025, 3, 2), "Igen")


def test_offers_and_delay_reason(ctx, client_record, case_officer):
    decision = DecisionFactory(client=client_record, decided_by=case_officer)
    with pytest.raises(services.DecisionError):
        services.record_offer(ctx, decision, date(2025, 1, 9), "För tidigt", OfferAnswer.DECLINED)

    offer = services.record_offer(ctx, decision, date(2025, 2, 1), "Lägenhet A", OfferAnswer.DECLINED, "För långt bort")
    services.set_delay_reason(ctx, decision, "Brist på lägenheter")

    assert Offer.objects.get() == offer
    decision.refresh_from_db()
    assert decision.delay_reason == "Brist på lägenheter"
    assert FieldChange.objects.filter(field="delay_reason", new_value="Brist på lägenheter").exists()


def test_offers_cannot_be_recorded_on_rejected_decisions(ctx, client_record, case_officer):
    decision = DecisionFactory(client=client_record, decided_by=case_officer, outcome=DecisionOutcome.REJECTED)

    with pytest.raises(services.DecisionError):
        services.record_offer(ctx, decision, date(2025, 2, 1), "Lägenhet", OfferAnswer.ACCEPTED)


# --- Status: derived, the same in SQL and in Python ---------------------------------


def test_status_in_sql_and_python_agree(client_record, case_officer):
    make = lambda **fields: DecisionFactory(client=client_record, decided_by=case_officer, **fields)  # noqa: E731
    waiting = make()
    rejected = make(outcome=DecisionOutcome.REJECTED)
    executed = make(executed_on=date(2025, 2, 1))
    interrupted = make(executed_on=date(2025, 2, 1))
    InterruptionFactory(decision=interrupted, started_on=date(2025, 4, 1))
    resumed = make(executed_on=date(2025, 2, 1))
    InterruptionFactory(decision=resumed, started_on=date(2025, 3, 1), ended_on=date(2025, 3, 20))
    closed = make(executed_on=date(2025, 2, 1), closed_on=date(2025, 5, 1), close_reason="Flyttat")
    interrupted_then_closed = make(executed_on=date(2025, 2, 1), closed_on=date(2025, 6, 1), close_reason="Avslutat")
    InterruptionFactory(decision=interrupted_then_closed, started_on=date(2025, 4, 1))
    closed_unexecuted = make(closed_on=date(2025, 3, 1), close_reason="Avböjt")

    expected_on = {
        # day → {decision: status}
        date(2025, 3, 10): {
            waiting: DecisionStatus.WAITING,
            rejected: DecisionStatus.REJECTED,
            executed: DecisionStatus.EXECUTED,
            interrupted: DecisionStatus.EXECUTED,  # not yet interrupted
            resumed: DecisionStatus.INTERRUPTED,  # 1–19 March
            closed: DecisionStatus.EXECUTED,
            interrupted_then_closed: DecisionStatus.EXECUTED,
            closed_unexecuted: DecisionStatus.CLOSED,
        },
        date(2025, 5, 15): {
            waiting: DecisionStatus.WAITING,
            rejected: DecisionStatus.REJECTED,
            executed: DecisionStatus.EXECUTED,
            interrupted: DecisionStatus.INTERRUPTED,
            resumed: DecisionStatus.EXECUTED,
            closed: DecisionStatus.CLOSED,
            interrupted_then_closed: DecisionStatus.INTERRUPTED,
            closed_unexecuted: DecisionStatus.CLOSED,
        },
        date(2025, 6, 1): {interrupted_then_closed: DecisionStatus.CLOSED, interrupted: DecisionStatus.INTERRUPTED},
    }
    for day, expected in expected_on.items():
        in_sql = dict(Decision.objects.with_status(day).values_list("pk", "status"))
        objects = Decision.objects.prefetch_related("interruptions").in_bulk()
        for decision, status in expected.items():
            assert in_sql[decision.pk] == status, (day, decision.pk)
            assert objects[decision.pk].status_on(day) == status, (day, decision.pk)
        # Every decision, not just those listed, agrees.
        for pk, status in in_sql.items():
            assert objects[pk].status_on(day) == status


def test_annotated_status_is_readable_on_instances(client_record, case_officer):
    DecisionFactory(client=client_record, decided_by=case_officer, executed_on=date(2025, 2, 1))

    decision = Decision.objects.with_status(date(2025, 1, 20)).get()

    assert decision.status == DecisionStatus.WAITING, "as of the annotated day, not today"
    assert decision.status.label == "Väntar på verkställighet"


def test_interruption_dates_follow_calendar_months():
    # Interruption.save derives the last day before it becomes reportable.
    assert Interruption(started_on=date(2024, 11, 30)).reportable_from == date(2025, 3, 1)
