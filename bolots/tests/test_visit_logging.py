"""log_visit(): what a logged visit stores and sets off on the referral
side, and that a refused visit keeps nothing."""

from datetime import date, datetime, timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import Notification
from audit.context import AuditContext
from audit.models import AccessAction, AccessLogEntry
from bolots.models import CancelReason, Visit, VisitKind, VisitOutcome
from bolots.services import visits as services
from bolots.services.visits import VisitError, log_visit
from referrals.models import OrderKind, OrderState
from referrals.tests.factories import ClientFactory, fictional_number
from referrals.tests.factories_orders import BolotsDecisionFactory, accepted_order, make_pilot, outreach_order

from .factories import VisitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("pilot", path="/uppdrag/1/besok/nytt/")]


def at(*args):
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def third_pilot(unit):
    return make_pilot(unit, "bolots3")


@pytest.fixture
def decision(client_record, case_officer):
    return BolotsDecisionFactory(
        client=client_record, decided_by=case_officer,
        applied_on=date(2026, 1, 5), decided_on=date(2026, 1, 10), valid_from=date(2026, 1, 10),
    )


@pytest.fixture
def order(client_record, case_officer, pilot, third_pilot, decision):
    """An accepted bolots-support order sent on 2026-01-12."""
    return accepted_order(
        pilot, third_pilot, client=client_record, ordered_by=case_officer, kind=OrderKind.BOLOTS_SUPPORT,
        decision=decision, sent_at=at(2026, 1, 12, 9, 0),
    )



def new_visit(order, pilot, passive, when, outcome=VisitOutcome.DONE, **fields):
    return Visit(order=order, visited_at=when, kind=fields.pop("kind", VisitKind.LOOK_IN), outcome=outcome,
                 active_pilot=pilot, passive_pilot=passive, **fields)


@pytest.mark.parametrize(("visit_day", "age"), [(date(2026, 6, 14), 25), (date(2026, 6, 15), 26)])
def test_the_client_and_the_age_on_the_visit_day_are_stored(
    ctx, unit, case_officer, pilot, third_pilot, visit_day, age
):
    # Born 2000-06-15: 25 the day before the birthday, 26 on it.
    person = ClientFactory(unit=unit, responsible_officer=case_officer,
                           personal_number=fictional_number(1, birth_date=date(2000, 6, 15)))
    order = accepted_order(pilot, third_pilot, client=person, ordered_by=case_officer, sent_at=at(2026, 1, 2, 8, 0))

    visit = log_visit(ctx, new_visit(order, pilot, third_pilot, at(visit_day.year, visit_day.month, visit_day.day, 23, 30))).visit

    visit.refresh_from_db()
    assert visit.client == person
    assert visit.client_age == age
    assert visit.logged_by == pilot


def test_an_outreach_visit_to_an_unregistered_person_has_no_client_and_no_age(ctx, unit, case_officer, pilot, third_pilot):
    order = outreach_order(unit, case_officer, state=OrderState.ACCEPTED, active_pilot=pilot, passive_pilot=third_pilot,
                           sent_at=timezone.now() - timedelta(hours=5))

    visit = log_visit(ctx, new_visit(order, pilot, third_pilot, timezone.now() - timedelta(hours=1),
                                     kind=VisitKind.OUTREACH_ATTEMPT)).visit

    assert visit.client is None
    assert visit.client_age is None


def test_the_access_log_has_the_visit(ctx, order, pilot, third_pilot, client_record):
    visit = log_visit(ctx, new_visit(order, pilot, third_pilot, at(2026, 2, 2, 10, 0))).visit

    row = AccessLogEntry.objects.get(object_type="bolots.visit")
    assert (row.action, row.object_id, row.client_id, row.user, row.path) == (
        AccessAction.CREATE, str(visit.pk), client_record.pk, pilot, "/uppdrag/1/besok/nytt/"
    )


