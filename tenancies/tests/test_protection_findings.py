"""Regression tests for the findings of issue 10 §1, one per way a protected
client's address could be worked out (the property over every page is in
config/tests/test_protected_whereabouts.py)."""

import pytest
from django.urls import reverse

from accounts.models import Notification
from config.tests.protected_world import build_world
from referrals.models import ProtectionLevel

LEVELS = [ProtectionLevel.CONFIDENTIALITY_MARK, ProtectionLevel.PROTECTED_REGISTRATION,
          ProtectionLevel.ASSUMED_IDENTITY]


@pytest.fixture
def world(db):
    return build_world()


def page(client, user, name, *args):
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("level", LEVELS)
def test_the_tenancy_tab_shows_no_object_number_of_a_protected_client(client, world, level):
    resident = world.residents[level]
    for role in ("case_officer", "manager"):
        body = page(client, world.users[role], "tenancies:client_tenancies", resident.client.pk)
        assert resident.client.full_name in body
        assert resident.apartment.object_number not in body
        assert resident.apartment.street_address not in body
        assert f"/lagenheter/{resident.apartment.pk}/" not in body
        assert "Lägenheten visas inte: skyddade personuppgifter" in body


def test_the_tenancy_tab_shows_the_apartment_to_a_manager_with_the_permission(client, world):
    resident = world.residents[ProtectionLevel.PROTECTED_REGISTRATION]
    body = page(client, world.users["manager_with_permission"], "tenancies:client_tenancies", resident.client.pk)
    assert resident.apartment.object_number in body
    assert resident.apartment.street_address in body


@pytest.mark.parametrize("level", LEVELS)
def test_the_move_in_note_on_the_decision_names_no_apartment(client, world, level):
    resident = world.residents[level]
    decision = resident.tenancy.decision
    decision.refresh_from_db()
    assert resident.apartment.object_number not in decision.execution_note
    body = page(client, world.users["case_officer"], "referrals:decision_detail", decision.pk)
    assert resident.apartment.object_number not in body


def test_a_legacy_move_in_note_with_the_object_number_is_not_shown_for_a_protected_client(client, world):
    resident = world.residents[ProtectionLevel.CONFIDENTIALITY_MARK]
    decision = resident.tenancy.decision
    type(decision).objects.filter(pk=decision.pk).update(
        execution_note=f"Inflyttning i {resident.apartment.object_number}")
    body = page(client, world.users["case_officer"], "referrals:decision_detail", decision.pk)
    assert resident.apartment.object_number not in body
    assert "Anteckningen visas inte: skyddade personuppgifter" in body
    body = page(client, world.users["manager_with_permission"], "referrals:decision_detail", decision.pk)
    assert resident.apartment.object_number in body


def test_the_apartment_list_names_no_protected_tenant(client, world):
    for role in ("housing_admin", "case_officer", "manager"):
        body = page(client, world.users[role], "tenancies:apartment_list")
        for resident in world.protected:
            assert resident.apartment.object_number in body  # the register itself is shown
            assert resident.client.full_name not in body
            assert resident.client.last_name not in body
        assert body.count("Hyresgäst med skyddade personuppgifter") == len(world.protected)
        assert world.plain.client.full_name in body


@pytest.mark.parametrize("level", LEVELS)
def test_the_apartment_page_gives_no_date_of_a_protected_tenant(client, world, level):
    resident = world.residents[level]
    for role in ("housing_admin", "case_officer", "manager"):
        body = page(client, world.users[role], "tenancies:apartment_detail", resident.apartment.pk)
        assert "Hyresgäst med skyddade personuppgifter" in body
        assert resident.client.full_name not in body
        for day in resident.date_markers:
            assert day not in body, f"{role} sees {day}"
        assert "sedan" not in body.split("Hyresgäst nu")[1].split("</dd>")[0]


def test_the_apartment_page_still_dates_a_plain_tenant(client, world):
    body = page(client, world.users["housing_admin"], "tenancies:apartment_detail", world.plain.apartment.pk)
    assert world.plain.tenancy.start_date.isoformat() in body
    assert world.plain.client.full_name in body


