"""Issue 12 §4 in a real browser: visit notes are never lost.

The round trip: a bolots types a visit's notes, the autosave keeps them as a
server-side draft, the session ends on the server, the save lands on the
login page with a message, and after logging in again the form is back with
the text and a notice that it was not saved. The warning: shortly before the
idle timeout a modal alert dialog takes the focus; "Fortsätt arbeta" renews
the session; when the time runs out, the logout is announced. axe-core checks
every page visited, at 375 px and at desktop width."""

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.models import Draft
from accounts.tests.second_factor import fresh_code
from bolots.models import Visit
from referrals.models import OrderKind
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import BolotsDecisionFactory, accepted_order, make_pilot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NOTES = "Pratade länge om budgeten och hyran i december."


@pytest.fixture
def order(unit, case_officer, pilot):
    colleague = make_pilot(unit, "bolots3", first_name="Sara", last_name="Kollega")
    person = ClientFactory(unit=unit, responsible_officer=case_officer)
    decision = BolotsDecisionFactory(client=person, decided_by=case_officer)
    return accepted_order(
        pilot, colleague, client=person, ordered_by=case_officer, kind=OrderKind.BOLOTS_SUPPORT, decision=decision,
        sent_at=timezone.now() - timedelta(days=12), accepted_at=timezone.now() - timedelta(days=11),
    )


def log_in_on_the_login_page(page, username):
    """Log in from the login page the browser is on, keeping its `next`."""
    device = TOTPDevice.objects.get(user__username=username)
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill("test-password-123")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(lambda url: "logga-in" not in url)
    page.locator("input[name=code]").fill(fresh_code(device))
    page.get_by_role("button", name="Bekräfta", exact=True).click()
    page.wait_for_url(lambda url: "tvastegsverifiering" not in url)


def test_notes_survive_a_session_that_ended_before_the_save(sized_page, order, pilot, browser_login, axe):
    page = sized_page
    form_path = f"/uppdrag/{order.pk}/besok/nytt/"
    browser_login(page, "bolots")
    page.goto(form_path)
    page.get_by_role("heading", name="Registrera besök").wait_for()
    axe(page)

    page.get_by_label("Anteckningar", exact=True).fill(NOTES)
    # The autosave runs 5 s after the first keystroke.
    expect(page.locator("[data-draft-status]").first).to_contain_text("Utkastet sparades kl.", timeout=12_000)
    draft = Draft.objects.get(user=pilot)
    assert draft.key == f"{form_path}#VisitForm"
    assert draft.data["notes"] == NOTES

    # The session ends on the server (idle timeout), the user saves. The
    # cached copy (cached_db sessions) ends with it, as its cache timeout is
    # the session's age.
    Session.objects.all().delete()
    cache.clear()
    page.get_by_role("button", name="Spara besöket").click()
    page.wait_for_url(lambda url: "logga-in" in url)
    expect(page.get_by_role("alert")).to_contain_text("så formuläret sparades inte")
    assert not Visit.objects.exists()
    axe(page)

    log_in_on_the_login_page(page, "bolots")
    assert page.url.endswith(form_path)
    assert page.get_by_label("Anteckningar", exact=True).input_value() == NOTES
    notice = page.locator(".draft-notice")
    expect(notice).to_contain_text("Du hade loggats ut innan formuläret sparades, så det sparades inte.")
    expect(notice).to_contain_text("Ett osparat utkast från")
    axe(page)

    page.get_by_role("button", name="Spara besöket").click()
    page.get_by_text("Besöket är registrerat.").wait_for()
    assert Visit.objects.get().notes == NOTES
    # A successful save deletes the draft.
    assert not Draft.objects.exists()


