"""Login limits across addresses and accounts, and the client address behind
a proxy (accounts.login.throttle, core.client_ip)."""

import pytest
from axes.models import AccessFailureLog
from django.test import RequestFactory
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from audit.models import AccountEvent, AccountEventKind
from core.client_ip import client_ip

LOGIN = reverse("accounts:login")
LOCKS = reverse("accounts:login-locks")
PASSWORD = "test-password-123"


@pytest.fixture(autouse=True)
def _axes_on(settings):
    settings.AXES_ENABLED = True


def attempt(client, username, password, ip="10.0.0.5", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def test_guesses_from_many_addresses_lock_the_account(client, case_officer):
    # 10 addresses, one guess each: no (user, address) pair reaches 5.
    for n in range(10):
        assert attempt(client, "handlaggare", "fel", ip=f"10.1.0.{n}").status_code == 200

    response = attempt(client, "handlaggare", PASSWORD, ip="10.2.0.1")

    assert response.status_code == 429
    assert "för många misslyckade inloggningar inom en timme" in response.content.decode()
    failed = AccountEvent.objects.filter(subject=case_officer, kind=AccountEventKind.LOGIN_FAILED)
    assert failed.count() == 10 and {event.note for event in failed} == {"password"}
    assert AccountEvent.objects.get(subject=case_officer, kind=AccountEventKind.LOCKED_OUT).note == "account limit"
    # Other accounts from the same addresses are not affected.
    UserFactory(username="annan", unit=case_officer.unit, roles=[Role.CASE_OFFICER])
    assert attempt(client, "annan", PASSWORD, ip="10.2.0.1").status_code == 302


def test_one_address_trying_many_accounts_is_locked(client, case_officer):
    for n in range(20):
        attempt(client, f"gissad{n}", "Sommar2026!", ip="10.9.9.9")

    response = attempt(client, "handlaggare", PASSWORD, ip="10.9.9.9")

    assert response.status_code == 429
    assert "nätverksadress" in response.content.decode()
    assert attempt(client, "handlaggare", PASSWORD, ip="10.9.9.8").status_code == 302


def test_the_account_limit_lifts_after_the_hour(client, case_officer):
    from datetime import timedelta

    from django.utils import timezone

    for n in range(10):
        attempt(client, "handlaggare", "fel", ip=f"10.1.0.{n}")
    AccessFailureLog.objects.update(attempt_time=timezone.now() - timedelta(minutes=61))

    assert attempt(client, "handlaggare", PASSWORD, ip="10.2.0.1").status_code == 302


# --- Unlock path ---------------------------------------------------------------


@pytest.fixture
def sysadmin(unit):
    return UserFactory(username="sysadmin", unit=unit, roles=[Role.SYSTEM_ADMIN])


def test_a_system_administrator_sees_and_unlocks_a_locked_account(client, case_officer, sysadmin):
    for n in range(10):
        attempt(client, "handlaggare", "fel", ip=f"10.1.0.{n}")
    admin_client = client.__class__()
    admin_client.force_login(sysadmin)

    page = admin_client.get(LOCKS)
    assert page.status_code == 200 and "handlaggare" in page.content.decode()

    response = admin_client.post(reverse("accounts:unlock-password"), {"username": "handlaggare"})

    assert response.status_code == 302
    assert attempt(client, "handlaggare", PASSWORD, ip="10.2.0.1").status_code == 302
    event = AccountEvent.objects.get(subject=case_officer, kind=AccountEventKind.UNLOCKED)
    assert event.actor == sysadmin and event.note == "password"
    # The failures stay on record.
    assert AccessFailureLog.objects.filter(username="handlaggare").count() == 10


@pytest.mark.parametrize("fixture", ["case_officer", "pilot", "housing_admin", "manager"])
def test_other_roles_cannot_unlock(client, request, fixture, case_officer):
    user = request.getfixturevalue(fixture)
    client.force_login(user)

    assert client.post(reverse("accounts:unlock-password"), {"username": "handlaggare"}).status_code == 403
    assert client.post(reverse("accounts:unlock-second-factor", kwargs={"user_id": case_officer.pk})).status_code == 403
    if fixture != "manager":
        assert client.get(LOCKS).status_code == 403


def test_anonymous_users_are_sent_to_login(client, case_officer):
    for url in (LOCKS, reverse("accounts:unlock-password")):
        response = client.post(url, {"username": "handlaggare"})
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)


# --- The client address behind a proxy -------------------------------------------


def _request(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_without_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(_request("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


def test_behind_one_proxy_the_address_it_saw_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(_request("10.0.0.2", "203.0.113.9")) == "203.0.113.9"
    # A client's own forged entry is to the left; the proxy's append wins.
    assert client_ip(_request("10.0.0.2", "1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    # Not passed through the proxy (probe from inside): the peer itself.
    assert client_ip(_request("10.0.0.2")) == "10.0.0.2"
    assert client_ip(_request("10.0.0.2", "not-an-address")) == "10.0.0.2"


def test_behind_two_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(_request("10.0.0.3", "1.2.3.4, 203.0.113.9, 10.0.0.2")) == "203.0.113.9"


def test_behind_a_proxy_the_lockout_and_the_logs_use_the_client_address(client, case_officer, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"

    for _ in range(5):
        attempt(client, "handlaggare", "fel", ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.66")

    # The attacker behind the proxy is locked; the user, behind the same
    # proxy from another address, is not.
    assert attempt(client, "handlaggare", PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.66").status_code == 429
    assert attempt(client, "handlaggare", PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.20").status_code == 302
    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}
    request = _request(proxy, "198.51.100.20")
    request.user = case_officer
    assert AuditContext.from_request(request).ip_address == "198.51.100.20"