@pytest.mark.parametrize("level", LEVELS)
def test_a_housing_admin_opening_a_tenancy_by_id_sees_no_protected_tenant(client, world, level):
    resident = world.residents[level]
    body = page(client, world.users["housing_admin"], "tenancies:tenancy_detail", resident.tenancy.pk)
    assert resident.apartment.object_number in body  # the housing side: apartment and rent
    assert resident.client.full_name not in body
    assert resident.client.personal_number_display not in body
    for day in resident.date_markers:
        assert day not in body
    assert "Hyresgäst med skyddade personuppgifter" in body


def test_a_case_officer_opening_the_tenancy_sees_the_person_not_the_apartment(client, world):
    resident = world.residents[ProtectionLevel.ASSUMED_IDENTITY]
    body = page(client, world.users["case_officer"], "tenancies:tenancy_detail", resident.tenancy.pk)
    assert resident.client.full_name in body  # the assumed identity: the only one the unit holds
    assert resident.tenancy.start_date.isoformat() in body
    assert resident.apartment.object_number not in body
    assert resident.apartment.street_address not in body


def test_the_complaint_notification_names_no_apartment_of_a_protected_tenant(world):
    resident = world.residents[ProtectionLevel.PROTECTED_REGISTRATION]
    notification = Notification.objects.get(user=world.users["case_officer"],
                                            url=reverse("tenancies:tenancy_detail", args=[resident.tenancy.pk]))
    assert resident.apartment.object_number not in notification.text
    assert "under ett hyresförhållande för en av dina klienter" in notification.text.lower()
    plain = Notification.objects.get(user=world.users["case_officer"],
                                     url=reverse("tenancies:apartment_detail", args=[world.plain.apartment.pk]))
    assert world.plain.apartment.object_number in plain.text


@pytest.mark.parametrize("level", [*LEVELS, ProtectionLevel.NONE])
def test_the_rule_per_level_and_permission(world, level):
    from referrals import protection

    client = world.residents[level].client
    protected = level != ProtectionLevel.NONE
    for role, user in world.users.items():
        expected = (not protected) or role == "manager_with_permission"
        assert protection.may_see_whereabouts(user, client) is expected, role
    from django.contrib.auth.models import AnonymousUser

    assert protection.may_see_whereabouts(AnonymousUser(), client) is (not protected)


def test_the_import_dry_run_gives_no_dates_of_a_protected_tenants_registered_tenancy(db, housing_admin, unit):
    """A file naming the apartment of a protected tenant, with a tenancy that
    overlaps theirs, is refused without saying when they moved in."""
    from datetime import date

    from audit.context import AuditContext
    from referrals.tests.factories import ClientFactory
    from tenancies.importer import run_import
    from tenancies.models import EndReason

    from .conftest import register_lists
    from .factories import IMPORT_DATA, ApartmentFactory, TenancyFactory

    register_lists(unit)  # the names the file uses (the import accepts only listed ones)
    apartment = ApartmentFactory(unit=unit, object_number="TR-101")
    protected = ClientFactory(unit=unit, protection_level=ProtectionLevel.PROTECTED_REGISTRATION)
    TenancyFactory(apartment=apartment, client=protected, start_date=date(2020, 1, 1), end_date=date(2021, 5, 31),
                   end_reason=EndReason.OTHER_PLACEMENT)

    result = run_import(AuditContext(user=housing_admin, path="/test/"),
                        (IMPORT_DATA / "register_good.csv").read_bytes(), unit, dry_run=True)

    messages = " ".join(error.message for error in result.errors)
    assert "hyresgäst med skyddade personuppgifter" in messages
    assert "2020-01-01" not in messages and "2021-05-31" not in messages
    assert protected.full_name not in messages


def test_the_access_log_review_names_no_apartment_beside_a_protected_clients_rows(client, world):
    """Apartment views are logged by record type and id, not by address: the
    log review lists them beside the protected client's tenancy rows."""
    housing_admin = world.users["housing_admin"]
    for resident in world.protected:
        page(client, housing_admin, "tenancies:apartment_detail", resident.apartment.pk)
        page(client, housing_admin, "tenancies:tenancy_detail", resident.tenancy.pk)
    body = page(client, world.users["manager"], "audit:log")
    for resident in world.protected:
        assert resident.client.full_name in body
        assert resident.apartment.street_address not in body
        assert resident.apartment.object_number not in body
