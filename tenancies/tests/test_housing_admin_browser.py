"""The housing administrator's pages of issue 12 §7 in a real browser, at
desktop size and at 375 px: from the vacant list to the apartment, the
move-in without a decision choice, the tenancy waiting for its decision,
and the area and landlord lists. axe-core checks every page visited."""

from datetime import date

import pytest

from tenancies.models import ApartmentKind, Tenancy

from .factories import ApartmentFactory, granted_decision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_housing_administrator_moves_a_client_in_from_the_vacant_list(
        size, request, unit, housing_admin, case_officer, client_record, browser_login, menu, axe):
    page = request.getfixturevalue("page" if size == "desktop" else "phone_page")
    apartment = ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING, object_number="TR-0077",
                                 street_address="Provvägen 3")
    granted_decision(client_record, decided_on=date(2024, 1, 15), decided_by=case_officer)
    browser_login(page, "boendeadmin")

    menu(page, "Lägenheter")
    page.locator("main").get_by_role("link", name="Lediga", exact=False).first.click()
    page.locator("main").get_by_role("link", name="Provvägen 3", exact=False).first.click()
    page.get_by_role("heading", name="Provvägen 3", exact=False).first.wait_for()
    axe(page)

    page.locator("main").get_by_role("link", name="Registrera inflyttning").click()
    page.locator("select[name=client]").wait_for()
    assert page.locator("select[name=decision]").count() == 0, "the decision is the case officer's to choose"
    axe(page)
    page.locator("select[name=client]").select_option(str(client_record.pk))
    page.locator("main").get_by_role("button", name="Registrera inflyttning").click()
    page.get_by_text("Väntar på beslutet").first.wait_for()
    axe(page)
    tenancy = Tenancy.objects.get(apartment=apartment)
    assert tenancy.client_id == client_record.pk and tenancy.decision_pending

    page.goto("/lagenheter/listor/")
    page.get_by_role("heading", level=1).wait_for()
    axe(page)
