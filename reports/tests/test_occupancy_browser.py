"""A manager opens "Beläggning" from the menu on a phone and a desktop,
picks last year, reads the apartments' days and their months (the month
table scrolls in its own region on a phone), and finds the months and the
apartments empty for over 60 days on the dashboard. axe-core checks each
page."""

from datetime import date

import pytest
from django.utils import timezone

from tenancies.models import EndReason, Vacancy, VacancyReason
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_manager_reads_the_occupancy(sized_page, unit, manager, browser_login, axe, menu):
    page = sized_page
    year = timezone.localdate().year - 1
    let = ApartmentFactory(unit=unit, object_number="BEL-1", street_address="Beläggningsvägen 1")
    TenancyFactory(apartment=let, start_date=date(year - 1, 1, 1), end_date=date(year, 6, 30),
                   end_reason=EndReason.OWN_HOUSING)
    Vacancy.objects.create(apartment=let, reason=VacancyReason.MOVE_OUT, vacant_from=date(year, 7, 1))
    browser_login(page, "chef")
    menu(page, "Beläggning")
    page.get_by_role("heading", level=1).filter(has_text="Beläggning").wait_for()
    page.get_by_label("År").select_option(str(year))
    page.get_by_role("button", name="Visa året").click()
    page.get_by_role("heading", name=f"Beläggning {year}", exact=True).wait_for()
    row = page.locator("#occupancy-table tbody tr").first
    assert "BEL-1" in row.inner_text() and "Beläggningsvägen 1" in row.inner_text()
    # Occupied 1 January – 30 June (181 days, 182 in a leap year), empty the rest.
    assert "49," in row.inner_text() or "50," in row.inner_text()
    # The apartment's months: occupied January–June, empty July–December.
    months = page.locator("#occupancy-months-table")
    months.scroll_into_view_if_needed()
    assert months.locator("thead th[scope=colgroup]").count() == 12
    cells = months.locator("tbody tr").first.locator("td")
    assert cells.nth(0).inner_text() == "31" and cells.nth(1).inner_text() == "0"
    assert cells.nth(22).inner_text() == "0" and cells.nth(23).inner_text() == "31"
    assert "över 60 dagar" in row.inner_text()
    # The page itself does not scroll sideways (on a phone either): the wide month
    # table scrolls inside its region, which the keyboard can reach.
    # (The regions are positioned: the tables' visually hidden texts would
    # otherwise widen the page from outside the scrolling box.)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    region = page.get_by_role("region", name=f"Belagda och tomma dagar per månad {year}")
    assert region.get_attribute("tabindex") == "0"
    axe(page)

    page.goto(f"/mal/{year}/")
    page.locator("#occupancy-months").scroll_into_view_if_needed()
    assert page.locator("#occupancy-months tbody tr").count() == 12
    axe(page)
    page.locator(f'a[href="/mal/{year}/underlag/occupancy.empty_over_60/"]').first.click()
    page.get_by_role("heading", level=1).filter(has_text=str(year)).wait_for()
    assert "BEL-1" in page.content() and "Beläggningsvägen" not in page.content()
    axe(page)
