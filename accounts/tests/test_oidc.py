"""Login through the municipality's identity provider (issue 16 §3), against
a real OpenID Connect provider started here (accounts/tests/oidc_provider.py):
the token request and the key set go over HTTP to it."""

from datetime import timedelta
from unittest import mock
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from axes.models import AccessLog
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.models import User
from accounts.oidc.backend import BolotsOIDCBackend
from accounts.tests.factories import UserFactory
from accounts.tests.second_factor import give_totp
from audit.models import AccountEvent, AccountEventKind

from .oidc_provider import provider_for, running_provider

AUTHENTICATE = reverse("accounts:oidc-authenticate")
CALLBACK = reverse("accounts:oidc-callback")
STRONG_ACR = "http://id.elegnamnden.se/loa/1.0/loa3"


@pytest.fixture(scope="module")
def provider():
    with running_provider() as server:
        yield provider_for(server)


@pytest.fixture(scope="module")
def expiring_provider():
    # Its ID tokens expire five minutes before they are issued: well past
    # the tolerated clock difference (OIDC_LEEWAY_SECONDS).
    with running_provider(access_token_max_age=timedelta(minutes=-5)) as server:
        yield provider_for(server)


def configure(settings, provider):
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "accounts.oidc.backend.BolotsOIDCBackend"]
    settings.OIDC_STRONG_ACR_VALUES = [STRONG_ACR]
    settings.OIDC_STRONG_AMR_VALUES = ["mfa", "hwk"]
    settings.AXES_ENABLED = True


@pytest.fixture
def oidc(settings, provider):
    configure(settings, provider)
    return provider


@pytest.fixture
def linked(unit, provider):
    """A case officer whose account a system administrator linked to their
    identity at the provider."""
    user = UserFactory(username="handlaggare", unit=unit, roles=["Handläggare"])
    call_command("link_oidc_subject", user.username, "person-17", issuer=provider.issuer)
    user.refresh_from_db()
    return user


def start(client, next_url=""):
    response = client.get(AUTHENTICATE + (f"?{urlencode({'next': next_url})}" if next_url else ""))
    assert response.status_code == 302
    return response["Location"]


def come_back(client, params):
    return client.get(CALLBACK, params)


def log_in(client, provider, subject, next_url=""):
    """The whole round: Bolots → provider (log in as `subject`) → Bolots."""
    return come_back(client, provider.log_in(start(client, next_url), subject))


def with_param(url, **params):
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()} | params
    return urlunsplit(parts._replace(query=urlencode(query)))


def logged_in_user_id(client):
    return client.session.get(SESSION_KEY)


# --- The login page ---------------------------------------------------------


def test_without_a_provider_the_login_page_has_no_button_and_the_flow_is_404(client, db):
    page = client.get(reverse("accounts:login")).content.decode()

    assert "Logga in med kommunens inloggning" not in page
    assert client.get(AUTHENTICATE).status_code == 404
    assert client.get(CALLBACK, {"code": "x", "state": "y"}).status_code == 404


def test_with_a_provider_the_login_page_offers_it_beside_the_password(client, oidc, db):
    page = client.get(reverse("accounts:login") + "?next=/konto/aviseringar/").content.decode()

    assert "Logga in med kommunens inloggning" in page
    assert f'href="{AUTHENTICATE}?next=/konto/aviseringar/"' in page
    # The password stays for people without an account at the provider.
    assert 'name="password"' in page


def test_the_login_goes_to_the_provider_with_state_nonce_and_pkce(client, oidc, db):
    location = start(client)
    query = parse_qs(urlsplit(location).query)

    assert location.startswith(oidc.settings()["OIDC_OP_AUTHORIZATION_ENDPOINT"])
    assert query["client_id"] == ["bolots"]
    assert query["redirect_uri"] == [f"http://testserver{CALLBACK}"]
    assert query["state"] and query["nonce"] and query["code_challenge_method"] == ["S256"]


# --- A full login -------------------------------------------------------------


