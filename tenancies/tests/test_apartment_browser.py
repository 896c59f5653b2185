"""A housing administrator registers an apartment in a real browser
(Chromium through Playwright), adds keys and a complaint and opens the
timeline; axe-core checks every page visited. The list works at 375 px
without sideways scrolling."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tenancies.models import Apartment, ApartmentStatus, Area, Complaint, KeySet, Landlord
from tenancies.tests.factories import ApartmentFactory, list_entry, tenancy_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_housing_administrator_registers_an_apartment_with_keys_and_a_complaint(page, housing_admin, unit,
                                                                                 browser_login, axe, menu):
    today = timezone.localdate()
    # Areas and landlords are chosen from the unit's lists (issue 12 §7).
    list_entry(Area, unit, "Centrum")
    list_entry(Landlord, unit, "Fiktiva Bostäder AB")
    browser_login(page, "boendeadmin")

    menu(page, "Lägenheter")
    page.get_by_role("heading", name="Lägenheter").wait_for()
    axe(page)
    page.get_by_role("link", name="Registrera lägenhet").click()
    page.get_by_role("heading", name="Registrera lägenhet").wait_for()
    axe(page)

    page.get_by_label("Objektsnummer").fill("OBJ-777")
    page.get_by_label("Gatuadress").fill("Påhittade vägen 5")
    page.get_by_label("Postnummer").fill("186 31")
    page.get_by_label("Område").select_option(label="Centrum")
    page.get_by_label("Typ av lägenhet").select_option(label="Träningslägenhet")
    page.get_by_label("Upplåtelseform").select_option(label="Hyresrätt")
    page.get_by_label(re.compile(r"^\s*Rum\s*\*?\s*$")).fill("2,5")
    page.get_by_label("Yta (m²)").fill("58")
    page.get_by_label("Hyresvärd (förstahand)").select_option(label="Fiktiva Bostäder AB")
    page.get_by_label("Förstahandskontrakt från").fill(f"{today - timedelta(days=9):%Y-%m-%d}")
    page.get_by_label("Månadskostnad för socialförvaltningen (kr)").fill("6 500")
    page.get_by_label("Hyra för hyresgästen (kr)").fill("sextusen")
    page.get_by_role("button", name="Spara").click()

    # A bad amount: a Swedish message beside the field, the input kept, nothing saved.
    error = page.locator("#id_rent_error")
    assert "Ange ett belopp i kronor" in error.inner_text()
    assert page.get_by_label("Gatuadress").input_value() == "Påhittade vägen 5"
    assert Apartment.objects.count() == 0
    axe(page)

    page.get_by_label("Hyra för hyresgästen (kr)").fill("6500,50")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("heading", name="Påhittade vägen 5").wait_for()
    apartment = Apartment.objects.get()
    assert (apartment.monthly_cost, apartment.rent, str(apartment.rooms)) == (650_000, 650_050, "2.5")
    axe(page)

    page.get_by_role("link", name="Lägg till nycklar").click()
    page.get_by_role("heading", name="Lägg till nycklar").wait_for()
    axe(page)
    page.get_by_label("Antal nycklar").fill("3")
    page.get_by_label("Nyckelbricka").fill("B12")
    page.get_by_label("Förvaras").fill("Nyckelskåpet")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("heading", name="Påhittade vägen 5").wait_for()
    assert KeySet.objects.get().tag == "B12"

    page.get_by_role("link", name="Registrera klagomål eller skada").click()
    page.get_by_role("heading", name="Registrera klagomål eller skada").wait_for()
    axe(page)
    page.get_by_label(re.compile(r"^\s*Typ\s*\*?\s*$")).select_option(label="Skada")
    page.get_by_label("Anmälare").select_option(label="Personal")
    page.get_by_label("Beskrivning").fill("Repa i ytterdörren vid visning.")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("heading", name="Påhittade vägen 5").wait_for()
    assert Complaint.objects.get().kind == "damage"

    # The timeline: never let, vacant from the lease start 9 days ago up to today = 10 days.
    timeline = page.locator("section[aria-labelledby=timeline-heading]")
    assert "0 hyresförhållanden, sammanlagt 0 dagar uthyrd och 10 dagar ledig." in timeline.inner_text()
    assert "Repa i ytterdörren vid visning." in page.content()
    assert "B12" in page.content()
    axe(page)

    page.get_by_role("link", name="Ändringshistorik").click()
    page.get_by_role("heading", name="Ändringshistorik").wait_for()
    assert "3 × B12, förvaras: Nyckelskåpet" in page.content()
    axe(page)


def test_the_list_works_at_phone_width(phone_page, housing_admin, unit, browser_login, axe, menu):
    today = timezone.localdate()
    for i in range(3):
        apartment = ApartmentFactory(unit=unit, street_address=f"Långa gatunamnsvägen {i + 10}",
                                     status=ApartmentStatus.OCCUPIED if i else ApartmentStatus.VACANT)
        tenancy_history(apartment, [(today - timedelta(days=400), None if i else today - timedelta(days=30))])
    browser_login(phone_page, "boendeadmin")

    for path in ("/lagenheter/", "/lagenheter/lediga/", f"/lagenheter/{apartment.pk}/"):
        phone_page.goto(path)
        axe(phone_page)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"no sideways scrolling at 375 px on {path} (was {width})"
