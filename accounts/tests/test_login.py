from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

LOGIN_URL = reverse("accounts:login")
PASSWORD = "test-password-123"


@pytest.fixture(autouse=True)
def _axes_on(settings):
    settings.AXES_ENABLED = True


def attempt(client, username, password, ip="10.0.0.5"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_page_is_swedish(client, db):
    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "Användarnamn" in html and "Lösenord" in html and "Logga in" in html


def test_successful_login_goes_to_the_start_page(client, case_officer):
    response = attempt(client, "handlaggare", PASSWORD)

    assert response.status_code == 302
    # The password is only step one: without a device, on to enrolment.
    assert response["Location"] == reverse("accounts:enrol")


def test_wrong_password_gives_a_swedish_message(client, case_officer):
    response = attempt(client, "handlaggare", "fel-lösenord")

    assert response.status_code == 200
    assert "Ange ett korrekt användarnamn och lösenord" in response.content.decode()


def test_five_failures_lock_the_user_name_from_that_address_for_15_minutes(client, case_officer, settings):
    for _ in range(4):
        assert attempt(client, "handlaggare", "fel").status_code == 200

    fifth = attempt(client, "handlaggare", "fel")
    assert fifth.status_code == 429
    assert "För många misslyckade inloggningsförsök" in fifth.content.decode()
    assert "15 minuter" in fifth.content.decode()

    # Even the right password is refused while locked.
    assert attempt(client, "handlaggare", PASSWORD).status_code == 429
    # The lock is for this user name from this address only.
    assert attempt(client, "handlaggare", PASSWORD, ip="10.0.0.99").status_code == 302
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)


def test_the_lock_expires_after_the_cool_off(client, case_officer):
    from axes.models import AccessAttempt

    for _ in range(5):
        attempt(client, "handlaggare", "fel")
    assert attempt(client, "handlaggare", PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    assert attempt(client, "handlaggare", PASSWORD).status_code == 302


def test_session_expires_after_idle_time(client, case_officer):
    client.force_login(case_officer)
    assert client.get(reverse("home")).status_code == 200
    session = Session.objects.get()
    remaining = session.expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)

    # Thirty minutes without a request later: the row has expired, and so has
    # the cached copy (cached_db keeps it for the same idle timeout).
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    cache.clear()

    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_each_request_extends_the_session(client, case_officer):
    client.force_login(case_officer)
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))

    client.get(reverse("home"))

    remaining = Session.objects.get().expire_date - timezone.now()
    assert remaining > timedelta(minutes=29)


def test_logout_is_a_post_and_ends_the_session(client, case_officer):
    client.force_login(case_officer)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 200
    assert "Du är utloggad" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_passwords_are_hashed_with_argon2_in_production_settings(case_officer, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    case_officer.set_password("ett-långt-lösenord-2026")
    assert case_officer.password.startswith("argon2$")