def test_strong_authentication_by_acr_logs_in_without_the_second_step(client, oidc, linked):
    oidc.set_claims("person-17", acr=STRONG_ACR)

    response = log_in(client, oidc, "person-17")

    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert logged_in_user_id(client) == str(linked.pk)
    # The session is bound to the project's backend, as after a password.
    assert client.session[BACKEND_SESSION_KEY] == "accounts.backends.RoleAwareModelBackend"
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert home.context["user"] == linked
    # Logged as a login (account log) and by django-axes, as passwords are.
    event = AccountEvent.objects.get(subject=linked, kind=AccountEventKind.LOGIN)
    assert event.note == f"identity provider (acr={STRONG_ACR})"
    assert AccessLog.objects.filter(username=linked.username).count() == 1


def test_strong_authentication_by_amr_logs_in_and_keeps_next(client, oidc, linked):
    oidc.set_claims("person-17", amr=["pwd", "mfa"])

    response = log_in(client, oidc, "person-17", next_url=reverse("accounts:notifications"))

    assert response["Location"] == reverse("accounts:notifications")
    assert client.get(reverse("accounts:notifications")).status_code == 200


def test_a_next_address_elsewhere_is_dropped(client, oidc, linked):
    oidc.set_claims("person-17", acr=STRONG_ACR)

    response = log_in(client, oidc, "person-17", next_url="https://evil.example/konto/")

    assert response["Location"] == reverse("home")


def test_a_password_only_session_of_someone_else_becomes_the_linked_person(client, oidc, linked, unit, unverified_login):
    other = UserFactory(unit=unit, roles=["Chef"])
    give_totp(other)
    unverified_login(client, other)
    oidc.set_claims("person-17", acr=STRONG_ACR)

    # The way out and back answers before the second step, like the login page.
    response = log_in(client, oidc, "person-17")

    assert response["Location"] == reverse("home")
    assert logged_in_user_id(client) == str(linked.pk)
    assert client.get(reverse("home")).context["user"] == linked


