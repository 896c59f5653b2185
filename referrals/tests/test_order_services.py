"""The order lifecycle in services.orders: every valid step, a table of
invalid ones (each refused without writing anything), who may take which
step, and what the other side is told."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import Notification
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessAction, AccessLogEntry, FieldChange
from referrals.models import Order, OrderEvent, OrderKind, OrderOutcome, OrderState
from referrals.services import orders as services
from referrals.tests.factories import ClientFactory

from .factories_orders import OrderFactory, accepted_order, make_pilot, outreach_order

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("pilot")]



@pytest.fixture
def third_pilot(unit):
    return make_pilot(unit, "bolots3")


@pytest.fixture
def client_person(unit, case_officer):
    return ClientFactory(
        unit=unit, responsible_officer=case_officer, first_name="Siv", last_name="Testsson",
        street_address="Hemliga vägen 3",
    )


@pytest.fixture
def sent(unit, case_officer, client_person):
    return OrderFactory(unit=unit, ordered_by=case_officer, client=client_person)


@pytest.fixture
def accepted(unit, case_officer, client_person, pilot, second_pilot):
    return accepted_order(pilot, second_pilot, ordered_by=case_officer, client=client_person)


def counts():
    """Everything a step writes, to show that a refused step wrote nothing."""
    return (
        OrderEvent.objects.count(),
        AccessLogEntry.objects.count(),
        Notification.objects.count(),
        FieldChange.objects.count(),
    )


def reloaded(order):
    return Order.objects.get(pk=order.pk)


def notified(order):
    return set(Notification.objects.filter(url=services.order_url(order)).values_list("user__username", flat=True))


def only_event(order):
    events = list(order.events.all())
    assert len(events) == 1
    return events[0]


def assert_logged_update(order, user):
    entry = AccessLogEntry.objects.get(object_type="referrals.order", object_id=str(order.pk))
    assert entry.action == AccessAction.UPDATE
    assert entry.user == user
    assert entry.client_id == order.client_id


# --- Every valid step ----------------------------------------------------------


def test_accept_assigns_two_pilots_and_tells_the_officer_and_both(ctx, sent, pilot, second_pilot, third_pilot, case_officer):
    version = sent.version

    services.accept_order(ctx(third_pilot), sent, pilot, second_pilot)

    order = reloaded(sent)
    assert order.state == OrderState.ACCEPTED
    assert (order.active_pilot, order.passive_pilot) == (pilot, second_pilot)
    assert order.accepted_at is not None
    assert order.version == version + 1
    event = only_event(order)
    assert event.transition == OrderEvent.Transition.ACCEPTED
    assert event.by == third_pilot
    assert str(pilot) in event.text and str(second_pilot) in event.text
    assert_logged_update(order, third_pilot)
    assert notified(order) == {case_officer.username, pilot.username, second_pilot.username}
    assert Notification.objects.get(user=case_officer).text == f"Uppdrag #{order.pk} har accepterats"


def test_a_pilot_who_accepts_and_takes_the_order_is_not_told_about_it(ctx, sent, pilot, second_pilot, case_officer):
    services.accept_order(ctx(pilot), sent, pilot, second_pilot)

    assert notified(sent) == {case_officer.username, second_pilot.username}


def test_return_sends_the_question_to_the_case_officer(ctx, sent, pilot, case_officer):
    services.return_order(ctx(pilot), sent, "  Vilken våning bor personen på?  ")

    order = reloaded(sent)
    assert order.state == OrderState.RETURNED
    event = only_event(order)
    assert (event.transition, event.text) == (OrderEvent.Transition.RETURNED, "Vilken våning bor personen på?")
    assert_logged_update(order, pilot)
    assert notified(order) == {case_officer.username}
    assert Notification.objects.get(user=case_officer).text == f"Uppdrag #{order.pk} har returnerats med en fråga"


def test_answer_sends_the_order_back_to_the_units_pilots(ctx, unit, case_officer, client_person, pilot, second_pilot):
    order = OrderFactory(unit=unit, ordered_by=case_officer, client=client_person, state=OrderState.RETURNED)
    elsewhere = make_pilot(UserFactory().unit, "bolots_annan")

    services.answer_order(ctx(case_officer), order, "Tredje våningen.")

    order = reloaded(order)
    assert order.state == OrderState.SENT
    event = only_event(order)
    assert (event.transition, event.text) == (OrderEvent.Transition.ANSWERED, "Tredje våningen.")
    assert_logged_update(order, case_officer)
    assert notified(order) == {pilot.username, second_pilot.username}
    assert elsewhere.username not in notified(order)


def test_start_moves_an_accepted_order_on(ctx, accepted, pilot, case_officer):
    services.start_order(ctx(pilot), accepted)

    order = reloaded(accepted)
    assert order.state == OrderState.IN_PROGRESS
    assert order.started_at is not None
    assert only_event(order).transition == OrderEvent.Transition.STARTED
    assert_logged_update(order, pilot)
    assert notified(order) == {case_officer.username}


@pytest.mark.parametrize("from_state", [OrderState.ACCEPTED, OrderState.IN_PROGRESS])
def test_complete_stores_outcome_and_report_and_tells_the_officer(ctx, accepted, second_pilot, case_officer, from_state):
    Order.objects.filter(pk=accepted.pk).update(state=from_state)
    accepted.refresh_from_db()

    services.complete_order(ctx(second_pilot), accepted, OrderOutcome.CARRIED_OUT, "Följde med, allt gick bra.")

    order = reloaded(accepted)
    assert order.state == OrderState.COMPLETED
    assert (order.outcome, order.report) == (OrderOutcome.CARRIED_OUT, "Följde med, allt gick bra.")
    assert order.completed_at is not None
    event = only_event(order)
    assert (event.transition, event.text) == (OrderEvent.Transition.COMPLETED, "Följde med, allt gick bra.")
    assert_logged_update(order, second_pilot)
    assert notified(order) == {case_officer.username}
    assert Notification.objects.get(user=case_officer).text == f"Uppdrag #{order.pk} har slutförts"


def test_cancel_of_an_accepted_order_tells_the_assigned_pilots(ctx, accepted, pilot, second_pilot, third_pilot, case_officer):
    services.cancel_order(ctx(case_officer), accepted, "Klienten har flyttat från kommunen.")

    order = reloaded(accepted)
    assert order.state == OrderState.CANCELLED
    assert order.cancel_reason == "Klienten har flyttat från kommunen."
    assert order.cancelled_at is not None
    assert only_event(order).text == "Klienten har flyttat från kommunen."
    assert_logged_update(order, case_officer)
    assert notified(order) == {pilot.username, second_pilot.username}


def test_cancel_of_a_sent_order_tells_the_unit(ctx, sent, pilot, second_pilot, third_pilot, case_officer):
    services.cancel_order(ctx(case_officer), sent, "Skickat av misstag.")

    assert notified(sent) == {pilot.username, second_pilot.username, third_pilot.username}


def test_a_manager_may_cancel_and_the_case_officer_is_told(ctx, accepted, manager, pilot, second_pilot, case_officer):
    services.cancel_order(ctx(manager), accepted, "Dubbelbeställning.")

    assert reloaded(accepted).state == OrderState.CANCELLED
    assert notified(accepted) == {pilot.username, second_pilot.username, case_officer.username}


@pytest.mark.parametrize("state", OrderState.open_states())
def test_cancel_works_from_every_open_state(ctx, unit, case_officer, pilot, second_pilot, state):
    order = accepted_order(pilot, second_pilot, ordered_by=case_officer, state=state)

    services.cancel_order(ctx(case_officer), order, "Behövs inte längre.")

    assert reloaded(order).state == OrderState.CANCELLED


def test_link_connects_an_outreach_subject_to_a_client(ctx, unit, case_officer, client_person, pilot, second_pilot):
    order = outreach_order(unit, case_officer, state=OrderState.IN_PROGRESS, active_pilot=pilot, passive_pilot=second_pilot)

    services.link_order_to_client(ctx(case_officer), order, client_person)

    order = reloaded(order)
    assert order.client == client_person
    assert order.subject_name == "Man i 50-årsåldern, kallas Kalle", "what was written is kept"
    change = FieldChange.objects.get(object_type="referrals.order", object_id=str(order.pk))
    assert (change.field, change.old_value, change.new_value) == ("client", "", "Siv Testsson")
    assert_logged_update(order, case_officer)
    assert notified(order) == {pilot.username, second_pilot.username}


def test_mark_first_visit_starts_an_accepted_order(ctx, unit, case_officer, pilot, second_pilot):
    order = accepted_order(
        pilot, second_pilot, ordered_by=case_officer, kind=OrderKind.OUTREACH, sent_at=timezone.now() - timedelta(hours=50)
    )
    assert order.is_past_first_visit_deadline()
    at = timezone.now() - timedelta(hours=1)

    services.mark_first_visit(ctx(second_pilot), order, at)

    order = reloaded(order)
    assert (order.state, order.first_visit_at, order.started_at) == (OrderState.IN_PROGRESS, at, at)
    assert not order.is_past_first_visit_deadline()
    assert only_event(order).transition == OrderEvent.Transition.STARTED
    assert notified(order) == {case_officer.username}


def test_mark_first_visit_on_a_started_order_only_sets_the_time(ctx, unit, case_officer, pilot, second_pilot):
    order = accepted_order(pilot, second_pilot, ordered_by=case_officer, kind=OrderKind.EVICTION_PREVENTION,
                           state=OrderState.IN_PROGRESS)
    at = timezone.now()

    services.mark_first_visit(ctx(pilot), order, at)

    order = reloaded(order)
    assert order.first_visit_at == at
    assert order.state == OrderState.IN_PROGRESS
    assert order.events.count() == 0
    assert AccessLogEntry.objects.filter(object_id=str(order.pk), action=AccessAction.UPDATE).count() == 1


def test_mark_first_visit_keeps_the_earliest_visit_and_writes_nothing_for_a_later_one(ctx, unit, pilot, second_pilot):
    sent_at = timezone.now() - timedelta(hours=30)
    first = sent_at + timedelta(hours=2)
    order = accepted_order(pilot, second_pilot, kind=OrderKind.OUTREACH, client=None, subject_name="Okänd",
                           state=OrderState.IN_PROGRESS, sent_at=sent_at, first_visit_at=first)
    before = counts()

    services.mark_first_visit(ctx(pilot), order, first + timedelta(hours=5))

    assert reloaded(order).first_visit_at == first
    assert counts() == before
    services.mark_first_visit(ctx(pilot), order, first - timedelta(hours=1))
    assert reloaded(order).first_visit_at == first - timedelta(hours=1)


def test_mark_first_visit_refuses_a_visit_before_the_order_was_sent(ctx, accepted, pilot):
    before = counts()

    with pytest.raises(services.InvalidTransition):
        services.mark_first_visit(ctx(pilot), accepted, accepted.sent_at - timedelta(days=1))

    assert counts() == before


# --- Invalid steps: a table, each refused without writing -----------------------

STEPS = {
    # step: (the states it is allowed from, who tries it, how)
    "accept": (
        {OrderState.SENT}, "third_pilot",
        lambda c, o, u: services.accept_order(c, o, u["pilot"], u["second_pilot"]),
    ),
    "return": ({OrderState.SENT}, "pilot", lambda c, o, u: services.return_order(c, o, "Fråga?")),
    "answer": ({OrderState.RETURNED}, "case_officer", lambda c, o, u: services.answer_order(c, o, "Svar.")),
    "start": ({OrderState.ACCEPTED}, "pilot", lambda c, o, u: services.start_order(c, o)),
    "complete": (
        {OrderState.ACCEPTED, OrderState.IN_PROGRESS}, "pilot",
        lambda c, o, u: services.complete_order(c, o, OrderOutcome.CARRIED_OUT, "Klart."),
    ),
    "cancel": (set(OrderState.open_states()), "case_officer", lambda c, o, u: services.cancel_order(c, o, "Skäl.")),
    "first_visit": (
        {OrderState.ACCEPTED, OrderState.IN_PROGRESS}, "pilot",
        lambda c, o, u: services.mark_first_visit(c, o, timezone.now()),
    ),
}
INVALID = [(step, state) for step, (allowed, _who, _do) in STEPS.items() for state in OrderState.values if state not in allowed]


def test_the_invalid_table_covers_what_the_lifecycle_forbids():
    # 6 states × 7 steps − the allowed pairs (1+1+1+1+2+4+2 = 12) = 30.
    assert len(INVALID) == 30
    assert ("accept", OrderState.RETURNED) in INVALID, "a returned order must be answered first"
    assert ("complete", OrderState.SENT) in INVALID


@pytest.mark.parametrize("step,state", INVALID)
def test_invalid_step_is_refused_without_writing(ctx, users, third_pilot, unit, client_record, step, state):
    people = {**users, "third_pilot": third_pilot}
    # The order has both bolotsar set in every state, so that the refusal
    # is about the state and not about who tries.
    order = OrderFactory(
        unit=unit, client=client_record, ordered_by=users["case_officer"], state=state,
        active_pilot=users["pilot"], passive_pilot=users["second_pilot"],
    )
    _allowed, who, do = STEPS[step]
    before, version = counts(), order.version

    with pytest.raises(services.InvalidTransition) as refusal:
        do(ctx(people[who]), order, people)

    stored = reloaded(order)
    assert (stored.state, stored.version) == (state, version)
    assert counts() == before
    assert "kan inte" in str(refusal.value) or "innan" in str(refusal.value), "a Swedish message"


# --- Who may take which step ------------------------------------------------------

WRONG_ACTORS = [
    ("accept", "case_officer", "sent"),
    ("accept", "manager", "sent"),
    ("accept", "outside_pilot", "sent"),
    ("return", "case_officer", "sent"),
    ("answer", "pilot", "returned"),
    ("answer", "manager", "returned"),
    ("answer", "outside_officer", "returned"),
    ("start", "third_pilot", "accepted"),
    ("start", "case_officer", "accepted"),
    ("complete", "third_pilot", "accepted"),
    ("complete", "manager", "accepted"),
    ("cancel", "pilot", "accepted"),
    ("cancel", "outside_officer", "accepted"),
    ("cancel", "outside_manager", "accepted"),
    ("cancel", "housing_admin", "sent"),
    ("link", "pilot", "outreach"),
    ("link", "manager", "outreach"),
    ("first_visit", "case_officer", "accepted"),
    ("first_visit", "outside_pilot", "accepted"),
]


@pytest.mark.parametrize("step,who,which", WRONG_ACTORS)
def test_wrong_actor_is_refused_without_writing(ctx, users, unit, other_unit, third_pilot, client_record, step, who, which):
    people = {
        **users,
        "third_pilot": third_pilot,
        "outside_pilot": make_pilot(other_unit, "bolots_annan"),
        "outside_manager": UserFactory(username="chef_annan", unit=other_unit, roles=[Role.MANAGER]),
    }
    officer, pilot, second = users["case_officer"], users["pilot"], users["second_pilot"]
    order = {
        "sent": lambda: OrderFactory(unit=unit, client=client_record, ordered_by=officer),
        "returned": lambda: OrderFactory(unit=unit, client=client_record, ordered_by=officer, state=OrderState.RETURNED),
        "accepted": lambda: accepted_order(pilot, second, client=client_record, ordered_by=officer),
        "outreach": lambda: outreach_order(unit, officer),
    }[which]()
    do = {
        **{name: action for name, (_allowed, _who, action) in STEPS.items()},
        "link": lambda c, o, u: services.link_order_to_client(c, o, client_record),
    }[step]
    before, version = counts(), order.version

    with pytest.raises(PermissionDenied):
        do(ctx(people[who]), order, people)

    assert reloaded(order).version == version
    assert counts() == before


@pytest.mark.parametrize(
    "active,passive,message",
    [
        ("pilot", "pilot", "två olika"),
        ("pilot", "case_officer", "aktiva bolotsar"),
        ("pilot", "outside_pilot", "aktiva bolotsar"),
        ("pilot", "inactive_pilot", "aktiva bolotsar"),
    ],
)
def test_accept_needs_two_different_active_pilots_of_the_unit(ctx, users, unit, other_unit, sent, active, passive, message):
    people = {
        **users,
        "outside_pilot": make_pilot(other_unit, "bolots_annan"),
        "inactive_pilot": make_pilot(unit, "slutat", is_active=False),
    }
    before = counts()

    with pytest.raises(services.InvalidTransition, match=message):
        services.accept_order(ctx(users["pilot"]), sent, people[active], people[passive])

    assert reloaded(sent).state == OrderState.SENT
    assert counts() == before


def test_complete_needs_an_outcome_of_the_orders_kind_and_a_report(ctx, accepted, pilot):
    before = counts()

    with pytest.raises(services.InvalidTransition, match="utfall"):
        services.complete_order(ctx(pilot), accepted, OrderOutcome.EVICTION_PREVENTED, "Rapport.")
    with pytest.raises(services.InvalidTransition, match="rapport"):
        services.complete_order(ctx(pilot), accepted, OrderOutcome.CARRIED_OUT, "   ")

    assert reloaded(accepted).state == OrderState.ACCEPTED
    assert counts() == before


@pytest.mark.parametrize(
    "call",
    [
        lambda ctx, o, u: services.return_order(ctx(u["pilot"]), o, ""),
        lambda ctx, o, u: services.cancel_order(ctx(u["case_officer"]), o, " "),
        lambda ctx, o, u: services.cancel_order(ctx(u["case_officer"]), o, "x" * 301),
    ],
)
def test_texts_that_go_with_a_step_are_required(ctx, sent, users, call):
    before = counts()

    with pytest.raises(services.InvalidTransition):
        call(ctx, sent, users)

    assert counts() == before


def test_link_refuses_a_linked_order_and_a_client_of_another_unit(ctx, unit, other_unit, case_officer, sent, client_person):
    stranger = ClientFactory(unit=other_unit)
    outreach = outreach_order(unit, case_officer)
    before = counts()

    with pytest.raises(services.InvalidTransition):
        services.link_order_to_client(ctx(case_officer), sent, client_person)
    with pytest.raises(services.InvalidTransition):
        services.link_order_to_client(ctx(case_officer), outreach, stranger)

    assert reloaded(outreach).client is None
    assert counts() == before


# --- Optimistic locking ----------------------------------------------------------


def test_two_pilots_accepting_at_once_cannot_both_win(ctx, sent, pilot, second_pilot, third_pilot):
    # Both opened the order before either accepted.
    first_view, second_view = reloaded(sent), reloaded(sent)
    services.accept_order(ctx(pilot), first_view, pilot, second_pilot)
    before = counts()

    with pytest.raises(services.OrderChangedMeanwhile):
        services.accept_order(ctx(third_pilot), second_view, third_pilot, second_pilot)

    order = reloaded(sent)
    assert (order.active_pilot, order.passive_pilot) == (pilot, second_pilot)
    assert counts() == before


def test_a_step_on_a_version_the_user_did_not_see_is_refused(ctx, sent, case_officer):
    before = counts()

    with pytest.raises(services.OrderChangedMeanwhile, match="samtidigt"):
        services.cancel_order(ctx(case_officer), sent, "Skäl.", expected_version=sent.version + 5)

    assert reloaded(sent).state == OrderState.SENT
    assert counts() == before


# --- What the rules say to the pages --------------------------------------------


def test_allowed_actions_follow_state_and_role(users, sent, accepted, third_pilot):
    assert services.allowed_actions(users["pilot"], sent) == {"accept", "return"}
    assert services.allowed_actions(users["case_officer"], sent) == {"cancel"}
    assert services.allowed_actions(users["manager"], accepted) == {"cancel"}
    assert services.allowed_actions(users["pilot"], accepted) == {"start", "complete"}
    assert services.allowed_actions(third_pilot, accepted) == set()
    assert services.allowed_actions(users["outside_officer"], sent) == set()


# --- Notifications and e-mails ------------------------------------------------------


def test_every_notification_and_email_is_free_of_personal_data(
    ctx, unit, case_officer, client_person, pilot, second_pilot, django_capture_on_commit_callbacks
):
    # Walk an order through every step, sending the e-mails as a real
    # transaction commit would.
    with django_capture_on_commit_callbacks(execute=True):
        order = services.send_order(
            ctx(case_officer),
            Order(kind=OrderKind.EVICTION_PREVENTION, client=client_person, assignment="Hembesök hos Siv Testsson."),
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.return_order(ctx(pilot), order, "Är Siv Testsson hemma på dagtid?")
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_order(ctx(case_officer), order, "Ja.")
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_order(ctx(pilot), order, pilot, second_pilot)
    with django_capture_on_commit_callbacks(execute=True):
        services.start_order(ctx(pilot), order)
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_order(ctx(pilot), order, OrderOutcome.EVICTION_PREVENTED, "Siv Testsson har betalat.")

    assert len(mail.outbox) == Notification.objects.count() > 6
    forbidden = [client_person.first_name, client_person.last_name, client_person.personal_number,
                 client_person.personal_number_display, client_person.street_address]
    for text in [n.text for n in Notification.objects.all()] + [m.subject + m.body for m in mail.outbox]:
        assert f"#{order.pk}" in text
        for value in forbidden:
            assert value not in text
    officer_mails = [m for m in mail.outbox if m.to == [case_officer.email]]
    assert [m.subject for m in officer_mails] == [
        f"Bolots: Uppdrag #{order.pk} har returnerats med en fråga",
        f"Bolots: Uppdrag #{order.pk} har accepterats",
        f"Bolots: Uppdrag #{order.pk} har påbörjats",
        f"Bolots: Uppdrag #{order.pk} har slutförts",
    ]
    assert f"/uppdrag/{order.pk}/" in officer_mails[-1].body


def test_no_email_leaves_when_the_step_is_refused(ctx, sent, case_officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(PermissionDenied):
            services.start_order(ctx(case_officer), sent)

    assert callbacks == []
    assert mail.outbox == []
