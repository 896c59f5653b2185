"""A manager walks a month's log review in the browser (issue 13 §2, "Done
when"): from the menu to the month, judges each drawn read, investigates one
and closes the investigation, and signs the month off; axe-core on every
page, on a 375 px phone and on a desktop."""

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from logreview.models import Outcome, ReviewItem, ReviewMonth, ReviewSettings, Verdict
from referrals.tests.factories import ClientFactory

from .factories import log_row, review_item, review_month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def month(unit, case_officer, pilot):
    month = review_month(unit)
    first = ClientFactory(unit=unit, responsible_officer=case_officer, first_name="Ada", last_name="Exempelsson")
    second = ClientFactory(unit=unit, responsible_officer=case_officer, first_name="Bo", last_name="Exempelsson")
    review_item(month, log_row(pilot, client=first), rules=["off_hours"])
    review_item(month, log_row(case_officer, client=second), sampled=True)
    return month


def test_a_manager_reviews_a_month_and_signs_it_off(sized_page, month, manager, browser_login, menu, axe):
    page = sized_page
    browser_login(page, "chef")
    page.goto("/?oversikt=1")
    menu(page, "Loggranskning")
    main = page.locator("main")
    expect(main.get_by_role("heading", name="Loggranskning", level=1)).to_be_visible()
    axe(page)

    main.get_by_role("link", name="2026-10").click()
    expect(main.get_by_role("heading", name="Loggranskning 2026-10")).to_be_visible()
    expect(main).to_contain_text("Läsning utanför arbetstid")
    axe(page)

    # The first read: investigate.
    main.get_by_role("link", name="Bedöm läsningen").first.click()
    expect(main.get_by_role("heading", name="Dragen läsning")).to_be_visible()
    axe(page)
    main.get_by_label("Utred").check()
    main.get_by_role("button", name="Spara bedömningen").click()
    expect(page.locator(".messages .alert-success")).to_contain_text("Bedömningen sparades.")

    # The second: justified, first without the note the verdict needs.
    main.get_by_role("link", name="Bedöm läsningen").first.click()
    main.get_by_label("Befogad").check()
    main.get_by_role("button", name="Spara bedömningen").click()
    expect(main.locator(".invalid-feedback, .error-summary").first).to_contain_text("Skriv varför läsningen var befogad")
    axe(page)
    main.get_by_label("Anteckning").fill("Uppdrag om boendestöd, besök planerat")
    main.get_by_role("button", name="Spara bedömningen").click()
    expect(page.locator(".messages .alert-success")).to_contain_text("Bedömningen sparades.")

    # Close the investigation.
    investigated = ReviewItem.objects.get(review=month, verdict=Verdict.INVESTIGATE)
    main.get_by_role("link", name="Visa läsningen").first.click()
    main.get_by_role("link", name="Avsluta utredningen").click()
    expect(main.get_by_role("heading", name="Avsluta utredningen")).to_be_visible()
    axe(page)
    main.get_by_label("Befogad efter utredning").check()
    main.get_by_label("Vidtagna åtgärder").fill("Samtal med medarbetaren, läsningen gällde ett akut ärende")
    main.get_by_role("button", name="Avsluta utredningen").click()
    expect(page.locator(".messages .alert-success")).to_contain_text("Utredningen avslutades.")
    assert ReviewItem.objects.get(pk=investigated.pk).outcome == Outcome.JUSTIFIED

    # Sign off.
    main.get_by_role("link", name="Attestera månaden").click()
    axe(page)
    main.get_by_label("Anteckning vid attest").fill("Inga avvikelser")
    main.get_by_role("button", name="Attestera månaden").click()
    expect(page.locator(".messages .alert-success")).to_contain_text("Månadens granskning attesterades.")
    expect(main).to_contain_text("Attesterad")
    axe(page)
    stored = ReviewMonth.objects.get(pk=month.pk)
    assert (stored.signed_off_by_id, stored.sign_off_note) == (manager.pk, "Inga avvikelser")


def test_a_single_manager_signs_off_with_their_own_reads_listed(sized_page, unit, manager, case_officer,
                                                                 browser_login, axe):
    """The only manager of the unit: their own read cannot be judged by
    anyone, so the month is signed off with it listed."""
    month = review_month(unit)
    person = ClientFactory(unit=unit, responsible_officer=case_officer, first_name="Cilla", last_name="Exempelsson")
    own = review_item(month, log_row(manager, client=person), rules=["no_errand"])
    page = sized_page
    browser_login(page, "chef")
    page.goto(f"/logggranskning/{month.pk}/")
    main = page.locator("main")
    expect(main).to_contain_text("Du")
    main.get_by_role("link", name="Attestera månaden").click()
    expect(main.get_by_role("heading", name="Kan inte granskas av annan")).to_be_visible()
    expect(main.locator(".unreviewable")).to_contain_text("Cilla Exempelsson")
    axe(page)
    main.get_by_label("Anteckning vid attest").fill("Inga avvikelser")
    main.get_by_role("button", name="Attestera månaden").click()
    expect(page.locator(".messages .alert-success")).to_contain_text("Månadens granskning attesterades.")
    expect(main).to_contain_text("kan inte granskas av annan")
    axe(page)
    own.refresh_from_db()
    assert own.no_other_reviewer and own.verdict == ""


def test_a_second_reviewer_judges_the_managers_own_read(sized_page, unit, other_unit, manager, case_officer,
                                                        browser_login, axe):
    """A manager of another unit, named the unit's second reviewer, finds
    the month on their list and judges the manager's own read; the staff's
    reads of that unit are not shown to them."""
    deputy = UserFactory(username="chef_annan", unit=other_unit, roles=[Role.MANAGER])
    ReviewSettings.objects.create(unit=unit, second_reviewer=deputy)
    month = review_month(unit)
    person = ClientFactory(unit=unit, responsible_officer=case_officer, first_name="Dan", last_name="Exempelsson")
    other = ClientFactory(unit=unit, responsible_officer=case_officer, first_name="Eva", last_name="Exempelsson")
    own = review_item(month, log_row(manager, client=person), rules=["no_errand"])
    review_item(month, log_row(case_officer, client=other), rules=["staff"])
    page = sized_page
    browser_login(page, "chef_annan")
    page.goto("/logggranskning/")
    main = page.locator("main")
    expect(main.get_by_role("heading", name="Som andra granskare")).to_be_visible()
    axe(page)
    main.locator(".second-reviewer-months a").first.click()
    expect(main).to_contain_text("andra granskare")
    expect(main).to_contain_text("Dan Exempelsson")
    expect(main).not_to_contain_text("Eva Exempelsson")
    axe(page)
    main.get_by_role("link", name="Bedöm läsningen").first.click()
    main.get_by_label("Befogad").check()
    main.get_by_label("Anteckning").fill("Chefens eget uppdrag")
    main.get_by_role("button", name="Spara bedömningen").click()
    expect(page.locator(".messages .alert-success")).to_contain_text("Bedömningen sparades.")
    own.refresh_from_db()
    assert (own.verdict, own.reviewed_by_id) == (Verdict.JUSTIFIED, deputy.pk)
