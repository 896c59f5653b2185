"""Splitting a leaving bolots's caseload between several bolotsar (issue 12
point 9): every open order moves (whatever its state) or is left on purpose,
the two-person rule refuses the whole plan with the message beside the
order, each receiver's caseload is shown before confirming, and the page is
a manager's only."""

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Notification
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessAction, AccessLogEntry, FieldChange
from referrals.forms.reassignment import plan_key
from referrals.models import Order, OrderEvent, OrderKind, OrderState, ReassignedOrder, Reassignment
from referrals.services.reassignment import (
    PlannedMove,
    SplitRefused,
    orders_of,
    pilot_orders,
    split_pilot_caseload,
)
from referrals.tests.factories import ClientFactory

from .factories_orders import OrderFactory, accepted_order, make_pilot, outreach_order

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("manager", path="/omfordela/bolots/")]

PILOT = Reassignment.Scope.PILOT
URL = reverse("referrals:reassign_pilot")


@pytest.fixture
def team(unit, pilot, second_pilot):
    """The leaving bolots (`pilot`) and three who stay: second_pilot,
    bolots3 and bolots4."""
    return {"leaving": pilot, "a": second_pilot, "b": make_pilot(unit, "bolots3"), "c": make_pilot(unit, "bolots4")}


@pytest.fixture
def caseload(unit, case_officer, team):
    """Five open orders of the leaving bolots in four states: Anna has two
    (one with `a` as the other bolots), Bertil one where the leaving bolots
    is passive, an outreach order without a client file, and a completed
    order that must not move."""
    leaving, a, b = team["leaving"], team["a"], team["b"]
    anna = ClientFactory(unit=unit, responsible_officer=case_officer, first_name="Anna", last_name="Andersson")
    bertil = ClientFactory(unit=unit, responsible_officer=case_officer, first_name="Bertil", last_name="Berg")
    return {
        "anna1": accepted_order(leaving, a, client=anna, ordered_by=case_officer),
        "anna2": accepted_order(leaving, b, client=anna, ordered_by=case_officer, state=OrderState.IN_PROGRESS),
        "bertil": accepted_order(b, leaving, client=bertil, ordered_by=case_officer),
        "outreach": outreach_order(unit, case_officer, state=OrderState.ACCEPTED, active_pilot=leaving,
                                   passive_pilot=a),
        "done": accepted_order(leaving, a, client=bertil, ordered_by=case_officer, state=OrderState.COMPLETED),
        "anna_file": anna, "bertil_file": bertil,
    }


def fresh(order):
    return Order.objects.get(pk=order.pk)


# --- The service ---------------------------------------------------------------------


def test_a_caseload_is_split_across_three_receivers_with_every_trace(ctx, manager, team, caseload):
    leaving, a, b, c = team["leaving"], team["a"], team["b"], team["c"]
    plan = {
        caseload["anna1"].pk: PlannedMove(b),
        caseload["anna2"].pk: PlannedMove(c),
        caseload["bertil"].pk: PlannedMove(a),
        caseload["outreach"].pk: PlannedMove(c),
    }

    result = split_pilot_caseload(ctx(manager), leaving, plan, "Har slutat")

    record = result.reassignment
    assert (record.scope, record.from_user, record.to_user, record.orders_moved) == (PILOT, leaving, None, 4)
    assert result.skipped_orders == []
    assert (fresh(caseload["anna1"]).active_pilot, fresh(caseload["anna1"]).passive_pilot) == (b, a)
    assert (fresh(caseload["anna2"]).active_pilot, fresh(caseload["anna2"]).passive_pilot) == (c, b)
    assert (fresh(caseload["bertil"]).active_pilot, fresh(caseload["bertil"]).passive_pilot) == (b, a)
    assert fresh(caseload["outreach"]).active_pilot == c
    assert fresh(caseload["done"]).active_pilot == leaving, "ended orders keep their history"
    assert orders_of(manager, PILOT, leaving).count() == 0
    moves = {(m.order_id, m.to_user_id, m.place) for m in ReassignedOrder.objects.filter(reassignment=record)}
    assert moves == {
        (caseload["anna1"].pk, b.pk, "active"), (caseload["anna2"].pk, c.pk, "active"),
        (caseload["bertil"].pk, a.pk, "passive"), (caseload["outreach"].pk, c.pk, "active"),
    }
    for key in ("anna1", "anna2", "bertil", "outreach"):
        order = fresh(caseload[key])
        assert order.version == caseload[key].version + 1, "a step form opened before is refused"
        event = order.events.get(transition=OrderEvent.Transition.REASSIGNED)
        assert event.by == manager and "Har slutat" in event.text
        assert FieldChange.objects.filter(object_type="referrals.order", object_id=str(order.pk)).count() == 1
        assert AccessLogEntry.objects.filter(
            object_type="referrals.order", object_id=str(order.pk), action=AccessAction.UPDATE
        ).count() == 1
    texts = {n.user_id: n.text for n in Notification.objects.all()}
    assert texts == {
        a.pk: "Du har fått 1 uppdrag genom en omfördelning",
        b.pk: "Du har fått 1 uppdrag genom en omfördelning",
        c.pk: "Du har fått 2 uppdrag genom en omfördelning",
    }


