"""A case officer registers a client in a real browser (Chromium through
Playwright), with axe-core checking every page visited."""

from datetime import date

import pytest

from core import personnummer
from referrals.models import Client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_case_officer_registers_a_client_after_a_check_digit_error(page, case_officer, browser_login, axe, menu):
    digits = personnummer.make_number(date(1991, 4, 17), 372)
    wrong_check = str((int(digits[-1]) + 3) % 10)

    page.goto("/konto/logga-in/")
    axe(page)
    browser_login(page, "handlaggare")
    axe(page)

    menu(page, "Klienter")
    axe(page)
    page.get_by_role("link", name="Registrera klient").click()
    axe(page)

    page.get_by_label("Förnamn").fill("Tilda")
    page.get_by_label("Efternamn").fill("Påhittad")
    number_field = page.locator("main").get_by_label("Personnummer", exact=True)
    number_field.fill(f"{digits[2:8]}-{digits[8:11]}{wrong_check}")
    page.get_by_label("Missbruk").check()
    page.get_by_role("button", name="Spara").click()

    error = page.locator("#id_personal_number_error")
    assert "Kontrollsiffran (den sista siffran) stämmer inte" in error.inner_text()
    assert number_field.get_attribute("aria-invalid") == "true"
    assert "id_personal_number_error" in number_field.get_attribute("aria-describedby")
    assert page.get_by_label("Förnamn").input_value() == "Tilda", "input is kept"
    assert Client.objects.count() == 0
    axe(page)

    number_field.fill(f"{digits[2:8]}-{digits[8:]}")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("heading", name="Tilda Påhittad").wait_for()
    assert "Klienten är registrerad." in page.content()
    axe(page)

    menu(page, "Klienter")
    page.get_by_label("Sök på namn eller personnummer").fill(digits[8:])
    page.locator("main").get_by_role("button", name="Sök", exact=True).click()
    result = page.get_by_role("link", name="Tilda Påhittad")
    result.wait_for()
    assert digits[8:] not in page.url
    axe(page)

    result.click()
    page.get_by_role("heading", name="Tilda Påhittad").wait_for()
    assert f"{digits[:8]}-{digits[8:]}" in page.content()


def test_client_pages_work_at_phone_width(phone_page, case_officer, client_record, browser_login, axe, menu):
    browser_login(phone_page, "handlaggare")

    phone_page.goto("/klienter/")
    axe(phone_page)
    # The menu collapses behind a button on a phone.
    menu(phone_page, "Klienter")
    phone_page.wait_for_url("**/klienter/")
    phone_page.goto(f"/klienter/{client_record.pk}/")
    axe(phone_page)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"no sideways scrolling at 375 px (was {width})"