@pytest.mark.parametrize("outcome", VisitOutcome.attempts())
def test_a_visit_attempt_marks_the_first_visit_and_starts_the_order(ctx, order, pilot, third_pilot, outcome):
    when = at(2026, 1, 13, 14, 0)
    with mock.patch.object(services.order_services, "mark_first_visit",
                           wraps=services.order_services.mark_first_visit) as marked:
        log_visit(ctx, new_visit(order, pilot, third_pilot, when, outcome=outcome))

    marked.assert_called_once()
    assert marked.call_args.args[2] == when
    order.refresh_from_db()
    assert order.first_visit_at == when
    assert order.state == OrderState.IN_PROGRESS


@pytest.mark.parametrize("outcome", [VisitOutcome.CANCELLED_BY_CLIENT, VisitOutcome.NO_SHOW,
                                     VisitOutcome.CANCELLED_BY_STAFF])
def test_a_visit_that_was_not_an_attempt_does_not_mark_the_first_visit(ctx, order, pilot, third_pilot, outcome):
    reason = CancelReason.FORGOT if outcome in VisitOutcome.needing_reason() else ""

    log_visit(ctx, new_visit(order, pilot, third_pilot, at(2026, 1, 13, 14, 0), outcome=outcome, cancel_reason=reason))

    order.refresh_from_db()
    assert order.first_visit_at is None
    assert order.state == OrderState.ACCEPTED


def test_an_earlier_attempt_logged_afterwards_becomes_the_first_visit(ctx, order, pilot, third_pilot):
    log_visit(ctx, new_visit(order, pilot, third_pilot, at(2026, 1, 20, 10, 0)))
    log_visit(ctx, new_visit(order, pilot, third_pilot, at(2026, 1, 14, 10, 0), outcome=VisitOutcome.NOBODY_HOME))

    order.refresh_from_db()
    assert order.first_visit_at == at(2026, 1, 14, 10, 0)


def test_the_first_done_visit_executes_the_decision_once(ctx, order, pilot, third_pilot, decision):
    # A closed door does not start the support; the first meeting does.
    log_visit(ctx, new_visit(order, pilot, third_pilot, at(2026, 1, 14, 10, 0), outcome=VisitOutcome.NOBODY_HOME))
    decision.refresh_from_db()
    assert decision.executed_on is None

    first = log_visit(ctx, new_visit(order, pilot, third_pilot, at(2026, 1, 15, 10, 0)))
    second = log_visit(ctx, new_visit(order, pilot, None, at(2026, 1, 22, 10, 0)))

    decision.refresh_from_db()
    assert decision.executed_on == date(2026, 1, 15)
    assert decision.execution_note == f"Första besöket på uppdrag #{order.pk}"
    assert (first.decision_executed, second.decision_executed) == (True, False)
    assert AccessLogEntry.objects.filter(object_type="referrals.decision", action=AccessAction.UPDATE).count() == 1


def test_other_kinds_of_order_execute_nothing(ctx, client_record, case_officer, pilot, third_pilot, decision):
    order = accepted_order(pilot, third_pilot, client=client_record, ordered_by=case_officer,
                           kind=OrderKind.SINGLE_ERRAND, sent_at=at(2026, 1, 12, 9, 0))

    log_visit(ctx, new_visit(order, pilot, third_pilot, at(2026, 1, 15, 10, 0), kind=VisitKind.ESCORT))

    decision.refresh_from_db()
    assert decision.executed_on is None