def test_the_receiver_may_take_the_other_place(ctx, manager, team, caseload):
    # The leaving bolots was passive on Bertil's order; `c` becomes the
    # active one and the former active bolots passive.
    leaving, b, c = team["leaving"], team["b"], team["c"]
    plan = {order.pk: PlannedMove(c) for order in pilot_orders(manager, leaving)}
    plan[caseload["bertil"].pk] = PlannedMove(c, "active")
    plan[caseload["anna1"].pk] = PlannedMove(b)

    split_pilot_caseload(ctx(manager), leaving, plan, "Har slutat")

    bertil = fresh(caseload["bertil"])
    assert (bertil.active_pilot, bertil.passive_pilot) == (c, b)
    assert set(FieldChange.objects.filter(object_id=str(bertil.pk)).values_list("field", flat=True)) == {
        "active_pilot", "passive_pilot",
    }


def test_two_person_rule_refuses_the_whole_plan(ctx, manager, team, caseload):
    leaving, a = team["leaving"], team["a"]
    plan = {order.pk: PlannedMove(a) for order in pilot_orders(manager, leaving)}  # a is passive on anna1
    before = (Reassignment.objects.count(), OrderEvent.objects.count(), Notification.objects.count())

    with pytest.raises(SplitRefused) as refused:
        split_pilot_caseload(ctx(manager), leaving, plan, "Har slutat")

    assert set(refused.value.order_errors) == {caseload["anna1"].pk, caseload["outreach"].pk}
    assert "en person kan inte vara båda" in refused.value.order_errors[caseload["anna1"].pk]
    assert (Reassignment.objects.count(), OrderEvent.objects.count(), Notification.objects.count()) == before
    assert orders_of(manager, PILOT, leaving).count() == 4


def test_an_order_added_after_the_page_was_shown_refuses_the_plan(ctx, manager, team, caseload):
    leaving, c = team["leaving"], team["c"]
    plan = {order.pk: PlannedMove(c) for order in pilot_orders(manager, leaving)}
    accepted_order(leaving, team["a"])

    with pytest.raises(SplitRefused, match="ändrats"):
        split_pilot_caseload(ctx(manager), leaving, plan, "Har slutat")

    assert not Reassignment.objects.exists()


def test_orders_left_on_purpose_stay_and_are_returned(ctx, manager, team, caseload):
    leaving, c = team["leaving"], team["c"]
    plan = {order.pk: PlannedMove(c) for order in pilot_orders(manager, leaving)}
    plan[caseload["anna2"].pk] = PlannedMove(None)

    result = split_pilot_caseload(ctx(manager), leaving, plan, "Sjukskriven")

    assert [order.pk for order in result.skipped_orders] == [caseload["anna2"].pk]
    assert list(orders_of(manager, PILOT, leaving)) == [fresh(caseload["anna2"])]
    assert result.reassignment.to_user == c


@pytest.mark.parametrize("who", ["case_officer", "pilot", "system_admin"])
def test_only_a_manager_may_split(ctx, users, team, caseload, who):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        split_pilot_caseload(ctx(users[who]), team["leaving"], {}, "Skäl")

    assert not Reassignment.objects.exists()


OPEN_AND_ENDED = [*OrderState.open_states(), *OrderState.ended_states()]


