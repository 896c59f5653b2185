"""Issue 12 §7: the housing administrator moves tenants in, out and within
the programme; the decision link stays the case officer's; the housing
administrators hear of every move in their unit's apartments."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Notification
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import FieldChange
from referrals.models import Decision, DecisionKind, ProtectionLevel
from referrals.tests.factories import ClientFactory
from tenancies.models import ApartmentKind, ApartmentStatus, EndReason, Tenancy
from tenancies.services.moves import internal_move, link_decision, move_in, move_out
from tenancies.services.tenancies import TenancyError

from .factories import ApartmentFactory, granted_decision, moved_in

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("housing_admin")]

START = date(2024, 3, 1)


@pytest.fixture
def apartment(unit):
    return ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING, object_number="TR-0042")


@pytest.fixture
def decision(client_record, case_officer):
    return granted_decision(client_record, decided_on=date(2024, 1, 15), decided_by=case_officer)


def pending_move_in(ctx, apartment, client, start=START):
    return move_in(ctx, Tenancy(apartment=apartment, client=client, start_date=start), decision_pending=True)


# --- The services -----------------------------------------------------------------------------


def test_the_housing_administrators_move_in_waits_for_the_decision(ctx, apartment, client_record, decision,
                                                                    case_officer):
    tenancy = pending_move_in(ctx, apartment, client_record)

    tenancy.refresh_from_db()
    apartment.refresh_from_db()
    assert tenancy.decision_pending and tenancy.decision is None
    assert apartment.status == ApartmentStatus.OCCUPIED
    assert Decision.objects.get(pk=decision.pk).executed_on is None, "the decision is not the admin's to execute"
    asked = Notification.objects.get(user=case_officer)
    assert asked.url == reverse("tenancies:tenancy_link_decision", args=[tenancy.pk])
    assert f"#{tenancy.pk}" in asked.text
    assert client_record.last_name not in asked.text and apartment.object_number not in asked.text


def test_without_a_responsible_officer_the_decision_maker_is_asked(ctx, apartment, unit, decision):
    client = decision.client
    client.responsible_officer = None
    client.save()
    tenancy = pending_move_in(ctx, apartment, client)
    assert Notification.objects.get(user=decision.decided_by).url == reverse(
        "tenancies:tenancy_link_decision", args=[tenancy.pk])


def test_a_move_in_without_a_decision_to_link_is_refused_and_writes_nothing(ctx, apartment, client_record):
    granted_decision(client_record, kind=DecisionKind.EMERGENCY_HOUSING, decided_on=date(2024, 1, 15))
    with pytest.raises(TenancyError) as error:
        pending_move_in(ctx, apartment, client_record)
    assert error.value.field == "client"
    assert "beviljat beslut" in error.value.messages[0]
    assert Tenancy.objects.count() == 0 and Notification.objects.count() == 0


def test_the_case_officer_links_the_decision_and_it_is_executed_from_the_move_in(
        ctx, apartment, client_record, decision, case_officer):
    tenancy = pending_move_in(ctx, apartment, client_record)

    link_decision(ctx(case_officer), tenancy, decision, expected_version=tenancy.version)

    tenancy.refresh_from_db()
    assert tenancy.decision == decision and not tenancy.decision_pending
    assert Decision.objects.get(pk=decision.pk).executed_on == START
    assert FieldChange.objects.filter(field="decision", object_id=str(tenancy.pk)).exists()
    with pytest.raises(TenancyError) as error:
        link_decision(ctx(case_officer), tenancy, decision, expected_version=tenancy.version)
    assert error.value.code == "linked"


def test_a_decision_of_another_kind_cannot_be_linked(ctx, apartment, client_record, decision, case_officer):
    tenancy = pending_move_in(ctx, apartment, client_record)
    other = granted_decision(client_record, kind=DecisionKind.EMERGENCY_HOUSING, decided_on=date(2024, 1, 15))
    with pytest.raises(TenancyError) as error:
        link_decision(ctx(case_officer), tenancy, other, expected_version=tenancy.version)
    assert error.value.code == "wrong_kind"
    assert Tenancy.objects.get(pk=tenancy.pk).decision_pending
    assert Decision.objects.get(pk=other.pk).executed_on is None


def test_an_internal_move_to_another_kind_waits_for_its_decision(ctx, apartment, client_record, decision, unit,
                                                                 case_officer):
    current = moved_in(ctx(case_officer), apartment, client_record, START, decision=decision)
    trial = ApartmentFactory(unit=unit, kind=ApartmentKind.TRIAL)
    granted_decision(client_record, kind=DecisionKind.TRIAL_APARTMENT, decided_on=date(2024, 1, 15))

    new = internal_move(ctx, current, Tenancy(apartment=trial, start_date=date(2024, 6, 1)),
                        expected_version=current.version, decision_pending=True)

    new.refresh_from_db()
    assert new.decision_pending and new.decision is None and new.is_internal_move
    assert Tenancy.objects.get(pk=current.pk).end_reason == EndReason.MOVED_WITHIN_PROGRAMME


def test_an_internal_move_to_the_same_kind_carries_the_decision_over(ctx, apartment, client_record, decision, unit,
                                                                     case_officer):
    current = moved_in(ctx(case_officer), apartment, client_record, START, decision=decision)
    other = ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING)
    new = internal_move(ctx, current, Tenancy(apartment=other, start_date=date(2024, 6, 1)),
                        expected_version=current.version, decision_pending=True)
    assert new.decision == decision and not new.decision_pending


# --- Who hears of a move ------------------------------------------------------------------------


@pytest.fixture
def admins(unit, other_unit, housing_admin):
    second = UserFactory(unit=unit, roles=[Role.HOUSING_ADMIN])
    elsewhere = UserFactory(unit=other_unit, roles=[Role.HOUSING_ADMIN])
    return housing_admin, second, elsewhere


def texts(user):
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


def test_the_units_housing_administrators_hear_of_move_in_and_move_out(
        ctx, apartment, client_record, decision, case_officer, admins, django_capture_on_commit_callbacks):
    mine, second, elsewhere = admins
    with django_capture_on_commit_callbacks(execute=True):
        tenancy = moved_in(ctx(case_officer), apartment, client_record, START, decision=decision)
    assert texts(mine) == texts(second) == ["Inflyttning registrerad i lägenhet TR-0042"]
    assert texts(elsewhere) == []
    # The e-mail names the apartment's record, never the tenant (the task
    # gets the notification's id only).
    sent = [message for message in mail.outbox if message.to == [mine.email]]
    assert len(sent) == 1 and client_record.last_name not in sent[0].body

    move_out(ctx(case_officer), tenancy, date(2024, 9, 30), EndReason.OWN_HOUSING)
    assert texts(mine)[0] == "Utflyttning registrerad från lägenhet TR-0042"


def test_whoever_registers_the_move_is_not_told_of_it(ctx, apartment, client_record, decision, admins):
    mine, second, _elsewhere = admins
    tenancy = pending_move_in(ctx, apartment, client_record)
    assert texts(mine) == []
    assert texts(second) == ["Inflyttning registrerad i lägenhet TR-0042"]
    move_out(ctx, tenancy, date(2024, 9, 30), EndReason.OWN_HOUSING)
    assert len(texts(second)) == 2


def test_an_internal_move_is_told_once(ctx, apartment, client_record, decision, unit, case_officer, admins):
    mine, _second, _elsewhere = admins
    current = moved_in(ctx(case_officer), apartment, client_record, START, decision=decision)
    other = ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING, object_number="TR-0043")
    Notification.objects.all().delete()
    internal_move(ctx(case_officer), current, Tenancy(apartment=other, start_date=date(2024, 6, 1)),
                  expected_version=current.version)
    assert texts(mine) == ["Omflyttning registrerad till lägenhet TR-0043"]


# --- The pages ------------------------------------------------------------------------------------


def move_in_url(apartment):
    return reverse("tenancies:apartment_move_in", args=[apartment.pk])


def move_in_data(client, start=START):
    return {"client": client.pk, "start_date": start.isoformat(), "rent_kr": "", "contract_months": "1",
            "notice_weeks": "2", "renews_automatically": "on"}


def test_the_move_in_page_is_for_the_units_housing_side(client, users, other_unit, apartment, client_record,
                                                        decision):
    assert client.get(move_in_url(apartment)).status_code == 302  # anonymous: to the login page
    client.force_login(users["pilot"])
    assert client.get(move_in_url(apartment)).status_code == 403  # wrong role
    client.force_login(UserFactory(unit=other_unit, roles=[Role.HOUSING_ADMIN]))
    assert client.get(move_in_url(apartment)).status_code == 404  # outsider
    client.force_login(users["housing_admin"])
    response = client.get(move_in_url(apartment))
    assert response.status_code == 200
    html = response.content.decode()
    assert client_record.last_name in html
    assert 'name="decision"' not in html, "the decision is the case officer's to choose"


def test_the_housing_administrator_moves_a_client_in_from_the_apartment(client, housing_admin, apartment,
                                                                         client_record, decision, case_officer):
    client.force_login(housing_admin)
    response = client.post(move_in_url(apartment), move_in_data(client_record))
    tenancy = Tenancy.objects.get()
    assert response.status_code == 302 and response.url == reverse("tenancies:tenancy_detail", args=[tenancy.pk])
    assert tenancy.decision_pending and tenancy.created_by == housing_admin
    page = client.get(response.url).content.decode()
    assert "Väntar på beslutet" in page


def test_a_refused_move_in_says_why_beside_the_field(client, housing_admin, apartment, client_record, decision):
    client.force_login(housing_admin)
    response = client.post(move_in_url(apartment), move_in_data(client_record, start=date(2023, 12, 1)))
    assert response.status_code == 200
    assert response.context["form"].errors["client"]
    assert Tenancy.objects.count() == 0


def test_protected_clients_are_not_offered_on_the_apartment_page(client, housing_admin, apartment, unit):
    protected = ClientFactory(unit=unit, protection_level=ProtectionLevel.PROTECTED_REGISTRATION)
    granted_decision(protected, decided_on=date(2024, 1, 15))
    client.force_login(housing_admin)
    html = client.get(move_in_url(apartment)).content.decode()
    assert protected.last_name not in html
    response = client.post(move_in_url(apartment), move_in_data(protected))
    assert response.status_code == 200 and Tenancy.objects.count() == 0


def link_url(tenancy):
    return reverse("tenancies:tenancy_link_decision", args=[tenancy.pk])


def test_the_link_page_is_the_case_officers(ctx, client, users, apartment, client_record, decision):
    tenancy = pending_move_in(ctx, apartment, client_record)
    assert client.get(link_url(tenancy)).status_code == 302
    client.force_login(users["housing_admin"])
    assert client.get(link_url(tenancy)).status_code == 403  # the link is not the admin's
    client.force_login(users["outside_officer"])
    assert client.get(link_url(tenancy)).status_code == 404
    client.force_login(users["case_officer"])
    response = client.get(link_url(tenancy))
    assert response.status_code == 200
    assert response.context["form"].initial["decision"] == decision.pk  # the only one that fits

    response = client.post(link_url(tenancy), {"decision": decision.pk, "version": tenancy.version})
    assert response.status_code == 302
    assert Decision.objects.get(pk=decision.pk).executed_on == START


def test_the_housing_administrator_moves_a_tenant_out_and_within(ctx, client, housing_admin, case_officer, unit,
                                                                 apartment, client_record, decision):
    tenancy = moved_in(ctx(case_officer), apartment, client_record, START, decision=decision)
    client.force_login(housing_admin)
    page = client.get(reverse("tenancies:tenancy_internal_move", args=[tenancy.pk]))
    assert page.status_code == 200 and 'name="decision"' not in page.content.decode()
    other = ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING)
    response = client.post(reverse("tenancies:tenancy_internal_move", args=[tenancy.pk]), {
        "apartment": other.pk, "start_date": "2024-06-01", "rent_kr": "", "contract_months": "1",
        "notice_weeks": "2", "version": tenancy.version})
    new = Tenancy.objects.get(end_date=None)
    assert response.status_code == 302 and new.apartment == other and new.decision == decision

    response = client.post(reverse("tenancies:tenancy_move_out", args=[new.pk]), {
        "move_out-end_date": "2024-09-30", "move_out-end_reason": EndReason.OWN_HOUSING,
        "move_out-version": new.version})
    assert response.status_code == 302
    assert Tenancy.objects.get(pk=new.pk).end_date == date(2024, 9, 30)


def test_the_apartment_page_links_current_and_past_tenancies(ctx, client, housing_admin, case_officer, unit,
                                                             apartment, client_record, decision):
    past = moved_in(ctx(case_officer), apartment, client_record, START, decision=decision)
    move_out(ctx(case_officer), past, date(2024, 5, 31), EndReason.OWN_HOUSING)
    # A name no other record of the test can share (the factories draw
    # names at random, and a past tenant named alike made this test flaky).
    protected = ClientFactory(unit=unit, protection_level=ProtectionLevel.PROTECTED_REGISTRATION,
                              first_name="Skyddad", last_name="Hemligsdotter")
    current = moved_in(ctx(case_officer), apartment, protected, date(2024, 7, 1))
    url = reverse("tenancies:apartment_detail", args=[apartment.pk])

    client.force_login(housing_admin)
    html = client.get(url).content.decode()
    assert reverse("tenancies:tenancy_detail", args=[past.pk]) in html
    # The protected tenant's tenancy is reachable for the one who moves
    # them out, as "tenant with protected personal data", never by name.
    assert reverse("tenancies:tenancy_detail", args=[current.pk]) in html
    assert protected.last_name not in html

    # A case officer would see the person on the tenancy page: no link.
    client.force_login(case_officer)
    html = client.get(url).content.decode()
    assert reverse("tenancies:tenancy_detail", args=[past.pk]) in html
    assert reverse("tenancies:tenancy_detail", args=[current.pk]) not in html
