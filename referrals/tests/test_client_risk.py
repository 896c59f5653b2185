"""Risk information belongs to the client (issue 12, point 5): the service
with its history and lock, the prefill of new orders, sending and linking,
the update page and its history page for every kind of user, the order page
showing the current risks, and the data migration's rule."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as global_apps
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from audit.context import AuditContext
from audit.models import AccessAction, AccessLogEntry, FieldChange
from audit.versioning import ConcurrentEditError
from referrals.models import Client, OrderKind, OrderState
from referrals.services import notices as notice_services
from referrals.services import orders as order_services
from referrals.services import risks as services
from referrals.tests.factories import ClientFactory

from .factories_notices import EvictionNoticeFactory
from .factories_orders import OrderFactory, accepted_order, make_pilot, outreach_order

pytestmark = pytest.mark.django_db

NONE = {"risk_animals": False, "risk_substance_use": False, "risk_violence": False, "risk_children": False,
        "risk_threats": False, "risk_notes": ""}


def risks(**flags):
    return {**NONE, **flags}


def form_data(client, **flags):
    data = {"version": client.version, "risk_notes": flags.pop("risk_notes", "")}
    data.update({name: "on" for name, value in flags.items() if value})
    return data


@pytest.fixture
def passive(unit):
    return make_pilot(unit, "bolots3")


@pytest.fixture
def order(pilot, passive, client_record, case_officer):
    """An accepted order for the client: `pilot` and `passive` are assigned."""
    return accepted_order(pilot, passive, client=client_record, ordered_by=case_officer,
                          sent_at=timezone.now() - timedelta(days=3))


def fresh(client):
    return Client.objects.get(pk=client.pk)


# --- The service ---------------------------------------------------------------


def test_an_update_keeps_who_changed_what_from_what_to_what(ctx, client_record, case_officer):
    services.update_risk(ctx, client_record, risks(risk_violence=True, risk_notes="Hotfull bror"),
                         expected_version=client_record.version)

    saved = fresh(client_record)
    assert saved.risk_violence and saved.risk_notes == "Hotfull bror"
    assert saved.risk_changed_by == case_officer and saved.risk_changed_at is not None
    changes = {c.field: (c.user_id, c.old_value, c.new_value)
               for c in FieldChange.objects.filter(object_type="referrals.client", object_id=str(client_record.pk))}
    assert changes == {"risk_violence": (case_officer.pk, "Nej", "Ja"), "risk_notes": (case_officer.pk, "", "Hotfull bror")}
    row = AccessLogEntry.objects.get(action=AccessAction.UPDATE, client_id=client_record.pk)
    assert row.user == case_officer and "risk_violence" in row.note


def test_a_save_without_changes_moves_neither_stamp_nor_history(ctx, client_record, pilot):
    services.update_risk(ctx, client_record, risks(risk_animals=True), expected_version=client_record.version)
    stamp = fresh(client_record).risk_changed_at
    client = fresh(client_record)

    services.update_risk(ctx, client, risks(risk_animals=True), expected_version=client.version)

    assert fresh(client_record).risk_changed_at == stamp
    assert FieldChange.objects.filter(client_id=client_record.pk).count() == 1


def test_a_stale_version_is_a_conflict_and_nothing_is_saved(ctx, client_record):
    opened = client_record.version
    services.update_risk(ctx, fresh(client_record), risks(risk_threats=True), expected_version=opened)

    with pytest.raises(ConcurrentEditError):
        services.update_risk(ctx, fresh(client_record), risks(risk_animals=True), expected_version=opened)

    saved = fresh(client_record)
    assert saved.risk_threats and not saved.risk_animals


@pytest.mark.parametrize("who", ["second_pilot", "manager", "outside_officer", "housing_admin"])
def test_the_service_refuses_those_the_views_refuse(who, users, client_record, order):
    with pytest.raises(PermissionDenied):
        services.update_risk(AuditContext(user=users[who]), client_record, risks(risk_violence=True),
                             expected_version=client_record.version)
    assert not fresh(client_record).risk_violence


def test_the_assigned_bolots_may_update(client_record, order, pilot, passive):
    services.update_risk(AuditContext(user=passive), client_record, risks(risk_animals=True),
                         expected_version=client_record.version)
    assert fresh(client_record).risk_changed_by == passive


# --- New orders ----------------------------------------------------------------


def test_a_new_order_is_prefilled_from_the_clients_current_risks(client, case_officer, client_record, ctx):
    services.update_risk(ctx, client_record, risks(risk_substance_use=True, risk_notes="Stor hund"),
                         expected_version=client_record.version)
    client.force_login(case_officer)

    response = client.get(reverse("referrals:order_create") + f"?klient={client_record.pk}")

    form = response.context["form"]
    assert form["risk_substance_use"].value() is True
    assert form["risk_violence"].value() is False
    assert form["risk_notes"].value() == "Stor hund"


def _order_post(client_record, basis, **flags):
    data = {"kind": OrderKind.SINGLE_ERRAND, "client": client_record.pk, "errand_type": "escort_doctor",
            "assignment": "Följ med till vårdcentralen.", "risk_basis": basis, "risk_notes": ""}
    data.update({name: "on" for name, value in flags.items() if value})
    return data


def test_sending_makes_the_orders_risks_the_clients(client, case_officer, client_record, ctx):
    services.update_risk(ctx, client_record, risks(risk_animals=True), expected_version=client_record.version)
    current = fresh(client_record)
    client.force_login(case_officer)
    url = reverse("referrals:order_create") + f"?klient={client_record.pk}"
    basis = client.get(url).context["form"]["risk_basis"].value()

    # The case officer unticks the dog (gone) and adds threats.
    response = client.post(url, _order_post(client_record, basis, risk_threats=True))

    assert response.status_code == 302
    saved = fresh(client_record)
    assert (saved.risk_animals, saved.risk_threats) == (False, True)
    assert saved.version == current.version + 1
    order = client_record.orders.get()
    assert (order.risk_animals, order.risk_threats) == (False, True)
    assert set(FieldChange.objects.filter(client_id=client_record.pk, at__gt=current.risk_changed_at)
               .values_list("field", "user")) == {("risk_animals", case_officer.pk), ("risk_threats", case_officer.pk)}


def test_what_a_bolots_added_while_the_form_was_open_is_kept(client, case_officer, client_record, order, passive):
    client.force_login(case_officer)
    url = reverse("referrals:order_create") + f"?klient={client_record.pk}"
    basis = client.get(url).context["form"]["risk_basis"].value()
    services.update_risk(AuditContext(user=passive), fresh(client_record), risks(risk_violence=True),
                         expected_version=fresh(client_record).version)

    client.post(url, _order_post(client_record, basis, risk_children=True))

    saved = fresh(client_record)
    assert saved.risk_violence and saved.risk_children
    assert client_record.orders.latest("sent_at").risk_violence


def test_an_order_made_from_a_notice_carries_the_clients_risks(case_officer, client_record, ctx):
    services.update_risk(ctx, client_record, risks(risk_violence=True, risk_notes="Hotfull"),
                         expected_version=client_record.version)
    notice = EvictionNoticeFactory(unit=client_record.unit, registered_by=case_officer, client=client_record,
                                   tenant_name="", children_count=2)

    order = notice_services.create_prevention_order(ctx, notice)

    assert order.risk_violence and order.risk_children and order.risk_notes == "Hotfull"
    saved = fresh(client_record)
    assert saved.risk_violence and saved.risk_children, "the notice's children join the client's risks"


def test_linking_an_outreach_order_adds_what_it_found(ctx, unit, case_officer, client_record):
    services.update_risk(ctx, client_record, risks(risk_animals=True, risk_notes="Hund"),
                         expected_version=client_record.version)
    found = outreach_order(unit, case_officer, risk_threats=True, risk_notes="Kniv i hallen")

    order_services.link_order_to_client(ctx, found, fresh(client_record), expected_version=found.version)

    saved = fresh(client_record)
    assert (saved.risk_animals, saved.risk_threats, saved.risk_notes) == (True, True, "Hund")


# --- The update page and the history page ----------------------------------------


def edit_url(client_record, back=""):
    return reverse("referrals:client_risk_edit", args=[client_record.pk]) + (f"?next={back}" if back else "")


def test_anonymous_goes_to_the_login(client, client_record):
    for url in (edit_url(client_record), reverse("referrals:client_risk_history", args=[client_record.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "logga-in" in response["Location"]


@pytest.mark.parametrize("who, status", [("housing_admin", 403), ("manager", 403), ("system_admin", 403),
                                         ("outside_officer", 404), ("second_pilot", 404)])
def test_others_may_not_update(client, users, who, status, client_record, order):
    client.force_login(users[who])
    assert client.get(edit_url(client_record)).status_code == status
    response = client.post(edit_url(client_record), form_data(client_record, risk_violence=True))
    assert response.status_code == status
    assert not fresh(client_record).risk_violence


def test_a_bolots_of_an_ended_order_may_not_update(client, client_record, order):
    order.state, order.completed_at = OrderState.COMPLETED, timezone.now()
    order.save()
    client.force_login(order.active_pilot)
    assert client.get(edit_url(client_record)).status_code == 404


@pytest.mark.parametrize("who", ["case_officer", "pilot"])
def test_the_case_officer_and_the_assigned_bolots_update(client, users, who, client_record, order):
    user = users[who]
    client.force_login(user)
    back = reverse("referrals:order_detail", args=[order.pk])

    page = client.get(edit_url(client_record, back))
    assert page.status_code == 200
    assert AccessLogEntry.objects.filter(user=user, client_id=client_record.pk, action=AccessAction.VIEW).exists()
    response = client.post(edit_url(client_record), {**form_data(client_record, risk_violence=True), "next": back})

    assert response.status_code == 302 and response["Location"] == back
    assert fresh(client_record).risk_violence and fresh(client_record).risk_changed_by == user
    assert AccessLogEntry.objects.filter(user=user, client_id=client_record.pk, action=AccessAction.UPDATE).exists()
    assert FieldChange.objects.get(client_id=client_record.pk, field="risk_violence").user == user


def test_a_foreign_next_is_ignored(client, case_officer, client_record):
    client.force_login(case_officer)
    response = client.post(edit_url(client_record), {**form_data(client_record), "next": "https://example.com/"})
    assert response["Location"] == reverse("referrals:client_risk_history", args=[client_record.pk])


def test_concurrent_edits_keep_the_users_input_beside_the_saved_values(client, case_officer, client_record, order):
    opened = form_data(client_record, risk_animals=True, risk_notes="Min text")
    services.update_risk(AuditContext(user=order.active_pilot), fresh(client_record), risks(risk_threats=True),
                         expected_version=client_record.version)
    client.force_login(case_officer)

    response = client.post(edit_url(client_record), opened)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Någon annan sparade klientens riskinformation" in html
    assert "Min text" in html, "the user's input is still in the form"
    assert ("hot eller vapen", "Ja") in response.context["conflict_values"]
    saved = fresh(client_record)
    assert saved.risk_threats and not saved.risk_animals and saved.risk_notes == ""


def test_a_missing_version_is_a_conflict(client, case_officer, client_record):
    client.force_login(case_officer)
    data = form_data(client_record, risk_animals=True)
    del data["version"]
    response = client.post(edit_url(client_record), data)
    assert response.status_code == 200 and not fresh(client_record).risk_animals


def test_too_long_notes_get_a_swedish_message_and_nothing_is_saved(client, case_officer, client_record):
    client.force_login(case_officer)
    response = client.post(edit_url(client_record), form_data(client_record, risk_violence=True, risk_notes="x" * 2001))
    assert response.status_code == 200
    assert "som mest 2000 tecken" in response.content.decode()
    assert not fresh(client_record).risk_violence


@pytest.mark.parametrize("who, status", [("housing_admin", 403), ("system_admin", 403), ("outside_officer", 404),
                                         ("second_pilot", 404), ("manager", 200), ("pilot", 200)])
def test_the_history_follows_the_client_access_rule(client, users, who, status, client_record, order):
    client.force_login(users[who])
    response = client.get(reverse("referrals:client_risk_history", args=[client_record.pk]))
    assert response.status_code == status
    if status == 200:
        assert AccessLogEntry.objects.filter(user=users[who], client_id=client_record.pk).exists()


@pytest.mark.parametrize("changes", [3, 40])
def test_the_history_names_who_and_its_queries_do_not_grow(client, manager, client_record, order, passive, changes,
                                                         django_assert_max_num_queries):
    for i in range(changes):
        current = fresh(client_record)
        services.update_risk(AuditContext(user=passive if i % 2 else order.active_pilot), current,
                             risks(risk_animals=bool(i % 2), risk_notes=f"ändring {i}"),
                             expected_version=current.version)
    client.force_login(manager)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("referrals:client_risk_history", args=[client_record.pk]))

    rows = list(response.context["page_obj"].object_list)
    assert rows[0].new_value == f"ändring {changes - 1}"
    assert {row.user for row in rows} == {passive, order.active_pilot}
    assert str(passive) in response.content.decode()


# --- The order page shows the current risks ---------------------------------------


def test_the_order_page_shows_the_current_risks_and_what_was_sent(client, pilot, client_record, order,
                                                                  case_officer, ctx):
    services.update_risk(ctx, fresh(client_record), risks(risk_violence=True), expected_version=client_record.version)
    client.force_login(pilot)

    response = client.get(reverse("referrals:order_detail", args=[order.pk]))

    html = response.content.decode()
    current = html.split('class="risk-info current-risk')[1].split("</section>")[0]
    assert "Våld i nära relation" in current.split("<details")[0]
    assert f"av {case_officer}" in current
    assert "Riskinformation som skickades med uppdraget" in current
    assert reverse("referrals:client_risk_edit", args=[client_record.pk]) in current
    assert reverse("referrals:client_risk_history", args=[client_record.pk]) in current


def test_a_manager_sees_the_risks_without_the_update_link(client, manager, client_record, order):
    client.force_login(manager)
    html = client.get(reverse("referrals:order_detail", args=[order.pk])).content.decode()
    assert "Riskinformation" in html
    assert reverse("referrals:client_risk_edit", args=[client_record.pk]) + "?" not in html
    assert reverse("referrals:client_risk_history", args=[client_record.pk]) in html


def test_the_order_lists_show_the_current_risks(client, case_officer, client_record, order, ctx):
    services.update_risk(ctx, fresh(client_record), risks(risk_children=True), expected_version=client_record.version)
    client.force_login(case_officer)
    response = client.get(reverse("referrals:client_orders", args=[client_record.pk]))
    assert 'class="risk risk-risk_children"' in response.content.decode()


# --- The data migration's rule --------------------------------------------------------


def test_each_client_gets_the_risks_of_their_most_recent_order(unit, case_officer):
    migration = importlib.import_module("referrals.migrations.0008_client_risk")
    person, without_orders = ClientFactory(unit=unit), ClientFactory(unit=unit)
    other_officer = make_pilot(unit, "handl2")
    now = timezone.now()
    OrderFactory(unit=unit, client=person, ordered_by=case_officer, sent_at=now - timedelta(days=9), risk_violence=True,
                 client_knows_the_risks=False)
    latest = OrderFactory(unit=unit, client=person, ordered_by=other_officer, sent_at=now - timedelta(days=2),
                          state=OrderState.CANCELLED, risk_animals=True, risk_notes="Hund",
                          client_knows_the_risks=False)

    migration.copy_latest_order_risks(global_apps, None)

    saved = fresh(person)
    assert saved.risk_values() == risks(risk_animals=True, risk_notes="Hund")
    assert (saved.risk_changed_at, saved.risk_changed_by) == (latest.sent_at, other_officer)
    assert fresh(without_orders).risk_values() == NONE and fresh(without_orders).risk_changed_at is None