def test_property_nothing_open_stays_with_the_leaving_bolots(ctx, manager, unit, case_officer, team):
    """For orders in random states, with the leaving bolots active or passive
    and random receivers, moving everything leaves them no open order and
    touches no ended one. A receiver who is the other bolots is refused."""
    leaving, stayers = team["leaving"], [team["a"], team["b"], team["c"]]

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.tuples(st.sampled_from(OPEN_AND_ENDED), st.booleans(), st.integers(0, 2), st.integers(0, 2)),
                    min_size=1, max_size=7))
    def check(specs):
        with transaction.atomic():
            orders = []
            for state, leaving_active, other_index, receiver_index in specs:
                other = stayers[other_index]
                active, passive = (leaving, other) if leaving_active else (other, leaving)
                orders.append((OrderFactory(unit=unit, ordered_by=case_officer, state=state, active_pilot=active,
                                            passive_pilot=passive), other, stayers[receiver_index]))
            plan = {order.pk: PlannedMove(receiver) for order, _other, receiver in orders
                    if order.state in OrderState.open_states()}
            conflict = any(receiver == other for order, other, receiver in orders
                           if order.state in OrderState.open_states())
            if conflict:
                with pytest.raises(SplitRefused):
                    split_pilot_caseload(ctx(manager), leaving, plan, "Slutat")
                assert orders_of(manager, PILOT, leaving).count() == len(plan)
            else:
                split_pilot_caseload(ctx(manager), leaving, plan, "Slutat")
                assert orders_of(manager, PILOT, leaving).count() == 0
                for order, other, receiver in orders:
                    stored = fresh(order)
                    if order.state in OrderState.open_states():
                        assert {stored.active_pilot_id, stored.passive_pilot_id} == {other.pk, receiver.pk}
                    else:
                        assert leaving.pk in (stored.active_pilot_id, stored.passive_pilot_id)
            transaction.set_rollback(True)

    check()


def test_the_whole_caseload_to_one_bolots_is_refused_when_they_are_already_on_an_order(ctx, manager, team, caseload):
    from referrals.services.reassignment import reassign_caseload

    with pytest.raises(SplitRefused):
        reassign_caseload(ctx(manager), PILOT, team["leaving"], team["a"], "Slutat")

    result = reassign_caseload(ctx(manager), PILOT, team["leaving"], team["c"], "Slutat")
    assert (result.reassignment.orders_moved, result.reassignment.to_user) == (4, team["c"])
    assert orders_of(manager, PILOT, team["leaving"]).count() == 0


# --- The page ------------------------------------------------------------------------


def choose(client, leaving):
    return client.post(URL, {"from_user": leaving.pk, "step": "choose"})


def post(client, leaving, step, choices, previewed=None, reason="Har slutat"):
    data = {"from_user": leaving.pk, "step": step, "reason": reason, **choices}
    if previewed:
        data["previewed"] = previewed
    return client.post(URL, data)


def test_the_page_lists_every_open_order_grouped_by_client(client, manager, team, caseload):
    client.force_login(manager)

    response = choose(client, team["leaving"])

    form = response.context["form"]
    assert [group.label for group in form.groups] == ["Anna Andersson", "Bertil Berg", str(caseload["outreach"])]
    assert [len(group.rows) for group in form.groups] == [2, 1, 1]
    assert form.groups[0].receiver is not None, "a client with several orders moves as one"
    assert form.groups[1].receiver is None
    html = response.content.decode()
    assert f"#{caseload['done'].pk}" not in html
    assert "har 4 öppna uppdrag" in html


def test_preview_shows_the_caseloads_and_confirm_moves_and_reports(client, manager, team, caseload):
    leaving, a, b, c = team["leaving"], team["a"], team["b"], team["c"]
    OrderFactory.create_batch(2, unit=leaving.unit, state=OrderState.ACCEPTED, active_pilot=c, passive_pilot=a)
    client.force_login(manager)
    choices = {f"client_{caseload['anna_file'].pk}": str(c.pk), "all_to": str(b.pk),
               f"order_{caseload['outreach'].pk}": str(b.pk), f"order_{caseload['bertil'].pk}": str(a.pk)}

    response = post(client, leaving, "preview", choices)

    assert response.context["previewed"]
    rows = {row.person.pk: (row.now, row.after) for row in response.context["caseloads"]}
    # now: a is on anna1, outreach and the two new orders; b on anna2 and bertil; c on the two new ones.
    assert rows == {a.pk: (4, 5), b.pk: (2, 3), c.pk: (2, 4)}
    assert response.context["average_now"] == pytest.approx(8 / 3)
    assert response.context["average_after"] == pytest.approx(12 / 3)
    assert not Reassignment.objects.exists(), "a preview moves nothing"
    assert "Bekräfta omfördelningen" in response.content.decode()

    response = post(client, leaving, "confirm", choices, previewed=response.context["previewed"])

    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "4 uppdrag flyttade från" in html
    assert "2 till" in html and "1 till" in html
    assert "har nu 0 öppna uppdrag" in html
    assert fresh(caseload["anna1"]).active_pilot == c
    assert fresh(caseload["outreach"]).active_pilot == b


