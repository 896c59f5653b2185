"""Complaints and damage: linked to the tenancy running on their date, told
at once to the tenant's case officer while that tenancy runs (with a text
that names the apartment, never the person), and the action taken recorded
later without overwriting someone else's words unseen."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from audit.models import AccessAction, AccessLogEntry, FieldChange
from audit.versioning import ConcurrentEditError
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import accepted_order, make_pilot
from tenancies.models import Complaint, ComplaintKind, ComplaintSource, EndReason
from tenancies.services import complaints as services
from tenancies.services.apartments import ApartmentError
from tenancies.tests.factories import ApartmentFactory, ComplaintFactory, TenancyFactory, granted_decision

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("housing_admin")]



@pytest.fixture
def history(unit, case_officer):
    """OBJ-123: tenant A 2024-01-01–2024-01-31, vacant 2024-02-01–02-14,
    tenant B from 2024-02-15, still living there."""
    apartment = ApartmentFactory(unit=unit, object_number="OBJ-123")
    first = TenancyFactory(apartment=apartment, start_date=date(2024, 1, 1), end_date=date(2024, 1, 31),
                           end_reason=EndReason.OWN_HOUSING,
                           client=ClientFactory(unit=unit, responsible_officer=case_officer))
    second = TenancyFactory(apartment=apartment, start_date=date(2024, 2, 15),
                            client=ClientFactory(unit=unit, responsible_officer=case_officer,
                                                 first_name="Hemlig", last_name="Hyresgäst"))
    return apartment, first, second


def complaint_on(apartment, day, kind=ComplaintKind.DISTURBANCE):
    return Complaint(apartment=apartment, occurred_on=day, kind=kind, source=ComplaintSource.NEIGHBOUR,
                     description="Hög musik efter midnatt.")


def someone_else_saved(complaint):
    """The version the user opened `complaint` with, after someone else
    saved it (the stored version moved on)."""
    opened = complaint.version
    Complaint.objects.filter(pk=complaint.pk).update(version=opened + 1)
    return opened


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 1, 1), "first"),     # move-in day
        (date(2024, 1, 31), "first"),    # move-out day: still the first tenant's
        (date(2024, 2, 1), None),        # the day after: vacant
        (date(2024, 2, 14), None),       # the day before the next move-in
        (date(2024, 2, 15), "second"),
        (date(2023, 12, 31), None),      # before anyone lived there
    ],
)
def test_the_complaint_is_linked_to_the_tenancy_of_its_date(ctx, history, day, expected):
    apartment, first, second = history

    complaint = services.add_complaint(ctx, complaint_on(apartment, day), today=date(2024, 6, 1))

    assert complaint.tenancy == {"first": first, "second": second, None: None}[expected]
    assert complaint.registered_by == ctx.user


def test_a_complaint_during_the_running_tenancy_reaches_the_case_officer_at_once(
    ctx, history, case_officer, django_capture_on_commit_callbacks
):
    apartment, _first, second = history
    case_officer.email = "handlaggare@example.invalid"
    case_officer.save()

    with django_capture_on_commit_callbacks(execute=True):
        services.add_complaint(ctx, complaint_on(apartment, timezone.localdate()))

    notification = Notification.objects.get(user=case_officer)
    assert notification.text == "Nytt klagomål på lägenhet OBJ-123"
    assert notification.url == reverse("tenancies:apartment_detail", args=[apartment.pk])
    # The e-mail leaves the system: no name, no number.
    [message] = mail.outbox
    body = message.subject + message.body
    assert "OBJ-123" in body
    for secret in (second.client.first_name, second.client.last_name, second.client.personal_number[-4:]):
        assert secret not in body


def test_damage_is_named_as_damage(ctx, history, case_officer):
    apartment, _first, _second = history

    services.add_complaint(ctx, complaint_on(apartment, timezone.localdate(), kind=ComplaintKind.DAMAGE))

    assert Notification.objects.get(user=case_officer).text == "Ny skada på lägenhet OBJ-123"


def test_a_complaint_from_an_ended_tenancy_or_a_vacancy_notifies_nobody(ctx, history):
    apartment, _first, _second = history

    services.add_complaint(ctx, complaint_on(apartment, date(2024, 1, 20)))
    services.add_complaint(ctx, complaint_on(apartment, date(2024, 2, 5)))

    assert not Notification.objects.exists()


def test_without_a_responsible_officer_the_deciding_officer_is_told(ctx, unit):
    decider = UserFactory(unit=unit, roles=[Role.CASE_OFFICER])
    apartment = ApartmentFactory(unit=unit, object_number="OBJ-9")
    tenant = ClientFactory(unit=unit, responsible_officer=None)
    TenancyFactory(apartment=apartment, client=tenant, start_date=date(2024, 1, 1),
                   decision=granted_decision(tenant, decided_by=decider))

    services.add_complaint(ctx, complaint_on(apartment, timezone.localdate()))

    assert Notification.objects.get().user == decider


def test_the_officer_who_registers_it_is_not_told_of_their_own_complaint(history, case_officer):
    apartment, _first, _second = history

    services.add_complaint(AuditContext(user=case_officer), complaint_on(apartment, timezone.localdate()))

    assert not Notification.objects.exists()


def test_a_bolots_registers_a_complaint_for_their_clients_apartment(client, history, pilot, case_officer):
    apartment, _first, second = history
    accepted_order(pilot, make_pilot(apartment.unit, "bolots3"), client=second.client)
    client.force_login(pilot)

    response = client.post(reverse("tenancies:complaint_create", args=[apartment.pk]), {
        "occurred_on": f"{timezone.localdate():%Y-%m-%d}", "kind": ComplaintKind.DAMAGE,
        "source": ComplaintSource.STAFF, "description": "Trasig ytterdörr.", "action_taken": "",
    })

    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert (complaint.tenancy, complaint.registered_by) == (second, pilot)
    assert Notification.objects.get(user=case_officer).text == "Ny skada på lägenhet OBJ-123"


def test_the_log_row_names_the_tenant(ctx, history):
    apartment, _first, second = history

    complaint = services.add_complaint(ctx, complaint_on(apartment, date(2024, 3, 1)))

    entry = AccessLogEntry.objects.get(object_type="tenancies.complaint")
    assert (entry.action, entry.object_id, entry.client_id) == (AccessAction.CREATE, str(complaint.pk),
                                                                second.client_id)


def test_a_date_in_the_future_is_refused(ctx, history):
    apartment, _first, _second = history

    with pytest.raises(ApartmentError) as refused:
        services.add_complaint(ctx, complaint_on(apartment, timezone.localdate() + timedelta(days=1)))

    assert refused.value.messages == ["Datumet kan inte ligga i framtiden."]
    assert not Complaint.objects.exists()


def test_the_action_taken_is_recorded_later_with_history(ctx, unit):
    complaint = ComplaintFactory(apartment=ApartmentFactory(unit=unit))

    services.update_complaint_action(ctx, complaint, "Samtal med hyresgästen.", expected_version=complaint.version)

    assert Complaint.objects.get().action_taken == "Samtal med hyresgästen."
    change = FieldChange.objects.get()
    assert (change.field, change.old_value, change.new_value) == ("action_taken", "", "Samtal med hyresgästen.")


def test_an_action_changed_meanwhile_is_not_overwritten(ctx, unit):
    complaint = ComplaintFactory(apartment=ApartmentFactory(unit=unit), action_taken="Brev skickat.")
    opened = someone_else_saved(complaint)

    with pytest.raises(ConcurrentEditError):
        services.update_complaint_action(ctx, complaint, "Min text.", expected_version=opened)

    assert Complaint.objects.get().action_taken == "Brev skickat."


def test_the_action_page_keeps_the_users_text_after_a_conflict(client, housing_admin, unit):
    complaint = ComplaintFactory(apartment=ApartmentFactory(unit=unit), action_taken="Brev skickat.")
    opened = someone_else_saved(complaint)
    client.force_login(housing_admin)

    response = client.post(reverse("tenancies:complaint_action", args=[complaint.pk]),
                           {"action_taken": "Min text.", "version": opened})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Någon annan ändrade åtgärden medan du skrev." in html
    assert "Min text." in html and "Brev skickat." in html
    assert Complaint.objects.get().action_taken == "Brev skickat."


def test_when_the_responsible_officer_has_left_the_deciding_officer_is_told(ctx, unit):
    decider = UserFactory(unit=unit, roles=[Role.CASE_OFFICER])
    gone = UserFactory(unit=unit, roles=[Role.CASE_OFFICER], is_active=False)
    apartment = ApartmentFactory(unit=unit)
    tenant = ClientFactory(unit=unit, responsible_officer=gone)
    TenancyFactory(apartment=apartment, client=tenant, start_date=date(2024, 1, 1),
                   decision=granted_decision(tenant, decided_by=decider))

    services.add_complaint(ctx, complaint_on(apartment, timezone.localdate()))

    assert Notification.objects.get().user == decider
