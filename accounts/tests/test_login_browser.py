"""Login with the second step in a real browser at 375 px (Chromium through
Playwright), axe-core clean; passkeys with Chromium's virtual authenticator."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from audit.models import AccountEvent, AccountEventKind

from .second_factor import code_for, fresh_code, give_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def password_step(page, username):
    page.goto("/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill("test-password-123")
    page.get_by_role("button", name="Logga in").click()


def test_first_login_enrols_an_app_on_a_phone(phone_page, pilot, axe):
    page = phone_page
    page.goto("/konto/logga-in/")
    axe(page)
    password_step(page, "bolots")
    page.wait_for_url("**/tvastegsverifiering/aktivera/")
    page.get_by_role("heading", name="Slå på tvåstegsinloggning").wait_for()
    axe(page)
    assert page.get_by_role("img", name="QR-kod för autentiseringsappen").is_visible()
    # Nothing is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    device = TOTPDevice.objects.get(user=pilot, confirmed=False)
    from accounts.login.services import totp_secret

    assert secret == totp_secret(device)

    page.locator("input[name=code]").fill("000000" if code_for(device) != "000000" else "111111")
    page.get_by_role("button", name="Slå på", exact=True).click()
    page.locator("form").get_by_text("Koden stämde inte").wait_for()  # beside the field (also in the error summary)
    axe(page)
    page.locator("input[name=code]").fill(code_for(device))
    page.get_by_role("button", name="Slå på", exact=True).click()
    page.get_by_role("heading", name="Dina reservkoder").wait_for()
    axe(page)
    assert page.locator("#backup-codes li").count() == 10
    page.get_by_role("link", name="Jag har sparat koderna, fortsätt").click()
    page.wait_for_url(lambda url: "tvastegsverifiering" not in url)
    # The menu is shown only to a verified session.
    assert page.locator("#main-nav").count() == 1


def test_login_with_a_code_on_a_phone(phone_page, case_officer, axe):
    page = phone_page
    device = give_totp(case_officer)
    password_step(page, "handlaggare")
    page.wait_for_url("**/tvastegsverifiering/")
    page.get_by_role("heading", name="Bekräfta din inloggning").wait_for()
    axe(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.locator("input[name=code]").fill("abcdef")
    page.get_by_role("button", name="Bekräfta", exact=True).click()
    page.locator("form").get_by_text("Fel kod. 4 försök kvar").wait_for()  # beside the field (also in the error summary)
    axe(page)
    page.locator("input[name=code]").fill(fresh_code(device))
    page.get_by_role("button", name="Bekräfta", exact=True).click()
    page.wait_for_url(lambda url: "tvastegsverifiering" not in url)
    axe(page)
    assert AccountEvent.objects.filter(subject=case_officer, kind=AccountEventKind.LOGIN).exists()


def _virtual_authenticator(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp


def test_passkey_registration_and_login(page, case_officer, settings, live_server, axe):
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    _virtual_authenticator(page)
    device = give_totp(case_officer)

    # Verified with the app, the user adds a passkey on the security page.
    password_step(page, "handlaggare")
    page.wait_for_url("**/tvastegsverifiering/")
    page.locator("input[name=code]").fill(fresh_code(device))
    page.get_by_role("button", name="Bekräfta", exact=True).click()
    page.wait_for_url(lambda url: "tvastegsverifiering" not in url)
    page.goto("/konto/sakerhet/")
    axe(page)
    page.get_by_role("button", name="Registrera en nyckel (passkey)").click()
    page.get_by_text("1 nyckel (passkey)").wait_for()
    assert WebAuthnCredential.objects.filter(user=case_officer, confirmed=True).count() == 1
    axe(page)

    # Next login: password, then the passkey instead of a code.
    page.get_by_role("button", name="Logga ut").click()
    password_step(page, "handlaggare")
    page.wait_for_url("**/tvastegsverifiering/")
    axe(page)
    page.get_by_role("button", name="Bekräfta med nyckel (passkey)").click()
    page.wait_for_url(lambda url: "tvastegsverifiering" not in url)
    login = AccountEvent.objects.filter(subject=case_officer, kind=AccountEventKind.LOGIN).order_by("-id").first()
    assert login.note == "passkey"
    assert page.goto("/konto/aviseringar/").status == 200