@pytest.mark.parametrize("claims", [{}, {"acr": "http://id.elegnamnden.se/loa/1.0/loa2"}, {"amr": ["pwd"]}])
def test_without_strong_authentication_the_second_step_follows(client, oidc, linked, claims):
    give_totp(linked)
    oidc.set_claims("person-17", **claims)

    response = log_in(client, oidc, "person-17", next_url=reverse("accounts:notifications"))

    assert response["Location"] == reverse("accounts:verify") + "?next=%2Fkonto%2Faviseringar%2F"
    assert logged_in_user_id(client) == str(linked.pk)
    # Every page still asks for the code.
    home = client.get(reverse("home"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("accounts:verify"))
    assert not AccountEvent.objects.filter(subject=linked, kind=AccountEventKind.LOGIN).exists()


def test_without_strong_authentication_a_user_without_a_device_enrols(client, oidc, linked):
    oidc.set_claims("person-17", amr=["pwd"])

    response = log_in(client, oidc, "person-17")

    assert response["Location"] == reverse("accounts:enrol")


def test_no_values_configured_means_the_provider_is_never_strong_enough(client, oidc, linked, settings):
    settings.OIDC_STRONG_ACR_VALUES = []
    settings.OIDC_STRONG_AMR_VALUES = []
    give_totp(linked)
    oidc.set_claims("person-17", acr=STRONG_ACR, amr=["mfa"])

    assert log_in(client, oidc, "person-17")["Location"] == reverse("accounts:verify")


def test_a_device_reset_ends_a_strong_sessions_verification_too(client, oidc, linked):
    oidc.set_claims("person-17", acr=STRONG_ACR)
    log_in(client, oidc, "person-17")
    assert client.get(reverse("home")).status_code == 200

    # What a password change or an approved second-factor reset does.
    User.objects.filter(pk=linked.pk).update(security_stamp="0" * 32)

    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:verify"))


# --- Refused -----------------------------------------------------------------


def test_an_unknown_subject_gets_no_access_and_a_swedish_page(client, oidc, linked):
    oidc.set_claims("stranger-4", acr=STRONG_ACR)

    response = log_in(client, oidc, "stranger-4")

    assert response.status_code == 403
    page = response.content.decode()
    assert "inget konto i Bolots är kopplat" in page
    assert "stranger-4" in page  # what the administrator needs to link it
    assert logged_in_user_id(client) is None
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:login"))
    # No account is created from the provider.
    assert not User.objects.exclude(pk=linked.pk).exists()


def test_the_same_subject_of_another_provider_is_unknown(client, oidc, linked):
    User.objects.filter(pk=linked.pk).update(oidc_issuer="https://login.other-municipality.example")
    oidc.set_claims("person-17", acr=STRONG_ACR)

    assert log_in(client, oidc, "person-17").status_code == 403
    assert logged_in_user_id(client) is None


def test_a_deactivated_account_is_refused(client, oidc, linked):
    User.objects.filter(pk=linked.pk).update(is_active=False)
    oidc.set_claims("person-17", acr=STRONG_ACR)

    response = log_in(client, oidc, "person-17")

    assert response.status_code == 403
    assert "Ditt konto i Bolots är avstängt" in response.content.decode()
    assert logged_in_user_id(client) is None
    event = AccountEvent.objects.get(subject=linked, kind=AccountEventKind.LOGIN_FAILED)
    assert event.note == "identity provider: inactive"


def test_a_replayed_callback_is_refused(client, oidc, linked):
    oidc.set_claims("person-17", acr=STRONG_ACR)
    params = oidc.log_in(start(client), "person-17")
    assert come_back(client, params).status_code == 302
    client.post(reverse("accounts:logout"))

    # The same state and code again, in the same browser...
    again = come_back(client, params)
    assert again.status_code == 400
    assert "kunde inte slutföras" in again.content.decode()
    assert logged_in_user_id(client) is None

    # ...and in another one (someone who saw the address).
    other = client.__class__()
    replayed = come_back(other, params)
    assert replayed.status_code == 400
    assert other.session.get(SESSION_KEY) is None


def test_a_state_from_another_login_is_refused(client, oidc, linked):
    oidc.set_claims("person-17", acr=STRONG_ACR)
    start(client)  # this browser's own login, never finished
    params = oidc.log_in(start(client.__class__()), "person-17")  # another browser's

    response = come_back(client, params)

    assert response.status_code == 400
    assert logged_in_user_id(client) is None


def test_a_code_issued_to_another_client_is_refused(client, oidc, linked, caplog):
    """The person logs in at the provider for another application (client
    id "another-app") and its code is brought to Bolots' callback with
    Bolots' state: the provider refuses to give Bolots a token for it."""
    oidc.set_claims("person-17", acr=STRONG_ACR)
    params = oidc.log_in(with_param(start(client), client_id="another-app"), "person-17")

    response = come_back(client, params)

    assert response.status_code == 400
    assert logged_in_user_id(client) is None
    assert "OIDC login failed: HTTPError" in caplog.text


def test_an_id_token_for_another_client_is_refused(client, oidc, linked, caplog):
    """A token the provider really signed, but for another application: the
    token exchange is made as "another-app" (its code, its client id), so the
    ID token's audience is "another-app"; Bolots checks `aud` itself (the
    library does not)."""
    oidc.set_claims("person-17", acr=STRONG_ACR)
    params = oidc.log_in(with_param(start(client), client_id="another-app"), "person-17")
    real_get_token = BolotsOIDCBackend.get_token

    def as_another_client(self, payload):
        return real_get_token(self, {**payload, "client_id": "another-app"})

    with mock.patch.object(BolotsOIDCBackend, "get_token", as_another_client):
        response = come_back(client, params)

    assert response.status_code == 400
    assert logged_in_user_id(client) is None
    assert "OIDC login refused: wrong audience" in caplog.text


def test_an_expired_id_token_is_refused(client, settings, expiring_provider, linked, caplog):
    configure(settings, expiring_provider)
    User.objects.filter(pk=linked.pk).update(oidc_issuer=expiring_provider.issuer)
    expiring_provider.set_claims("person-17", acr=STRONG_ACR)

    response = log_in(client, expiring_provider, "person-17")

    assert response.status_code == 400
    assert logged_in_user_id(client) is None
    assert "OIDC login refused: expired token" in caplog.text


def test_a_token_from_another_issuer_is_refused(client, oidc, linked, settings, caplog):
    settings.OIDC_OP_ISSUER = "https://login.other-municipality.example"
    User.objects.filter(pk=linked.pk).update(oidc_issuer=settings.OIDC_OP_ISSUER)
    oidc.set_claims("person-17", acr=STRONG_ACR)

    assert log_in(client, oidc, "person-17").status_code == 400
    assert "OIDC login refused: wrong issuer" in caplog.text


def test_a_provider_that_cannot_be_reached_gives_a_swedish_page_not_a_500(client, oidc, linked, settings):
    oidc.set_claims("person-17", acr=STRONG_ACR)
    params = oidc.log_in(start(client), "person-17")
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"  # nothing listens on the discard port

    response = come_back(client, params)

    assert response.status_code == 400
    assert "kunde inte slutföras" in response.content.decode()


@pytest.mark.parametrize("params", [{}, {"code": "x"}, {"state": "x"}, {"code": "x", "state": "x" * 5000}])
def test_a_callback_with_bad_parameters_gets_the_swedish_page(client, oidc, db, params):
    start(client)

    response = come_back(client, params)

    assert response.status_code == 400
    assert "kunde inte slutföras" in response.content.decode()


def test_a_login_cancelled_at_the_provider_says_so(client, oidc, db):
    state = parse_qs(urlsplit(start(client)).query)["state"][0]

    response = come_back(client, {"error": "access_denied", "state": state})

    assert response.status_code == 400
    assert "avbröts eller nekades" in response.content.decode()


def test_refused_provider_logins_do_not_lock_out_colleagues_behind_the_same_address(client, oidc, linked):
    from axes.models import AccessAttempt, AccessFailureLog

    oidc.set_claims("stranger-4")
    for _ in range(6):  # more than AXES_FAILURE_LIMIT
        assert log_in(client, oidc, "stranger-4").status_code == 403
    oidc.set_claims("person-17", acr=STRONG_ACR)

    assert log_in(client, oidc, "person-17")["Location"] == reverse("home")
    assert not AccessAttempt.objects.exists() and not AccessFailureLog.objects.exists()


def test_failed_passwords_still_lock_out_with_a_provider_configured(client, oidc, linked):
    from django.contrib.auth.hashers import make_password

    User.objects.filter(pk=linked.pk).update(password=make_password("test-password-123"))
    login = reverse("accounts:login")
    for _ in range(4):
        client.post(login, {"username": linked.username, "password": "fel"})

    assert client.post(login, {"username": linked.username, "password": "fel"}).status_code == 429


# --- Linking an account (system administrator, on the server) ---------------


def test_linking_is_logged_without_the_identifier_and_unique_per_provider(unit, provider):
    first = UserFactory(unit=unit)
    second = UserFactory(unit=unit)

    call_command("link_oidc_subject", first.username, "person-99", issuer=provider.issuer)

    first.refresh_from_db()
    assert (first.oidc_issuer, first.oidc_subject) == (provider.issuer, "person-99")
    event = AccountEvent.objects.get(subject=first, kind=AccountEventKind.PERMISSIONS_CHANGED)
    assert event.note == "identity provider linked" and "person-99" not in f"{event.before}{event.after}"
    with pytest.raises(CommandError, match="already linked"):
        call_command("link_oidc_subject", second.username, "person-99", issuer=provider.issuer)
    second.refresh_from_db()
    assert second.oidc_subject == ""

    call_command("link_oidc_subject", first.username, "", unlink=True)
    first.refresh_from_db()
    assert (first.oidc_issuer, first.oidc_subject) == ("", "")


def test_oidc_discover_prints_the_environment_lines_from_the_real_document(provider, capsys):
    call_command("oidc_discover", provider.issuer)

    lines = capsys.readouterr().out.splitlines()
    assert f"OIDC_OP_ISSUER={provider.issuer}" in lines
    assert f"OIDC_OP_TOKEN_ENDPOINT={provider.issuer}/oauth2/token" in lines
    assert f"OIDC_OP_JWKS_ENDPOINT={provider.issuer}/jwks" in lines


def test_oidc_discover_refuses_an_address_that_is_not_an_issuer(provider):
    with pytest.raises(CommandError, match="No discovery document"):
        call_command("oidc_discover", provider.issuer + "/no-such-realm")


def test_oidc_discover_refuses_a_document_that_names_another_issuer():
    """A document served at one address naming another issuer (a proxy or
    a mix-up): not to be used (OpenID Connect Discovery §4.3)."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Document(BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"issuer": "https://login.other.example", "authorization_endpoint": "x",
                               "token_endpoint": "x", "jwks_uri": "x"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Document)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(CommandError, match="another issuer"):
            call_command("oidc_discover", f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
