"""Bulk reassignment of a caseload: what moves, the traces it leaves (record
with counts, field history, access log, order events), the skipped orders,
the new owner's one notification, refusals, and the case officer's page.
Splitting a bolots's orders: test_reassignment_split.py."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import Notification
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessAction, AccessLogEntry, FieldChange
from referrals.models import Client, Order, OrderEvent, OrderState, Reassignment
from referrals.services.reassignment import ReassignmentRefused, SplitRefused, reassign_caseload
from referrals.tests.factories import ClientFactory

from .factories_orders import OrderFactory, accepted_order, make_pilot

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("manager", path="/omfordela/")]

OFFICER = Reassignment.Scope.CASE_OFFICER
PILOT = Reassignment.Scope.PILOT



@pytest.fixture
def new_officer(unit):
    return UserFactory(username="ny_handlaggare", unit=unit, roles=[Role.CASE_OFFICER])


@pytest.fixture
def third_pilot(unit):
    return make_pilot(unit, "bolots3")


@pytest.fixture
def caseload(unit, case_officer, new_officer, pilot, second_pilot):
    """Three clients of the leaving officer, one of a colleague; two open
    orders of the officer and one completed."""
    colleague = UserFactory(unit=unit, roles=[Role.CASE_OFFICER])
    mine = [ClientFactory(unit=unit, responsible_officer=case_officer, first_name=f"Klient{i}") for i in range(3)]
    theirs = ClientFactory(unit=unit, responsible_officer=colleague)
    open_orders = [
        OrderFactory(unit=unit, ordered_by=case_officer, client=mine[0]),
        accepted_order(pilot, second_pilot, ordered_by=case_officer, client=mine[1]),
    ]
    done = OrderFactory(unit=unit, ordered_by=case_officer, client=mine[0], state=OrderState.COMPLETED)
    return {"mine": mine, "theirs": theirs, "colleague": colleague, "open": open_orders, "done": done}


def writes():
    return (
        Reassignment.objects.count(), FieldChange.objects.count(), AccessLogEntry.objects.count(),
        OrderEvent.objects.count(), Notification.objects.count(),
    )


def test_case_officer_caseload_moves_with_its_traces(ctx, manager, case_officer, new_officer, caseload):
    versions = {c.pk: c.version for c in caseload["mine"]}

    result = reassign_caseload(ctx(manager), OFFICER, case_officer, new_officer, "Har slutat")

    record = result.reassignment
    assert (record.clients_moved, record.orders_moved) == (3, 2)
    assert (record.by, record.from_user, record.to_user, record.reason) == (manager, case_officer, new_officer, "Har slutat")
    assert result.skipped_orders == []
    for person in caseload["mine"]:
        person = Client.objects.get(pk=person.pk)
        assert person.responsible_officer == new_officer
        assert person.version == versions[person.pk] + 1, "an edit form opened before is refused"
        change = FieldChange.objects.get(object_type="referrals.client", object_id=str(person.pk))
        assert (change.field, change.old_value, change.new_value) == (
            "responsible_officer", str(case_officer), str(new_officer),
        )
        log = AccessLogEntry.objects.get(object_type="referrals.client", object_id=str(person.pk))
        assert (log.action, log.user, log.client_id) == (AccessAction.UPDATE, manager, person.pk)
    assert Client.objects.get(pk=caseload["theirs"].pk).responsible_officer == caseload["colleague"]
    for order in caseload["open"]:
        order = Order.objects.get(pk=order.pk)
        assert order.ordered_by == new_officer
        event = order.events.get(transition=OrderEvent.Transition.REASSIGNED)
        assert event.by == manager and "Har slutat" in event.text
        assert AccessLogEntry.objects.filter(object_type="referrals.order", object_id=str(order.pk),
                                             action=AccessAction.UPDATE).count() == 1
        assert FieldChange.objects.get(object_type="referrals.order", object_id=str(order.pk)).field == "ordered_by"
    assert Order.objects.get(pk=caseload["done"].pk).ordered_by == case_officer, "closed orders keep their history"


def test_the_new_owner_is_told_once_with_counts_only(
    ctx, manager, case_officer, new_officer, caseload, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reassign_caseload(ctx(manager), OFFICER, case_officer, new_officer, "Har slutat")

    notification = Notification.objects.get()
    assert notification.user == new_officer
    assert notification.text == "Du har fått 3 klienter och 2 uppdrag genom en omfördelning"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [new_officer.email]
    for person in caseload["mine"]:
        for value in (person.first_name, person.last_name, person.personal_number):
            assert value not in mail.outbox[0].body + mail.outbox[0].subject


def test_pilot_caseload_moves_to_the_same_place(ctx, manager, unit, pilot, second_pilot, third_pilot):
    as_active = accepted_order(pilot, third_pilot)
    as_passive = accepted_order(third_pilot, pilot, state=OrderState.IN_PROGRESS)
    closed = accepted_order(pilot, third_pilot, state=OrderState.COMPLETED)

    result = reassign_caseload(ctx(manager), PILOT, pilot, second_pilot, "Föräldraledig")

    assert (result.reassignment.clients_moved, result.reassignment.orders_moved) == (0, 2)
    assert result.reassignment.to_user == second_pilot
    assert result.skipped_orders == []
    as_active, as_passive = Order.objects.get(pk=as_active.pk), Order.objects.get(pk=as_passive.pk)
    assert (as_active.active_pilot, as_active.passive_pilot) == (second_pilot, third_pilot)
    assert (as_passive.active_pilot, as_passive.passive_pilot) == (third_pilot, second_pilot)
    assert Order.objects.get(pk=closed.pk).active_pilot == pilot
    assert Notification.objects.get(user=second_pilot).text == "Du har fått 2 uppdrag genom en omfördelning"


def test_pilot_caseload_is_not_moved_at_all_where_the_new_one_already_is(ctx, manager, pilot, second_pilot,
                                                                          third_pilot):
    # Issue 12: the old move skipped these and left them behind; now the
    # whole move is refused and the split page lets the manager choose.
    movable = accepted_order(pilot, third_pilot)
    with_new_one = accepted_order(pilot, second_pilot)
    before = writes()

    with pytest.raises(SplitRefused) as refused:
        reassign_caseload(ctx(manager), PILOT, pilot, second_pilot, "Föräldraledig")

    assert set(refused.value.order_errors) == {with_new_one.pk}
    assert writes() == before
    assert Order.objects.get(pk=movable.pk).active_pilot == pilot


def test_a_deactivated_person_can_be_moved_from(ctx, manager, unit, case_officer, new_officer, caseload):
    case_officer.is_active = False
    case_officer.save()

    result = reassign_caseload(ctx(manager), OFFICER, case_officer, new_officer, "Har slutat")

    assert result.reassignment.clients_moved == 3


def test_nothing_to_move_is_recorded_but_nobody_is_told(ctx, manager, pilot, second_pilot):
    result = reassign_caseload(ctx(manager), PILOT, pilot, second_pilot, "Kontroll")

    assert (result.reassignment.clients_moved, result.reassignment.orders_moved) == (0, 0)
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "scope,from_who,to_who,reason",
    [
        (OFFICER, "case_officer", "case_officer", "Skäl"),
        (OFFICER, "case_officer", "new_officer", "  "),
        (OFFICER, "case_officer", "pilot", "Skäl"),
        (PILOT, "pilot", "new_officer", "Skäl"),
        (OFFICER, "case_officer", "outside_officer", "Skäl"),
        (OFFICER, "outside_officer", "new_officer", "Skäl"),
        (OFFICER, "case_officer", "inactive_officer", "Skäl"),
        (OFFICER, "case_officer", "new_officer", "x" * 301),
        ("everything", "case_officer", "new_officer", "Skäl"),
    ],
)
def test_refusals_write_nothing(ctx, users, unit, new_officer, manager, caseload, scope, from_who, to_who, reason):
    people = {
        **users, "new_officer": new_officer,
        "inactive_officer": UserFactory(unit=unit, roles=[Role.CASE_OFFICER], is_active=False),
    }
    before = writes()

    with pytest.raises(ReassignmentRefused):
        reassign_caseload(ctx(manager), scope, people[from_who], people[to_who], reason)

    assert writes() == before
    assert Client.objects.filter(responsible_officer=users["case_officer"]).count() == 3


@pytest.mark.parametrize("who", ["case_officer", "pilot", "system_admin"])
def test_only_a_manager_may_reassign(ctx, users, new_officer, caseload, who):
    before = writes()

    with pytest.raises(PermissionDenied):
        reassign_caseload(ctx(users[who]), OFFICER, users["case_officer"], new_officer, "Skäl")

    assert writes() == before


# --- Pages -----------------------------------------------------------------------------


def form_data(scope, from_user, to_user, reason="Har slutat", **extra):
    return {"scope": scope, "from_user": from_user.pk, "to_user": to_user.pk, "reason": reason, **extra}


def test_the_form_shows_what_will_move_before_it_moves(client, manager, case_officer, new_officer, caseload):
    client.force_login(manager)

    response = client.post(reverse("referrals:reassign"), form_data(OFFICER, case_officer, new_officer))

    html = response.content.decode()
    assert "3 klienter (ansvarig handläggare)" in html and "2 öppna uppdrag" in html
    assert "Bekräfta omfördelningen" in html
    assert not Reassignment.objects.exists()


def test_confirming_moves_and_shows_the_result_once(client, manager, case_officer, new_officer, caseload):
    client.force_login(manager)

    response = client.post(
        reverse("referrals:reassign"), form_data(OFFICER, case_officer, new_officer, confirm="1"), follow=True
    )

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("referrals:reassignment_list")
    assert "3 klienter flyttade" in html and "2 uppdrag flyttade" in html
    assert "Har slutat" in html, "the history lists the reassignment"
    assert Reassignment.objects.get().clients_moved == 3
    html = client.get(reverse("referrals:reassignment_list")).content.decode()
    assert "klienter flyttade" not in html, "the result is shown once"
    assert "Har slutat" in html


def test_the_form_refuses_people_without_the_role(client, manager, case_officer, pilot):
    client.force_login(manager)

    response = client.post(reverse("referrals:reassign"), form_data(OFFICER, case_officer, pilot, confirm="1"))

    assert response.status_code == 200
    assert "to_user" in response.context["form"].errors
    assert not Reassignment.objects.exists()


def test_the_form_offers_only_people_of_the_managers_unit(client, manager, outside_officer, case_officer):
    client.force_login(manager)

    form = client.get(reverse("referrals:reassign")).context["form"]

    assert case_officer in form.fields["from_user"].queryset
    assert outside_officer not in form.fields["from_user"].queryset
    assert outside_officer not in form.fields["to_user"].queryset