def test_a_decision_that_cannot_be_executed_does_not_cost_the_visit(ctx, order, pilot, third_pilot, decision, case_officer):
    decision.closed_on = date(2026, 1, 11)
    decision.close_reason = "Flyttade"
    decision.save()

    result = log_visit(ctx, new_visit(order, pilot, third_pilot, at(2026, 1, 15, 10, 0)))

    assert Visit.objects.filter(pk=result.visit.pk).exists()
    assert result.decision_refusal == "Beslutet avslutades 2026-01-11 och kan inte verkställas."
    decision.refresh_from_db()
    assert decision.executed_on is None
    assert Notification.objects.filter(
        user=case_officer, text=f"Uppdrag #{order.pk}: beslutet kunde inte verkställas vid första besöket"
    ).count() == 1
    order.refresh_from_db()
    assert order.state == OrderState.IN_PROGRESS


def test_a_refused_visit_keeps_nothing(ctx, order, pilot, decision):
    # First visit alone: refused by the two-person rule.
    with pytest.raises(VisitError):
        log_visit(ctx, new_visit(order, pilot, None, at(2026, 1, 15, 10, 0)))

    assert not Visit.objects.exists()
    assert not AccessLogEntry.objects.exists()
    order.refresh_from_db()
    decision.refresh_from_db()
    assert (order.state, order.first_visit_at, decision.executed_on) == (OrderState.ACCEPTED, None, None)


def test_a_failure_after_the_visit_is_written_rolls_everything_back(ctx, order, pilot, third_pilot, decision):
    # mark_first_visit refusing (the order changed meanwhile) must not leave
    # a visit without its consequences.
    refusal = services.order_services.InvalidTransition("Uppdraget har ändrats.")
    with mock.patch.object(services.order_services, "mark_first_visit", side_effect=refusal):
        with pytest.raises(VisitError, match="Uppdraget har ändrats."):
            log_visit(ctx, new_visit(order, pilot, third_pilot, at(2026, 1, 15, 10, 0)))

    assert not Visit.objects.exists()
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize("state", [OrderState.COMPLETED, OrderState.CANCELLED])
def test_no_visits_on_an_order_that_is_over(ctx, order, pilot, third_pilot, state):
    order.state = state
    order.save()

    with pytest.raises(VisitError, match="accepterat eller påbörjat"):
        log_visit(ctx, new_visit(order, pilot, third_pilot, at(2026, 1, 15, 10, 0)))


def test_a_visit_before_the_order_was_sent_is_refused(ctx, order, pilot, third_pilot):
    with pytest.raises(VisitError) as refused:
        log_visit(ctx, new_visit(order, pilot, third_pilot, at(2026, 1, 11, 10, 0)))

    assert refused.value.field == "visited_at"
    assert "2026-01-12 09:00" in refused.value.message


def test_only_a_cancellation_may_be_logged_ahead(ctx, order, pilot, third_pilot):
    tomorrow = timezone.now() + timedelta(days=1)
    with pytest.raises(VisitError) as refused:
        log_visit(ctx, new_visit(order, pilot, third_pilot, tomorrow))
    assert refused.value.field == "visited_at"

    log_visit(ctx, new_visit(order, pilot, None, tomorrow, outcome=VisitOutcome.CANCELLED_BY_CLIENT,
                             cancel_reason=CancelReason.WORK_OR_STUDIES))
    assert Visit.objects.count() == 1


def test_only_the_orders_bolotsar_may_log(order, second_pilot, third_pilot, case_officer):
    for user in (second_pilot, case_officer):
        with pytest.raises(PermissionDenied):
            log_visit(AuditContext(user=user), new_visit(order, third_pilot, None, at(2026, 1, 15, 10, 0),
                                                         outcome=VisitOutcome.CANCELLED_BY_STAFF,
                                                         cancel_reason=CancelReason.FORGOT))
    assert not Visit.objects.exists()


def test_a_colleague_standing_in_may_be_the_one_present(ctx, order, pilot, third_pilot, second_pilot):
    VisitFactory(order=order, visited_at=at(2026, 1, 13, 10, 0))

    visit = log_visit(ctx, new_visit(order, second_pilot, None, at(2026, 1, 20, 10, 0))).visit

    assert (visit.active_pilot, visit.logged_by) == (second_pilot, pilot)
