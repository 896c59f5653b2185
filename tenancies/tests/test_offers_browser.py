"""Matching and offers in a real browser, at desktop size and at 375 px:
a case officer opens a vacant apartment's matching page, offers it, records
the decline with its reason, offers it again and records the acceptance.
axe-core checks every page visited."""

from datetime import date

import pytest

from referrals.tests.factories import ClientFactory
from tenancies.models import ApartmentKind, ApartmentOffer, HousingNeeds, OfferState

from .factories import ApartmentFactory, granted_decision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _offer_from_the_matching_page(page, axe, name):
    page.goto(page.url)  # the matching page, afresh
    page.get_by_role("heading", name="Matcha lägenheten", exact=False).first.wait_for()
    axe(page)
    page.locator("main").get_by_role("link", name=f"Erbjud lägenheten till {name}").click()
    page.get_by_role("heading", name="Erbjud lägenheten").wait_for()
    axe(page)
    page.locator("main").get_by_role("button", name="Registrera erbjudandet").click()
    page.get_by_text("Erbjudandet registrerades.").wait_for()
    axe(page)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_case_officer_offers_a_vacant_apartment_twice(size, request, unit, case_officer, browser_login, axe):
    page = request.getfixturevalue("page" if size == "desktop" else "phone_page")
    apartment = ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING, rooms=2, street_address="Matchvägen 5")
    first = granted_decision(ClientFactory(unit=unit, first_name="Alva", last_name="Förstesson"),
                             decided_on=date(2025, 1, 10), decided_by=case_officer)
    HousingNeeds.objects.create(decision=first, rooms_min=1, rooms_max=3)
    granted_decision(ClientFactory(unit=unit, first_name="Bo", last_name="Andrasson"),
                     decided_on=date(2025, 4, 1), decided_by=case_officer)
    browser_login(page, "handlaggare")

    # From the apartment page to its matching.
    page.goto(f"/lagenheter/{apartment.pk}/")
    page.locator("main").get_by_role("link", name="Matcha mot väntande beslut").click()
    page.get_by_role("heading", name="Matcha lägenheten", exact=False).first.wait_for()
    assert "2 rum (behov 1–3)" in page.content()

    # The oldest decision first: offered, declined with a reason.
    _offer_from_the_matching_page(page, axe, "Alva Förstesson")
    page.get_by_label("Tackade nej").check()
    page.get_by_label("Skäl till att erbjudandet avböjdes").select_option("area")
    page.locator("main").get_by_role("button", name="Spara svaret").click()
    page.get_by_text("Erbjudandet avböjdes.").wait_for()
    axe(page)
    declined = ApartmentOffer.objects.get(decision=first)
    assert (declined.state, declined.decline_reason) == (OfferState.DECLINED, "area")
    assert declined.ivo_offer.decline_reason == "area"

    # Offered again, to the other decision (the declined one waits still
    # and is a candidate again too), and accepted.
    page.goto(f"/lagenheter/{apartment.pk}/matcha/")
    _offer_from_the_matching_page(page, axe, "Bo Andrasson")
    page.get_by_label("Tackade ja: planera inflyttningen").check()
    page.locator("main").get_by_role("button", name="Spara svaret").click()
    page.get_by_text("Erbjudandet antogs.").wait_for()
    axe(page)
    accepted = ApartmentOffer.objects.exclude(pk=declined.pk).get(apartment=apartment)
    assert accepted.state == OfferState.ACCEPTED

    # The unit's open offers.
    page.goto("/erbjudanden/")
    page.get_by_role("heading", name="Öppna erbjudanden").wait_for()
    assert "Andrasson" in page.content()
    axe(page)
