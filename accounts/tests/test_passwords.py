"""Users change their own password and reset a forgotten one by e-mail; a
reset never skips the second step (accounts.login)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.urls import reverse

from accounts.login.services import STAMP_SESSION_KEY
from audit.models import AccountEvent, AccountEventKind

from .second_factor import give_totp

PASSWORD = "test-password-123"
NEW = "ett-nytt-långt-lösen-2026"
CHANGE = reverse("accounts:password-change")
RESET = reverse("accounts:password-reset")


def test_change_needs_a_verified_session(client, case_officer, unverified_login):
    assert client.get(CHANGE)["Location"].startswith(reverse("accounts:login"))
    unverified_login(client, case_officer)
    assert client.get(CHANGE)["Location"].startswith(reverse("accounts:verify"))


def test_change_checks_the_old_password_in_swedish(client, case_officer):
    client.force_login(case_officer)

    response = client.post(CHANGE, {"old_password": "fel", "new_password1": NEW, "new_password2": NEW})

    assert response.status_code == 200
    assert "Ditt gamla lösenord var felaktigt" in response.content.decode()
    case_officer.refresh_from_db()
    assert case_officer.check_password(PASSWORD)


def test_change_ends_other_sessions_and_is_logged(client, case_officer):
    other = client.__class__()
    other.force_login(case_officer)
    client.force_login(case_officer)

    response = client.post(CHANGE, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})

    assert response["Location"] == reverse("accounts:password-change-done")
    assert client.get(reverse("accounts:notifications")).status_code == 200
    assert other.get(reverse("accounts:notifications")).status_code == 302
    case_officer.refresh_from_db()
    assert case_officer.check_password(NEW)
    assert client.session[STAMP_SESSION_KEY] == case_officer.security_stamp
    assert AccountEvent.objects.get(subject=case_officer, kind=AccountEventKind.PASSWORD_CHANGED).actor == case_officer


def _link():
    body = mail.outbox[-1].body
    return re.search(r"https?://[^/\s]+(/konto/losenord/aterstall/[^\s]+/)", body).group(1)


def test_reset_sends_a_link_that_sets_a_new_password_but_not_the_second_step(client, case_officer):
    device = give_totp(case_officer)

    response = client.post(RESET, {"email": case_officer.email})

    assert response["Location"] == reverse("accounts:password-reset-done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [case_officer.email] and "återställ" in message.subject
    assert "30 minuter" in message.body
    link = _link()
    form_page = client.get(link, follow=True)
    assert "Välj ett nytt lösenord" in form_page.content.decode()
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done["Location"] == reverse("accounts:password-reset-complete")

    # Nobody is logged in by the reset; the login asks for the second step.
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:login"))
    login = client.post(reverse("accounts:login"), {"username": case_officer.username, "password": NEW})
    assert login["Location"] == reverse("accounts:verify")
    assert client.get(reverse("accounts:notifications")).status_code == 302
    assert device.user_id == case_officer.pk
    kinds = set(AccountEvent.objects.filter(subject=case_officer).values_list("kind", flat=True))
    assert {AccountEventKind.PASSWORD_RESET_REQUESTED, AccountEventKind.PASSWORD_RESET} <= kinds
    # The link works once.
    assert "har gått ut eller redan använts" in client.get(link, follow=True).content.decode()


def test_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, case_officer):
    response = client.post(RESET, {"email": "okand@example.org"})

    assert response["Location"] == reverse("accounts:password-reset-done")
    assert mail.outbox == []


def test_reset_ends_the_verification_of_open_sessions(client, case_officer):
    other = client.__class__()
    other.force_login(case_officer)
    client.post(RESET, {"email": case_officer.email})
    form_page = client.get(_link(), follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})

    assert other.get(reverse("accounts:notifications")).status_code == 302


def test_the_link_expires_after_30_minutes(client, case_officer, settings, monkeypatch):
    assert settings.PASSWORD_RESET_TIMEOUT == 30 * 60
    client.post(RESET, {"email": case_officer.email})
    link = _link()
    now = default_token_generator._now()
    monkeypatch.setattr(type(default_token_generator), "_now", lambda self: now + timedelta(minutes=31))

    page = client.get(link, follow=True)

    assert "har gått ut eller redan använts" in page.content.decode()


@pytest.mark.parametrize("url_name", ["password-reset", "password-reset-done", "password-reset-complete"])
def test_reset_pages_are_swedish_for_anyone(client, db, url_name):
    response = client.get(reverse(f"accounts:{url_name}"))

    assert response.status_code == 200
    assert '<html lang="sv">' in response.content.decode()
