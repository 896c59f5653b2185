"""A manager changes the unit's log review rules in the browser: switches
a rule off, enters a bad sample size and gets the message beside the field
(nothing saved), corrects it and saves. axe-core on each state of the
page, on a 375 px phone and on a desktop."""

import pytest
from playwright.sync_api import expect

from logreview.models import ReviewSettings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_manager_changes_the_review_rules(sized_page, unit, manager, browser_login, axe):
    page = sized_page
    browser_login(page, "chef")
    page.goto("/logggranskning/installningar/")
    main = page.locator("main")
    expect(main.get_by_role("heading", name="Inställningar för logggranskning", level=1)).to_be_visible()
    axe(page)

    main.get_by_role("checkbox", name="Läsning utanför arbetstid").uncheck()
    sample = main.get_by_role("textbox", name="Slumpmässigt urval").or_(
        main.get_by_role("spinbutton", name="Slumpmässigt urval"))
    sample.fill("-4")
    main.get_by_role("button", name="Spara").click()
    expect(main.locator(".invalid-feedback").first).to_be_visible()
    assert not ReviewSettings.objects.filter(unit=unit).exists()
    axe(page)

    sample = main.get_by_role("textbox", name="Slumpmässigt urval").or_(
        main.get_by_role("spinbutton", name="Slumpmässigt urval"))
    sample.fill("35")
    main.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Inställningarna för logggranskning sparades.")).to_be_visible()
    saved = ReviewSettings.objects.get(unit=unit)
    assert saved.sample_size == 35 and "off_hours" not in saved.rules and "protected" in saved.rules
    axe(page)
