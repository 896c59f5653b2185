"""The checklist per kind of order (bolots.services.checklist_rules): the
defaults, a manager's choices on the settings page, and the visit form of a
Housing First order, which does not ask about treatment."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLogEntry
from bolots.models import ChecklistAnswer, ChecklistRule, Signal, VisitChecklist
from bolots.models.visits import CHECKLIST_ITEMS
from bolots.services.checklist_rules import asked_items, rules_table, save_rules
from referrals.models import OrderKind, OrderState
from referrals.tests.factories_orders import accepted_order, make_pilot

from .factories import VisitFactory, visit_form_data

pytestmark = pytest.mark.django_db

URL = reverse("bolots:checklist_rules")
WITHOUT_TREATMENT = ("rent_paid", "insurance_valid", "housing_search_active")


# --- The defaults and the service --------------------------------------------------------


def test_every_item_is_asked_by_default_except_treatment_on_housing_first(unit):
    assert asked_items(unit, OrderKind.BOLOTS_SUPPORT) == CHECKLIST_ITEMS
    assert asked_items(unit, OrderKind.HOUSING_FIRST) == WITHOUT_TREATMENT
    table = rules_table(unit)
    assert table[OrderKind.HOUSING_FIRST]["treatment_followed"] is False
    assert all(table[OrderKind.EVICTION_PREVENTION].values())


def test_a_units_choice_is_its_own_and_a_default_choice_stores_no_row(ctx, unit, other_unit, manager):
    changed = save_rules(ctx(manager), unit, {
        (OrderKind.HOUSING_FIRST, "treatment_followed"): True,
        (OrderKind.BOLOTS_SUPPORT, "insurance_valid"): False,
        (OrderKind.BOLOTS_SUPPORT, "rent_paid"): True,  # already the default: no change
    })
    assert changed == 2
    assert asked_items(unit, OrderKind.HOUSING_FIRST) == CHECKLIST_ITEMS
    assert asked_items(unit, OrderKind.BOLOTS_SUPPORT) == ("rent_paid", "housing_search_active", "treatment_followed")
    assert asked_items(other_unit, OrderKind.HOUSING_FIRST) == WITHOUT_TREATMENT
    assert ChecklistRule.objects.count() == 2
    # Back to the default: the row goes.
    save_rules(ctx(manager), unit, {(OrderKind.HOUSING_FIRST, "treatment_followed"): False})
    assert ChecklistRule.objects.count() == 1
    assert AccessLogEntry.objects.filter(note="checklist_rules").count() == 2


# --- The settings page ---------------------------------------------------------------------


def test_anonymous_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "next=" in response["Location"]


@pytest.mark.parametrize("role", ["case_officer", "pilot", "housing_admin"])
def test_only_managers_may_change_the_rules(client, users, role):
    client.force_login(users[role])
    assert client.get(URL).status_code == 403
    assert client.post(URL, {}).status_code == 403


def test_the_page_shows_the_default_and_toggles_for_the_managers_unit(client, manager, unit, other_unit,
                                                                      django_assert_num_queries):
    client.force_login(manager)
    # The base page's 8 (session, user, two permission queries, unread
    # notifications, the session save) + the unit + the unit's rules = 10.
    with django_assert_num_queries(9):
        response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert f"{OrderKind.HOUSING_FIRST}__rent_paid" in body and "Ej efterfrågad" in body
    name = f"{OrderKind.HOUSING_FIRST}__treatment_followed"
    assert f'name="{name}" value="1" id="id_{name}">' in body  # not checked

    # Tick the Housing First treatment box and untick bolots support's insurance.
    data = {f"shown__{kind}__{item}": "1" for kind in OrderKind.values for item in CHECKLIST_ITEMS}
    data.update({f"{kind}__{item}": "1" for kind in OrderKind.values for item in CHECKLIST_ITEMS})
    data[f"shown__{name}"] = "0"
    del data[f"{OrderKind.BOLOTS_SUPPORT}__insurance_valid"]
    response = client.post(URL, data)
    assert response.status_code == 302
    assert asked_items(unit, OrderKind.HOUSING_FIRST) == CHECKLIST_ITEMS
    assert "insurance_valid" not in asked_items(unit, OrderKind.BOLOTS_SUPPORT)
    assert asked_items(other_unit, OrderKind.HOUSING_FIRST) == WITHOUT_TREATMENT


def test_only_the_boxes_changed_on_the_page_are_saved(client, manager, unit, ctx):
    # Someone else turned treatment on for Housing First after this page was
    # opened (shown: not asked); this post changes nothing of that box.
    save_rules(ctx(manager), unit, {(OrderKind.HOUSING_FIRST, "treatment_followed"): True})
    client.force_login(manager)
    data = {f"shown__{OrderKind.HOUSING_FIRST}__treatment_followed": "0",
            f"shown__{OrderKind.OUTREACH}__rent_paid": "1"}
    client.post(URL, data)
    assert asked_items(unit, OrderKind.HOUSING_FIRST) == CHECKLIST_ITEMS
    assert "rent_paid" not in asked_items(unit, OrderKind.OUTREACH)


# --- The visit form on a Housing First order ---------------------------------------------------


@pytest.fixture
def hf_order(client_record, case_officer, pilot, unit):
    order = accepted_order(
        pilot, make_pilot(unit, "bolots3"), client=client_record, ordered_by=case_officer,
        kind=OrderKind.HOUSING_FIRST, decision=None, state=OrderState.IN_PROGRESS,
        sent_at=timezone.now() - timedelta(days=40), first_visit_at=timezone.now() - timedelta(days=39),
    )
    VisitFactory(order=order, visited_at=timezone.now() - timedelta(days=39))
    return order


def test_a_housing_first_visit_does_not_ask_about_treatment(client, hf_order, pilot):
    client.force_login(pilot)
    url = reverse("bolots:visit_create", args=[hf_order.pk])
    body = client.get(url).content.decode()
    assert "checklist-treatment_followed" not in body and "checklist-rent_paid" in body

    checklist = {"rent_paid": ChecklistAnswer.YES, "insurance_valid": ChecklistAnswer.YES,
                 "housing_search_active": ChecklistAnswer.NO}
    response = client.post(url, visit_form_data(pilot, None, checklist=checklist))
    assert response.status_code == 302
    stored = VisitChecklist.objects.get()
    assert stored.treatment_followed == ChecklistAnswer.NOT_APPLICABLE
    assert stored.failing_items == ["housing_search_active"]
    assert not Signal.objects.exists()


def test_a_housing_first_visit_without_a_checklist_stores_none(client, hf_order, pilot):
    client.force_login(pilot)
    response = client.post(reverse("bolots:visit_create", args=[hf_order.pk]), visit_form_data(pilot, None))
    assert response.status_code == 302
    assert not VisitChecklist.objects.exists()


def test_a_bolots_support_visit_still_asks_every_item(client, hf_order, pilot):
    hf_order.kind = OrderKind.BOLOTS_SUPPORT
    hf_order.save(update_fields=["kind"])
    client.force_login(pilot)
    body = client.get(reverse("bolots:visit_create", args=[hf_order.pk])).content.decode()
    assert "checklist-treatment_followed" in body


def test_a_case_officer_orders_housing_first_support_and_its_visits_skip_treatment(
    client, case_officer, client_record, pilot, unit,
):
    from referrals.models import DecisionKind, Order
    from tenancies.tests.factories import granted_decision

    # The client has a granted Housing First decision (the steering group's).
    granted_decision(client_record, kind=DecisionKind.HOUSING_FIRST, decided_by=case_officer)
    client.force_login(case_officer)
    url = reverse("referrals:order_create") + f"?klient={client_record.pk}"
    basis = client.get(url).context["form"]["risk_basis"].value()
    response = client.post(url, {"kind": OrderKind.HOUSING_FIRST, "client": client_record.pk,
                                 "assignment": "Stöd i Bostad först-lägenheten.", "risk_basis": basis,
                                 "risk_notes": ""})
    assert response.status_code == 302
    order = Order.objects.get(client=client_record)
    assert order.kind == OrderKind.HOUSING_FIRST
    # Accepted by the unit with two bolotsar, the first visit logged with a checklist.
    order.state, order.active_pilot, order.passive_pilot = OrderState.ACCEPTED, pilot, make_pilot(unit, "bolots4")
    order.accepted_at = timezone.now()
    order.save()
    client.force_login(pilot)
    checklist = {"rent_paid": ChecklistAnswer.YES, "insurance_valid": ChecklistAnswer.YES,
                 "housing_search_active": ChecklistAnswer.YES}
    response = client.post(reverse("bolots:visit_create", args=[order.pk]),
                           visit_form_data(pilot, order.passive_pilot, checklist=checklist))
    assert response.status_code == 302
    assert VisitChecklist.objects.get(visit__order=order).treatment_followed == ChecklistAnswer.NOT_APPLICABLE
