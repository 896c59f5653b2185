"""Duplicates in a real browser (issue 12 §6): a bolots on a 375 px phone
logs the same visit twice and is asked, with a link to the first, before
anything is saved; "Spara ändå" saves it; a double tap on "Spara besöket"
logs one visit. A case officer at desktop width registering the same
decision twice is asked the same way. axe-core checks every page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bolots.models import Visit
from referrals.models import Decision, OrderKind
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_decisions import DecisionFactory
from referrals.tests.factories_orders import accepted_order, make_pilot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_same_visit_twice_is_asked_about_on_a_phone(phone_page, unit, case_officer, pilot, browser_login, axe):
    colleague = make_pilot(unit, "bolots3", first_name="Sara", last_name="Kollega")
    person = ClientFactory(unit=unit, responsible_officer=case_officer)
    order = accepted_order(pilot, colleague, client=person, ordered_by=case_officer, kind=OrderKind.SINGLE_ERRAND,
                           sent_at=timezone.now() - timedelta(days=5))
    when = (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    browser_login(phone_page, "bolots")

    def log_visit(button_action="click"):
        phone_page.goto(f"/uppdrag/{order.pk}/besok/nytt/")
        phone_page.get_by_label("Datum och tid").fill(when)
        button = phone_page.get_by_role("button", name="Spara besöket")
        getattr(button, button_action)()

    # A double tap sends the form twice: one visit.
    log_visit("dblclick")
    # Polled, not awaited as a navigation: the second submit may abort the
    # first navigation, which wait_for_url reports as an error (ERR_ABORTED).
    expect(phone_page).not_to_have_url(re.compile(r"/besok/nytt/"))
    phone_page.wait_for_load_state("networkidle")
    assert Visit.objects.count() == 1
    first = Visit.objects.get()

    # The same time again: asked, nothing saved.
    log_visit()
    warning = phone_page.locator("#duplicate-warning")
    warning.wait_for()
    assert Visit.objects.count() == 1
    assert warning.get_by_role("link", name="Öppna det besök som redan är registrerat").get_attribute("href") == (
        f"/besok/{first.pk}/"
    )
    assert "är redan registrerat på det här uppdraget" in phone_page.content()
    assert not phone_page.get_by_label("Spara ändå").is_checked()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    axe(phone_page)

    phone_page.get_by_label("Spara ändå").check()
    phone_page.get_by_role("button", name="Spara besöket").click()
    phone_page.get_by_text("Besöket är registrerat.").wait_for()
    assert Visit.objects.count() == 2
    axe(phone_page)


def test_the_same_decision_twice_is_asked_about(page, unit, case_officer, browser_login, axe):
    person = ClientFactory(unit=unit, responsible_officer=case_officer)
    existing = DecisionFactory(client=person, decided_by=case_officer)
    browser_login(page, case_officer.username)

    page.goto(f"/klienter/{person.pk}/beslut/nytt/")
    page.get_by_label("Insats").select_option(existing.kind)
    page.get_by_label("Lagrum").select_option(str(existing.legal_basis_id))
    page.get_by_label("Utfall").select_option(existing.outcome)
    for label, day in (("Ansökningsdatum", existing.applied_on), ("Beslutsdatum", existing.decided_on),
                       ("Gäller från", existing.valid_from)):
        page.get_by_label(label).fill(day.strftime("%Y-%m-%d"))
    page.get_by_role("button", name="Spara", exact=True).click()

    warning = page.locator("#duplicate-warning")
    warning.wait_for()
    assert Decision.objects.count() == 1
    assert warning.get_by_role("link").get_attribute("href") == f"/beslut/{existing.pk}/"
    axe(page)
    page.get_by_label("Spara ändå").check()
    page.get_by_role("button", name="Spara", exact=True).click()
    page.get_by_text("Beslutet är registrerat.").wait_for()
    assert Decision.objects.count() == 2
    axe(page)