def test_a_draft_can_be_discarded(page, order, pilot, browser_login, axe):
    form_path = f"/uppdrag/{order.pk}/besok/nytt/"
    browser_login(page, "bolots")
    page.goto(form_path)
    page.get_by_label("Anteckningar", exact=True).fill(NOTES)
    expect(page.locator("[data-draft-status]").first).to_contain_text("Utkastet sparades kl.", timeout=12_000)

    page.goto(form_path)  # opened again later: the draft comes back
    expect(page.locator(".draft-notice")).to_contain_text("Ett osparat utkast från")
    assert page.get_by_label("Anteckningar", exact=True).input_value() == NOTES
    axe(page)
    page.get_by_role("button", name="Kasta utkastet").click()
    expect(page.locator(".draft-notice")).to_have_count(0)
    assert page.get_by_label("Anteckningar", exact=True).input_value() == ""
    assert not Draft.objects.exists()


def _session_expiry():
    return Session.objects.get().expire_date


def test_the_warning_before_the_session_ends(sized_page, settings, order, pilot, browser_login, axe):
    page = sized_page
    # A session of 10 s with the warning 5 s before its end.
    settings.SESSION_COOKIE_AGE = 10
    settings.SESSION_WARNING_SECONDS = 5
    browser_login(page, "bolots")
    Session.objects.exclude(expire_date__gt=timezone.now()).delete()
    # The form opens 3 s after the login wrote the session: this page view
    # does not renew it, so the page has about 7 s left, not 10. After
    # "Fortsätt arbeta" it has the whole 10 s again, and the countdown must
    # use them: counting the page's shorter rest announced the logout while
    # the server still held the session.
    time.sleep(3)
    page.goto(f"/uppdrag/{order.pk}/besok/nytt/")
    dialog = page.get_by_role("alertdialog", name="Du loggas snart ut")
    expect(dialog).to_be_visible(timeout=10_000)
    expect(dialog).to_contain_text("Det du har skrivit sparas som utkast.")
    # The focus is in the dialog, on its one action.
    continue_button = dialog.get_by_role("button", name="Fortsätt arbeta")
    expect(continue_button).to_be_focused()
    axe(page)

    before = _session_expiry()
    time.sleep(1)
    continue_button.click()
    expect(dialog).to_be_hidden()
    # "Fortsätt arbeta" renewed the session on the server.
    assert _session_expiry() > before

    # Left alone again: the logout is announced when the time is up.
    ended = page.get_by_role("alert").filter(has_text="Du har loggats ut")
    expect(ended).to_be_visible(timeout=15_000)
    expect(ended).to_be_focused()
    axe(page)
    page.reload()
    assert "logga-in" in page.url


def test_continuing_in_one_tab_closes_the_warning_in_the_other(page, settings, order, pilot, browser_login, axe):
    """Two tabs of one session: both warn, "Fortsätt arbeta" in one renews
    the session for both, and the other tab's dialog closes (the tabs tell
    each other the new deadline; nothing is stored in the browser)."""
    settings.SESSION_COOKIE_AGE = 10
    settings.SESSION_WARNING_SECONDS = 5
    browser_login(page, "bolots")
    other = page.context.new_page()
    page.goto(f"/uppdrag/{order.pk}/besok/nytt/")
    other.goto(f"/uppdrag/{order.pk}/")
    first = page.get_by_role("alertdialog", name="Du loggas snart ut")
    second = other.get_by_role("alertdialog", name="Du loggas snart ut")
    expect(first).to_be_visible(timeout=10_000)
    expect(second).to_be_visible(timeout=10_000)
    axe(other)

    before = _session_expiry()
    time.sleep(1)
    second.get_by_role("button", name="Fortsätt arbeta").click()
    expect(second).to_be_hidden()
    expect(first).to_be_hidden()
    assert _session_expiry() > before
    # Neither tab announces a logout the server has not made.
    time.sleep(6)
    expect(page.get_by_role("alert").filter(has_text="Du har loggats ut")).to_be_hidden()
    expect(other.get_by_role("alert").filter(has_text="Du har loggats ut")).to_be_hidden()
