"""No existence oracle when registering a client (issue 10 §2): a number
held by another unit gives a message naming nobody and no unit, the attempt
is logged with a keyed hash of the number, and a transfer request goes to
the holding unit's managers."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Notification
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessLogEntry
from core import personnummer
from referrals.models import Client, TransferRequest, TransferState
from referrals.services import transfers
from referrals.tests.factories import ClientFactory
from referrals.tests.test_client_register import form_data

VALID = personnummer.make_number(date(1984, 6, 15), 238)
FRESH = personnummer.make_number(date(1979, 2, 3), 412)

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_manager(other_unit):
    return UserFactory(username="chef_annan", unit=other_unit, roles=[Role.MANAGER])


@pytest.fixture
def elsewhere(other_unit):
    return ClientFactory(unit=other_unit, personal_number=VALID, first_name="Hemlig", last_name="Annanstad")


def _post_create(client, digits):
    return client.post(reverse("referrals:client_create"),
                       form_data(personal_number=personnummer.format_digits(digits)))


def test_the_answer_names_no_person_and_no_unit_and_the_lookup_is_logged_hashed(client, case_officer, elsewhere):
    client.force_login(case_officer)

    html = _post_create(client, VALID).content.decode()

    assert "Personnumret kan inte registreras av dig." in html
    for secret in ("Hemlig", "Annanstad", elsewhere.unit.municipality, "registrerat", "annan enhet"):
        assert secret not in html
    assert 'action="/klienter/overflyttning/"' in html
    row = AccessLogEntry.objects.get(object_type=transfers.LOOKUP_OBJECT_TYPE)
    assert row.user == case_officer and row.client_id is None and row.client_label == ""
    assert VALID not in row.note and VALID[2:] not in row.note and VALID[-4:] not in row.note
    assert transfers.number_digest(VALID) in row.note
    assert Client.objects.count() == 1


def test_a_fresh_number_registers_and_logs_no_lookup(client, case_officer):
    client.force_login(case_officer)
    response = _post_create(client, FRESH)
    assert response.status_code == 302
    assert not AccessLogEntry.objects.filter(object_type=transfers.LOOKUP_OBJECT_TYPE).exists()


def test_changing_a_number_to_one_held_elsewhere_is_logged_too(client, case_officer, client_record, elsewhere):
    client.force_login(case_officer)
    data = form_data(personal_number=personnummer.format_digits(VALID), version=client_record.version)
    html = client.post(reverse("referrals:client_edit", args=[client_record.pk]), data).content.decode()
    assert "Hemlig" not in html and "Personnumret kan inte registreras av dig." in html
    assert AccessLogEntry.objects.filter(object_type=transfers.LOOKUP_OBJECT_TYPE).exists()


def test_the_transfer_request_reaches_the_holding_units_managers(
    client, case_officer, elsewhere, other_manager, manager
):
    client.force_login(case_officer)
    response = client.post(reverse("referrals:transfer_request_create"), {
        "personal_number": personnummer.format_digits(VALID), "reason": "Har flyttat till vår kommun.",
    })

    assert response.status_code == 302
    transfer = TransferRequest.objects.get()
    assert (transfer.client, transfer.holding_unit, transfer.requesting_unit) == (
        elsewhere, elsewhere.unit, case_officer.unit)
    note = Notification.objects.get(user=other_manager)
    assert "Hemlig" not in note.text and VALID not in note.text
    assert not Notification.objects.filter(user=manager).exists()


def test_the_request_answers_the_same_for_a_fresh_number(client, case_officer, elsewhere):
    client.force_login(case_officer)
    held = client.post(reverse("referrals:transfer_request_create"),
                       {"personal_number": personnummer.format_digits(VALID), "reason": "x"}, follow=True)
    fresh = client.post(reverse("referrals:transfer_request_create"),
                        {"personal_number": personnummer.format_digits(FRESH), "reason": "x"}, follow=True)
    assert held.redirect_chain == fresh.redirect_chain
    assert TransferRequest.objects.count() == 1


def test_bad_input_is_a_swedish_message_not_a_500(client, case_officer):
    client.force_login(case_officer)
    response = client.post(reverse("referrals:transfer_request_create"), {"personal_number": "12", "reason": ""})
    assert response.status_code == 200
    assert "Detta fält måste fyllas i." in response.content.decode()
    assert not TransferRequest.objects.exists()


@pytest.fixture
def transfer(case_officer, elsewhere):
    from audit.context import AuditContext

    return transfers.request_transfer(AuditContext(user=case_officer), VALID, "Flyttat hit.")


def test_transfer_pages_send_anonymous_users_to_login(client, transfer):
    for response in (
        client.get(reverse("referrals:transfer_requests")),
        client.post(reverse("referrals:transfer_request_decide", args=[transfer.pk]), {"decision": "accept"}),
        client.post(reverse("referrals:transfer_request_create"), {"personal_number": VALID, "reason": "x"}),
    ):
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("who", ["case_officer", "pilot", "housing_admin", "system_admin"])
def test_transfer_pages_refuse_roles_without_the_permission(client, users, who, transfer):
    client.force_login(users[who])
    assert client.get(reverse("referrals:transfer_requests")).status_code == 403
    response = client.post(reverse("referrals:transfer_request_decide", args=[transfer.pk]), {"decision": "accept"})
    assert response.status_code == 403
    assert TransferRequest.objects.get(pk=transfer.pk).state == TransferState.PENDING


@pytest.mark.parametrize("who", ["pilot", "housing_admin", "system_admin", "manager"])
def test_only_registering_roles_may_request(client, users, who):
    client.force_login(users[who])
    response = client.post(reverse("referrals:transfer_request_create"), {"personal_number": VALID, "reason": "x"})
    assert response.status_code == 403


def test_the_requesting_units_manager_is_an_outsider_to_the_request(client, manager, transfer):
    client.force_login(manager)
    assert "Hemlig" not in client.get(reverse("referrals:transfer_requests")).content.decode()
    response = client.post(reverse("referrals:transfer_request_decide", args=[transfer.pk]), {"decision": "accept"})
    assert response.status_code == 404


def test_the_holding_units_manager_sees_and_decides(
    client, other_manager, transfer, case_officer, django_assert_max_num_queries
):
    client.force_login(other_manager)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("referrals:transfer_requests")).content.decode()
    assert "Hemlig Annanstad" in html
    assert AccessLogEntry.objects.filter(user=other_manager, client_id=transfer.client_id).exists()

    response = client.post(reverse("referrals:transfer_request_decide", args=[transfer.pk]),
                           {"decision": "decline", "note": "Fortsatt hos oss"})

    assert response.status_code == 302
    transfer.refresh_from_db()
    assert (transfer.state, transfer.decided_by) == (TransferState.DECLINED, other_manager)
    assert f"#{transfer.pk}" in Notification.objects.filter(user=case_officer).latest("id").text
