"""The Housing First figures' drill-downs in a real browser (issue 15 §2):
a manager opens the candidates proposed in a year and the 12-month cohort
of tenancies from the dashboard's links, on a 375 px phone and a desktop;
axe-core checks each page."""

import pytest
from playwright.sync_api import expect

from referrals.models import HousingFirstCandidate

from .housing_first_data import build_candidates, build_tenancies

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
YEAR = 2025


def test_manager_opens_the_housing_first_lists(sized_page, unit, other_unit, case_officer, manager, browser_login,
                                               axe):
    page = sized_page
    build_candidates(unit, other_unit, case_officer)
    build_tenancies(unit, other_unit)
    proposed = HousingFirstCandidate.objects.filter(unit=unit, proposed_on__year=YEAR).count()
    assert proposed == 4  # C1–C4 of the data set
    browser_login(page, "chef")

    page.goto(f"/mal/?ar={YEAR}")
    link = page.locator(f'a[href="/mal/{YEAR}/underlag/housing_first.proposed/"]')
    expect(link.first).to_be_visible()
    link.first.click()
    page.get_by_role("heading", level=1).filter(has_text=str(YEAR)).wait_for()
    # One row per candidate of the unit proposed in the year.
    expect(page.locator("table tbody tr")).to_have_count(proposed)
    axe(page)

    page.goto(f"/mal/{YEAR}/underlag/housing_first.cohort/")
    page.get_by_role("heading", level=1).filter(has_text=str(YEAR)).wait_for()
    assert page.locator("table tbody tr").count() >= 1
    axe(page)
