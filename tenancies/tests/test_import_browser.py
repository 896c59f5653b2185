"""A housing administrator imports the register in a real browser
(Chromium through Playwright), with axe-core checking every page visited,
on a desktop and on a phone."""

import pytest

from tenancies.models import Apartment, Tenancy

from .factories import IMPORT_DATA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("device", ["page", "phone_page"])
def test_housing_administrator_corrects_a_bad_file_and_imports(request, device, housing_admin, browser_login, axe,
                                                               menu):
    page = request.getfixturevalue(device)
    browser_login(page, "boendeadmin")
    menu(page, "Importera register")
    page.get_by_role("heading", name="Importera lägenhetsregistret").wait_for()
    axe(page)

    page.get_by_label("Registerfil").set_input_files(str(IMPORT_DATA / "register_bad.csv"))
    page.get_by_role("button", name="Förhandsgranska").click()
    page.get_by_role("heading", name="Filen innehåller fel").wait_for()
    assert page.get_by_role("table", name="Fel i filen").locator("tbody tr").count() == 13
    axe(page)

    page.get_by_label("Registerfil").set_input_files(str(IMPORT_DATA / "register_good.csv"))
    page.get_by_role("button", name="Förhandsgranska").click()
    page.get_by_role("heading", name="Förhandsgranskning: detta kommer importen att göra").wait_for()
    assert Apartment.objects.count() == 0
    axe(page)

    page.get_by_role("button", name="Bekräfta importen").click()
    page.get_by_role("heading", name="Registret har importerats").wait_for()
    axe(page)
    assert (Apartment.objects.count(), Tenancy.objects.count()) == (5, 6)