def test_two_person_refusal_is_shown_beside_the_orders_field(client, manager, team, caseload):
    client.force_login(manager)

    response = post(client, team["leaving"], "preview", {"all_to": str(team["a"].pk)})

    errors = response.context["form"].errors
    assert set(errors) == {f"order_{caseload['anna1'].pk}", f"order_{caseload['outreach'].pk}"}
    html = response.content.decode()
    field_id = f"id_order_{caseload['anna1'].pk}"
    assert f'id="{field_id}-error"' in html and "en person kan inte vara båda" in html
    assert f'aria-describedby="{field_id}-error"' in html
    assert not response.context["previewed"]
    assert "Bekräfta omfördelningen" not in html


def test_an_order_without_a_choice_is_not_left_by_accident(client, manager, team, caseload):
    client.force_login(manager)

    response = post(client, team["leaving"], "preview", {f"order_{caseload['anna1'].pk}": str(team["b"].pk)})

    errors = response.context["form"].errors
    assert f"order_{caseload['anna1'].pk}" not in errors
    assert f"order_{caseload['anna2'].pk}" in errors
    assert "Välj vem som tar över uppdraget" in response.content.decode()


def test_choices_changed_after_the_preview_are_previewed_again(client, manager, team, caseload):
    client.force_login(manager)
    previewed = post(client, team["leaving"], "preview", {"all_to": str(team["c"].pk)}).context["previewed"]

    changed = {"all_to": str(team["c"].pk), f"order_{caseload['outreach'].pk}": str(team["b"].pk)}
    response = post(client, team["leaving"], "confirm", changed, previewed=previewed)

    assert response.status_code == 200
    assert not Reassignment.objects.exists()
    assert response.context["previewed"] == plan_key(response.context["form"].plan)


def test_an_order_left_on_purpose_is_listed_in_the_result(client, manager, team, caseload):
    client.force_login(manager)
    choices = {"all_to": str(team["c"].pk), f"order_{caseload['bertil'].pk}": "keep"}
    previewed = post(client, team["leaving"], "preview", choices).context["previewed"]

    html = client.get(
        post(client, team["leaving"], "confirm", choices, previewed=previewed)["Location"]
    ).content.decode()

    assert "har nu 1 öppet uppdrag" in html
    assert "1 uppdrag lämnades kvar med avsikt" in html
    assert reverse("referrals:order_detail", args=[caseload["bertil"].pk]) in html


ROLES = ["case_officer", "pilot", "second_pilot", "housing_admin", "system_admin", "outside_officer"]


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)

    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ROLES)
def test_wrong_roles_get_403(client, users, team, caseload, who):
    client.force_login(users[who])

    assert client.get(URL).status_code == 403
    assert choose(client, team["leaving"]).status_code == 403


def test_a_manager_of_another_unit_cannot_reach_the_units_bolotsar(client, other_unit, team, caseload):
    outsider = UserFactory(username="chef_annan", unit=other_unit, roles=[Role.MANAGER])
    client.force_login(outsider)

    response = post(client, team["leaving"], "preview", {"all_to": str(team["c"].pk)})

    assert response.status_code == 200
    assert "from_user" in response.context["choose"].errors
    # The client's full name (a staff member may be called Anna too: the
    # logged-in user's name is in the header).
    assert "Anna Andersson" not in response.content.decode()
    assert not Reassignment.objects.exists()


def test_the_right_role_sees_the_page_and_the_read_is_logged(client, manager, team, caseload):
    client.force_login(manager)

    assert client.get(URL).status_code == 200
    response = choose(client, team["leaving"])

    assert response.status_code == 200
    assert AccessLogEntry.objects.filter(user=manager, client_id=caseload["anna_file"].pk).exists()


@pytest.mark.parametrize("n", [2, 20])
def test_query_count_does_not_grow_with_the_orders(client, manager, unit, case_officer, team, n,
                                                   django_assert_num_queries):
    for _ in range(n):
        person = ClientFactory(unit=unit, responsible_officer=case_officer)
        accepted_order(team["leaving"], team["a"], client=person, ordered_by=case_officer, kind=OrderKind.OUTREACH)
        accepted_order(team["b"], team["leaving"], client=person, ordered_by=case_officer)
    client.force_login(manager)
    # base 8 + the leaving bolots (choice check), their orders with clients
    # and bolotsar, the receivers with their counts, the read log's insert
    # and its chain lock = 13
    with django_assert_num_queries(12):
        response = post(client, team["leaving"], "preview", {"all_to": str(team["c"].pk)})
    assert response.context["previewed"]
