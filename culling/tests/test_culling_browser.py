"""A manager culls in the browser: from the menu to the culling page, makes
a dry run, reads who is due and who is kept (and why), changes nothing by
looking, approves the list and sees the register of what was culled, with
no name in it. axe-core on every page, on a 375 px phone and a desktop."""

from datetime import date

import pytest
from playwright.sync_api import expect

from culling.models import CulledPerson
from referrals.models import Client

from .files import date_back, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
OLD = date(2019, 6, 3)


def test_a_manager_approves_a_dry_run_and_the_files_are_culled(sized_page, unit, case_officer, manager,
                                                                 browser_login, menu, axe):
    due = person(unit, case_officer, birth=date(1970, 3, 14))
    research = person(unit, case_officer, birth=date(1971, 5, 25))
    for client in (due, research):
        date_back(client.pk, OLD)
    page = sized_page
    browser_login(page, "chef")
    page.goto("/?oversikt=1")
    menu(page, "Gallring")
    main = page.locator("main")
    expect(main.get_by_role("heading", name="Gallring", level=1)).to_be_visible()
    axe(page)

    main.get_by_role("button", name="Gör en provkörning nu").click()
    expect(main.get_by_role("heading", name="Gallringslista", level=1)).to_be_visible()
    due_table = main.get_by_role("table", name="Personer vars akt ska gallras")
    kept_table = main.get_by_role("table", name="Personer som enligt datum ska gallras men bevaras, med skälet")
    expect(due_table).to_contain_text(due.last_name)
    expect(kept_table).to_contain_text(research.last_name)
    expect(kept_table).to_contain_text("Född på en forskningsdag")
    axe(page)
    # Looking at the list culls nothing.
    assert Client.objects.filter(pk=due.pk).exists()

    main.get_by_role("button", name="Godkänn lista nr").click()
    expect(main.get_by_role("heading", name="Register över gallrade akter")).to_be_visible()
    register = CulledPerson.objects.get()
    expect(main.get_by_role("table", name="Akter gallrade i denna körning")).to_contain_text(register.reference)
    expect(main.get_by_role("table", name="Akter gallrade i denna körning")).not_to_contain_text(due.last_name)
    axe(page)
    assert not Client.objects.filter(pk=due.pk).exists()
    assert Client.objects.filter(pk=research.pk).exists()

    page.goto("/gallring/regler/")
    expect(main.get_by_role("heading", name="Gallringsregler", level=1)).to_be_visible()
    axe(page)


def test_a_manager_rejects_a_wrong_list_and_a_missing_reason_is_shown_beside_the_field(
        sized_page, unit, case_officer, manager, browser_login, axe):
    due = person(unit, case_officer, birth=date(1970, 3, 14))
    date_back(due.pk, OLD)
    page = sized_page
    browser_login(page, "chef")
    page.goto("/gallring/")
    main = page.locator("main")
    main.get_by_role("button", name="Gör en provkörning nu").click()
    expect(main.get_by_role("heading", name="Avvisa listan")).to_be_visible()

    main.get_by_role("button", name="Avvisa lista nr").click()
    reason = main.get_by_label("Varför listan avvisas")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(main.get_by_text("Skriv varför listan avvisas.", exact=True)).to_be_visible()
    axe(page)

    reason.fill("Gjord med fel antal år")
    main.get_by_role("button", name="Avvisa lista nr").click()
    expect(page.get_by_text("avvisades; ingenting på den gallras")).to_be_visible()
    expect(main.get_by_text("Listan avvisad")).to_be_visible()
    expect(main.get_by_role("button", name="Godkänn lista nr")).to_have_count(0)
    axe(page)
    assert Client.objects.filter(pk=due.pk).exists()
