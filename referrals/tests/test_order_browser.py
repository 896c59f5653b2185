"""An order in a real browser: a case officer sends it from the client's
tab, a bolots accepts it on a phone, a manager splits a bolots's orders; axe-core
checks every page visited."""

import pytest

from referrals.models import Order, OrderState
from referrals.tests.factories import ClientFactory

from .factories_orders import accepted_order, make_pilot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_order_from_client_tab_to_accepted_on_a_phone(
    page, phone_page, unit, case_officer, pilot, second_pilot, manager, browser_login, axe, menu
):
    person = ClientFactory(unit=unit, responsible_officer=case_officer, first_name="Berit", last_name="Påhittad",
                           children_in_home=1)

    browser_login(page, "handlaggare")
    page.goto(f"/klienter/{person.pk}/")
    page.get_by_role("link", name="Uppdrag", exact=True).last.click()
    page.get_by_role("heading", name="Uppdrag", exact=True).wait_for()
    axe(page)
    page.get_by_role("link", name="Nytt uppdrag").click()
    axe(page)
    assert page.get_by_label("Barn i hemmet").is_checked(), "preset from the client file"
    page.get_by_label("Typ av uppdrag").select_option(label="Vräkningsförebyggande")
    page.get_by_label("Uppdragsbeskrivning").fill("Hembesök om hyresskulden.")
    page.get_by_label("Djur i hemmet").check()
    page.get_by_role("button", name="Skicka uppdraget").click()
    page.get_by_text("Uppdraget är skickat till bolotsenheten.").wait_for()
    order = Order.objects.get()
    assert "Berit Påhittad" in page.content()
    axe(page)
    menu(page, "Uppdrag")
    page.get_by_role("heading", name="Enhetens uppdrag").wait_for()
    assert "timmar kvar" in page.content()
    axe(page)

    browser_login(phone_page, "bolots")
    phone_page.goto("/uppdrag/")
    phone_page.get_by_role("heading", name="Att ta emot").wait_for()
    assert "Berit" not in phone_page.content()
    axe(phone_page)
    phone_page.get_by_role("link", name=f"Vräkningsförebyggande #{order.pk}").click()
    # Wait for the order page itself: an absent name on a half-loaded page proves nothing.
    phone_page.get_by_label("Aktiv bolots").wait_for()
    assert "Berit" not in phone_page.content()
    axe(phone_page)
    phone_page.get_by_label("Aktiv bolots").select_option(str(pilot.pk))
    phone_page.get_by_label("Passiv bolots").select_option(str(second_pilot.pk))
    phone_page.get_by_role("button", name="Acceptera").click()
    phone_page.get_by_text("Uppdraget är accepterat.").wait_for()
    assert "Berit Påhittad" in phone_page.content()
    axe(phone_page)
    assert Order.objects.get().state == OrderState.ACCEPTED
    phone_page.goto("/uppdrag/")
    phone_page.get_by_role("heading", name="Mina uppdrag").wait_for()
    axe(phone_page)


def test_manager_splits_a_pilots_orders(page, unit, manager, pilot, second_pilot, browser_login, axe, menu):
    third = make_pilot(unit, "bolots3")
    fourth = make_pilot(unit, "bolots4")
    anna = ClientFactory(unit=unit, first_name="Anna", last_name="Påhittad")
    bertil = ClientFactory(unit=unit, first_name="Bertil", last_name="Påhittad")
    annas = [accepted_order(pilot, second_pilot, client=anna), accepted_order(pilot, third, client=anna)]
    bertils = accepted_order(third, pilot, client=bertil, state=OrderState.IN_PROGRESS)
    browser_login(page, "chef")
    menu(page, "Omfördelning")
    page.get_by_role("heading", name="Fördela en bolots uppdrag").wait_for()
    axe(page)
    page.get_by_label("Bolotsen vars uppdrag flyttas").select_option(str(pilot.pk))
    page.get_by_role("button", name="Visa uppdragen").click()
    page.get_by_role("heading", name="Anna Påhittad").wait_for()
    axe(page)
    page.get_by_label("Skäl till omfördelningen").fill("Föräldraledig")
    page.locator(f"#id_client_{anna.pk}").select_option(str(fourth.pk))
    page.locator(f"#id_order_{bertils.pk}").select_option(str(second_pilot.pk))
    page.get_by_role("button", name="Förhandsgranska").click()
    page.get_by_role("heading", name="Arbetsbelastning efter omfördelningen").wait_for()
    axe(page)
    page.get_by_role("button", name="Bekräfta omfördelningen").click()
    page.get_by_role("heading", name="Tidigare omfördelningar").wait_for()
    assert "har nu 0 öppna uppdrag" in page.content()
    axe(page)
    assert [Order.objects.get(pk=order.pk).active_pilot for order in annas] == [fourth, fourth]
    assert Order.objects.get(pk=bertils.pk).passive_pilot == second_pilot
