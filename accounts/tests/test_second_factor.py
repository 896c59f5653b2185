"""The second step after the password: every page requires it, for every
role (accounts.login)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.login.middleware import EXEMPT_URL_NAMES
from accounts.login.services import STAMP_SESSION_KEY
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccountEvent, AccountEventKind

from .second_factor import code_for, fresh_code, give_totp

PASSWORD = "test-password-123"
VERIFY = reverse("accounts:verify")
ENROL = reverse("accounts:enrol")


def password_step(client, user):
    return client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})


def events(user, kind):
    return AccountEvent.objects.filter(subject=user, kind=kind)


# --- Every page requires the second step -------------------------------------


def _every_url():
    """(url name, path) of every page, with 1 / "x" for its arguments: the
    requirement is checked before the view runs, so the ids need not exist."""
    samples = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}

    def walk(patterns, prefix, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern) and entry.name:
                route = prefix + str(entry.pattern)
                converters = {**getattr(entry.pattern, "converters", {})}
                kwargs = {}
                for name, converter in converters.items():
                    kind = type(converter).__name__.replace("Converter", "").lower()
                    kwargs[name] = samples.get(kind, "x")
                try:
                    url = reverse(f"{namespace}{entry.name}", kwargs=kwargs)
                except Exception:
                    continue  # regex routes (admin) with unnamed groups
                yield f"{namespace}{entry.name}", url, route

    return sorted({(name, url) for name, url, _route in walk(get_resolver().url_patterns, "", "")})


# Pages that must answer before the second step: the login package's own
# (password, second step, enrolment, passkey ceremony, passwords reset by
# e-mail, logout) and the health check. Everything else is listed by walking
# the URL configuration, so a new page is covered without touching this test.
EXEMPT = {
    "accounts:login", "accounts:logout", "accounts:verify", "accounts:enrol",
    "accounts:password-reset", "accounts:password-reset-done", "accounts:password-reset-confirm",
    "accounts:password-reset-complete",
    "otp_webauthn:credential-registration-begin", "otp_webauthn:credential-registration-complete",
    "otp_webauthn:credential-authentication-begin", "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
    # Login through the identity provider (accounts.oidc): its way out and back.
    "accounts:oidc-authenticate", "accounts:oidc-callback",
    *EXEMPT_URL_NAMES,
}
PAGES = [(name, url) for name, url in _every_url() if name not in EXEMPT and not name.startswith("admin:")]


def test_the_walk_finds_the_pages_of_every_app():
    names = {name for name, _url in PAGES}
    assert len(PAGES) > 80
    assert {"home", "accounts:security", "accounts:password-change", "audit:log"} <= names
    assert any(name.startswith("referrals:") for name in names)
    assert any(name.startswith("tenancies:") for name in names)


@pytest.mark.parametrize("role", Role.ALL)
def test_every_page_sends_a_password_only_session_to_the_second_step(client, unit, role, unverified_login):
    user = UserFactory(unit=unit, roles=[role], is_staff=role == Role.SYSTEM_ADMIN)
    give_totp(user)
    unverified_login(client, user)

    leaks = []
    for name, url in PAGES:
        for method in (client.get, client.post):
            response = method(url)
            if response.status_code != 302 or not response["Location"].startswith(VERIFY):
                leaks.append(f"{method.__name__.upper()} {name} {url} -> {response.status_code}")
    assert not leaks, "\n".join(leaks)


def test_admin_pages_also_require_the_second_step(client, unit, unverified_login):
    admin = UserFactory(unit=unit, roles=[Role.SYSTEM_ADMIN], is_staff=True, is_superuser=True)
    give_totp(admin)
    unverified_login(client, admin)

    response = client.get("/admin/")

    assert response.status_code == 302 and response["Location"].startswith(VERIFY)


def test_anonymous_users_still_go_to_the_login_page(client, db):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_health_check_answers_before_the_second_step(client, case_officer, unverified_login):
    unverified_login(client, case_officer)

    assert client.get(reverse("healthz")).status_code in (200, 503)


def test_the_second_step_costs_no_query_per_page(client, case_officer):
    # Verified by the session and the stamp on the user row already loaded:
    # no device is read, so pinned query counts of other pages stay true.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    give_totp(case_officer)
    client.force_login(case_officer)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("accounts:notifications")).status_code == 200

    assert not [q["sql"] for q in queries if "otp_" in q["sql"]], [q["sql"][:90] for q in queries]
    assert len(queries) <= 9


# --- Login with a code --------------------------------------------------------


def test_password_then_code_logs_in(client, case_officer):
    device = give_totp(case_officer)

    first = password_step(client, case_officer)
    assert first.status_code == 302 and first["Location"] == VERIFY
    assert client.get(reverse("home")).status_code == 302

    page = client.get(VERIFY)
    assert "Bekräfta din inloggning" in page.content.decode()
    response = client.post(VERIFY, {"code": code_for(device)})

    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home"), {"oversikt": 1}).status_code == 200
    assert events(case_officer, AccountEventKind.LOGIN).get().note == "authenticator app"


def test_next_survives_both_steps_but_not_to_another_site(client, case_officer):
    device = give_totp(case_officer)
    target = reverse("accounts:notifications")
    response = client.post(reverse("accounts:login") + f"?next={target}", {"username": case_officer.username, "password": PASSWORD, "next": target})
    assert response["Location"] == f"{VERIFY}?next={target.replace('/', '%2F')}"

    assert client.post(VERIFY, {"code": code_for(device), "next": target})["Location"] == target

    client.logout()
    password_step(client, case_officer)
    response = client.post(VERIFY, {"code": fresh_code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_a_code_works_only_once(client, case_officer):
    device = give_totp(case_officer)
    password_step(client, case_officer)
    code = code_for(device)
    client.post(VERIFY, {"code": code})
    client.logout()

    password_step(client, case_officer)
    response = client.post(VERIFY, {"code": code})

    assert response.status_code == 200
    assert "Fel kod" in response.content.decode()


def test_five_wrong_codes_lock_the_second_step(client, case_officer):
    device = give_totp(case_officer)
    password_step(client, case_officer)

    for left in (4, 3, 2, 1):
        response = client.post(VERIFY, {"code": "000000" if code_for(device) != "000000" else "111111"})
        assert f"Fel kod. {left} försök kvar" in response.content.decode()
    fifth = client.post(VERIFY, {"code": "123456" if code_for(device) != "123456" else "654321"})

    assert fifth.status_code == 403
    assert "Steg två är spärrat" in fifth.content.decode()
    # Even the right code is refused now, and a backup code, and a passkey.
    assert client.post(VERIFY, {"code": fresh_code(device)}).status_code == 403
    assert client.get(reverse("home")).status_code == 302
    begin = client.post(reverse("otp_webauthn:credential-authentication-begin"))
    assert begin.status_code == 403
    case_officer.refresh_from_db()
    assert case_officer.second_factor_locked_at is not None
    assert events(case_officer, AccountEventKind.LOGIN_FAILED).count() == 5
    assert events(case_officer, AccountEventKind.LOCKED_OUT).count() == 1


def test_a_new_login_does_not_reset_the_count(client, case_officer):
    give_totp(case_officer)
    for _ in range(5):
        password_step(client, case_officer)
        client.post(VERIFY, {"code": "abcdef"})
        client.logout()
    case_officer.refresh_from_db()
    assert case_officer.second_factor_locked_at is not None


def test_a_backup_code_works_once(client, case_officer):
    give_totp(case_officer)
    static = StaticDevice.objects.create(user=case_officer, name="backup", confirmed=True)
    StaticToken.objects.create(device=static, token="abcd1234")

    password_step(client, case_officer)
    assert client.post(VERIFY, {"code": "abcd 1234"})["Location"] == reverse("home")
    assert events(case_officer, AccountEventKind.LOGIN).get().note == "backup code"
    client.logout()

    password_step(client, case_officer)
    assert client.post(VERIFY, {"code": "abcd1234"}).status_code == 200
    assert not StaticToken.objects.filter(device=static).exists()


def test_a_successful_code_resets_the_failure_count(client, case_officer):
    device = give_totp(case_officer)
    password_step(client, case_officer)
    client.post(VERIFY, {"code": "abcdef"})
    client.post(VERIFY, {"code": code_for(device)})

    case_officer.refresh_from_db()
    assert case_officer.second_factor_failures == 0


def test_the_verified_session_gets_a_new_key(client, case_officer):
    device = give_totp(case_officer)
    password_step(client, case_officer)
    before = client.session.session_key

    client.post(VERIFY, {"code": code_for(device)})

    assert client.session.session_key != before
    assert client.session[STAMP_SESSION_KEY] == case_officer.security_stamp


# --- Enrolment -------------------------------------------------------------------


def test_first_login_goes_to_enrolment_with_a_qr_code_and_the_key(client, pilot):
    response = password_step(client, pilot)
    assert response["Location"] == ENROL
    # Every other page sends an enrolling user to the second step, which sends
    # them on to enrolment.
    assert client.get(VERIFY)["Location"] == ENROL

    page = client.get(ENROL)
    html = page.content.decode()

    assert page.status_code == 200
    assert "Slå på tvåstegsinloggning" in html
    assert '<svg' in html and 'class="segno"' in html
    device = TOTPDevice.objects.get(user=pilot, confirmed=False)
    from accounts.login.services import grouped, totp_secret

    assert grouped(totp_secret(device)) in html
    # Reloading keeps the same secret (the app may already have it).
    client.get(ENROL)
    assert TOTPDevice.objects.filter(user=pilot).count() == 1


def test_enrolment_needs_a_right_code_and_gives_ten_backup_codes(client, pilot):
    password_step(client, pilot)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=pilot, confirmed=False)

    wrong = client.post(ENROL, {"code": "12345x"})
    assert "Koden stämde inte" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=pilot, confirmed=True).exists()

    done = client.post(ENROL, {"code": code_for(device)})

    assert done.status_code == 200
    tokens = list(StaticToken.objects.filter(device__user=pilot).values_list("token", flat=True))
    assert len(tokens) == 10 and len(set(tokens)) == 10
    assert all(token in done.content.decode() for token in tokens)
    assert TOTPDevice.objects.get(user=pilot).confirmed
    assert client.get(reverse("accounts:notifications")).status_code == 200
    assert events(pilot, AccountEventKind.SECOND_FACTOR_ENROLLED).count() == 1
    assert events(pilot, AccountEventKind.BACKUP_CODES_CREATED).count() == 1


def test_a_password_alone_cannot_enrol_a_second_device(client, case_officer):
    # Someone who knows the password must not replace the owner's app.
    give_totp(case_officer)
    password_step(client, case_officer)

    assert client.get(ENROL)["Location"] == VERIFY
    assert client.post(ENROL, {"code": "123456"})["Location"] == VERIFY
    assert TOTPDevice.objects.filter(user=case_officer).count() == 1
    begin = client.post(reverse("otp_webauthn:credential-registration-begin"))
    assert begin.status_code == 403


def test_new_backup_codes_replace_the_old_ones(client, case_officer):
    client.force_login(case_officer)
    first = client.post(reverse("accounts:backup-codes"))
    old = set(StaticToken.objects.values_list("token", flat=True))
    client.post(reverse("accounts:backup-codes"))
    new = set(StaticToken.objects.values_list("token", flat=True))

    assert first.status_code == 200 and len(new) == 10 and not old & new
    assert events(case_officer, AccountEventKind.BACKUP_CODES_CREATED).count() == 2


def test_security_page_shows_the_users_factors(client, case_officer):
    give_totp(case_officer)
    client.force_login(case_officer)

    html = client.get(reverse("accounts:security")).content.decode()

    assert "Autentiseringsapp: kopplad" in html and "Byt lösenord" in html
