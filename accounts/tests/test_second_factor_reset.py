"""A lost second factor: unlocked or reset only by a system administrator
plus a manager of the user's unit (accounts.login)."""

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.login.models import SecondFactorReset
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccountEvent, AccountEventKind

from .second_factor import give_totp

LOCKS = reverse("accounts:login-locks")


@pytest.fixture
def sysadmin(unit):
    return UserFactory(username="sysadmin", unit=unit, roles=[Role.SYSTEM_ADMIN])


@pytest.fixture
def other_manager(other_unit):
    return UserFactory(username="chef2", unit=other_unit, roles=[Role.MANAGER])


def ask(client, sysadmin, subject, reason="Tappad telefon, ärende 2026-17"):
    client.force_login(sysadmin)
    return client.post(reverse("accounts:request-reset"), {"user": subject.pk, "reason": reason})


def approve_url(reset):
    return reverse("accounts:approve-reset", kwargs={"reset_id": reset.pk})


def test_reset_needs_a_system_administrator_and_a_manager_of_the_unit(client, sysadmin, manager, case_officer):
    give_totp(case_officer)
    StaticDevice.objects.create(user=case_officer, name="backup", confirmed=True)
    # The officer's own verified session, before the reset.
    officer_client = client.__class__()
    officer_client.force_login(case_officer)
    assert officer_client.get(reverse("accounts:notifications")).status_code == 200

    assert ask(client, sysadmin, case_officer).status_code == 302
    reset = SecondFactorReset.objects.get()
    assert reset.status == "pending"
    # Asking removes nothing.
    assert TOTPDevice.objects.filter(user=case_officer).exists()

    client.force_login(manager)
    page = client.get(LOCKS)
    assert "Godkänn återställning" in page.content.decode()
    assert client.post(approve_url(reset)).status_code == 302

    reset.refresh_from_db()
    assert reset.status == "approved" and reset.decided_by == manager
    assert not TOTPDevice.objects.filter(user=case_officer).exists()
    assert not StaticDevice.objects.filter(user=case_officer).exists()
    # The officer's session loses its verification at once (new stamp) and
    # the next step is enrolment.
    response = officer_client.get(reverse("accounts:notifications"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:verify"))
    assert officer_client.get(reverse("accounts:verify"))["Location"] == reverse("accounts:enrol")
    # Only the reset's own events: creating the fixture users wrote account
    # events too (the user administration's safety net).
    kinds = list(
        AccountEvent.objects.filter(
            subject=case_officer,
            kind__in=[AccountEventKind.SECOND_FACTOR_RESET_REQUESTED, AccountEventKind.SECOND_FACTOR_RESET],
        )
        .order_by("id")
        .values_list("kind", "actor__username")
    )
    assert kinds == [
        (AccountEventKind.SECOND_FACTOR_RESET_REQUESTED, "sysadmin"),
        (AccountEventKind.SECOND_FACTOR_RESET, manager.username),
    ]


def test_a_manager_of_another_unit_cannot_approve(client, sysadmin, other_manager, case_officer):
    give_totp(case_officer)
    ask(client, sysadmin, case_officer)
    reset = SecondFactorReset.objects.get()

    client.force_login(other_manager)
    assert client.get(LOCKS).status_code == 200
    assert "Godkänn återställning" not in client.get(LOCKS).content.decode()
    assert client.post(approve_url(reset)).status_code == 403
    assert TOTPDevice.objects.filter(user=case_officer).exists()


@pytest.mark.parametrize("fixture", ["case_officer", "pilot", "housing_admin", "sysadmin"])
def test_other_roles_cannot_approve(client, request, fixture, sysadmin, pilot, manager):
    give_totp(pilot)
    ask(client, sysadmin, pilot)
    reset = SecondFactorReset.objects.get()
    client.force_login(request.getfixturevalue(fixture))

    assert client.post(approve_url(reset)).status_code == 403
    assert TOTPDevice.objects.filter(user=pilot).exists()


def test_only_system_administrators_ask_for_a_reset(client, manager, case_officer):
    client.force_login(manager)

    response = client.post(reverse("accounts:request-reset"), {"user": case_officer.pk, "reason": "x"})

    assert response.status_code == 403
    assert not SecondFactorReset.objects.exists()


def test_a_system_administrator_cannot_ask_for_their_own_reset(client, sysadmin):
    ask(client, sysadmin, sysadmin)

    assert not SecondFactorReset.objects.exists()


def test_a_manager_cannot_approve_a_reset_of_their_own_account(client, sysadmin, manager):
    give_totp(manager)
    ask(client, sysadmin, manager)
    client.force_login(manager)

    assert client.post(approve_url(SecondFactorReset.objects.get())).status_code == 403
    assert TOTPDevice.objects.filter(user=manager).exists()


def test_one_pending_reset_per_account(client, sysadmin, case_officer):
    ask(client, sysadmin, case_officer)
    ask(client, sysadmin, case_officer)

    assert SecondFactorReset.objects.count() == 1
    with pytest.raises(IntegrityError):
        SecondFactorReset.objects.create(subject=case_officer, requested_by=sysadmin, reason="x")


def test_the_database_refuses_one_person_in_both_roles(sysadmin, case_officer):
    with pytest.raises(IntegrityError):
        SecondFactorReset.objects.create(
            subject=case_officer, requested_by=sysadmin, decided_by=sysadmin, reason="x", status="approved"
        )


def test_anonymous_users_are_sent_to_login(client, sysadmin, case_officer):
    ask(client, sysadmin, case_officer)
    reset = SecondFactorReset.objects.get()
    client.logout()

    response = client.post(approve_url(reset))

    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_a_system_administrator_unlocks_a_locked_second_step(client, sysadmin, case_officer):
    from django.utils import timezone

    case_officer.second_factor_failures = 5
    case_officer.second_factor_locked_at = timezone.now()
    case_officer.save()
    client.force_login(sysadmin)
    assert case_officer.username in client.get(LOCKS).content.decode()

    client.post(reverse("accounts:unlock-second-factor", kwargs={"user_id": case_officer.pk}))

    case_officer.refresh_from_db()
    assert case_officer.second_factor_locked_at is None and case_officer.second_factor_failures == 0
    event = AccountEvent.objects.get(subject=case_officer, kind=AccountEventKind.UNLOCKED)
    assert event.actor == sysadmin and event.note == "second factor"
