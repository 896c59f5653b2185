"""A manager writes one of the evaluation's texts in a real browser, at
375 px and on a desktop: the texts page, the edit page with its state, the
saved text back on the texts page, the history and the delegates page.
axe-core checks every page."""

import pytest

from reports.models import NarrativeText

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
YEAR = 2025


def test_manager_writes_a_text_and_delegates(sized_page, unit, manager, case_officer, browser_login, axe):
    page = sized_page
    browser_login(page, "chef")
    page.goto(f"/utvardering/{YEAR}/texter/")
    main = page.locator("main")
    main.get_by_role("heading", name=f"Utvärderingens texter {YEAR}").wait_for()
    axe(page)
    main.get_by_role("link", name="Skriv Förbättringsområden").click()
    main.get_by_label("Text").fill("Avslutsorsaken ska registreras i varje ärende.\n\nBoendekursen ska hållas oftare.")
    main.get_by_label("Slutlig").check()
    axe(page)
    main.get_by_role("button", name="Spara").click()
    main.get_by_text("Texten ”Förbättringsområden” sparades.").wait_for()
    text = NarrativeText.objects.get(unit=unit, year=YEAR, section="improvements")
    assert (text.state, text.updated_by_id) == ("final", manager.pk)
    assert "Inga personuppgifter hittades" in main.inner_text()
    axe(page)
    main.get_by_role("link", name="Historik Förbättringsområden").click()
    main.get_by_text("Boendekursen ska hållas oftare.").first.wait_for()
    axe(page)
    page.goto(f"/utvardering/{YEAR}/texter/delegater/")
    main.get_by_label("Användare").select_option(label=f"{case_officer} ({case_officer.username})")
    main.get_by_role("button", name="Delegera").click()
    main.get_by_text("har fått besked om det").wait_for()
    axe(page)
