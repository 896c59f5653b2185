"""Updating the risk information in a real browser: on a 375 px phone the
bolots opens the visit form, sees the current risks first, follows
"Uppdatera riskinformation", ticks a risk, saves and is back on the visit
form with the new risk and their name; on a desktop the case officer sees the
history. axe-core checks every page visited."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.models import Client, OrderKind
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import accepted_order, make_pilot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_bolots_updates_the_risks_from_the_visit_form(phone_page, page, unit, case_officer, pilot, browser_login,
                                                        axe):
    colleague = make_pilot(unit, "bolots3")
    person = ClientFactory(unit=unit, responsible_officer=case_officer, first_name="Ada", last_name="Påhittad")
    order = accepted_order(pilot, colleague, client=person, ordered_by=case_officer, kind=OrderKind.BOLOTS_SUPPORT,
                           accepted_at=timezone.now() - timedelta(days=20), risk_animals=True)

    browser_login(phone_page, "bolots")
    phone_page.goto(f"/uppdrag/{order.pk}/besok/nytt/")
    risks = phone_page.locator(".current-risk")
    risks.get_by_role("heading", name="Riskinformation").wait_for()
    axe(phone_page)
    assert "Djur i hemmet" in risks.inner_text()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375

    risks.get_by_role("link", name="Uppdatera riskinformation").click()
    phone_page.get_by_role("heading", name="Uppdatera riskinformation", level=2).wait_for()
    axe(phone_page)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    phone_page.get_by_label("Hot eller vapen").check()
    phone_page.get_by_label("Övriga risker").fill("Hotade grannen i trapphuset.")
    phone_page.get_by_role("button", name="Spara").click()

    phone_page.get_by_text("Riskinformationen uppdaterades.").wait_for()
    assert phone_page.url.endswith(f"/uppdrag/{order.pk}/besok/nytt/")
    risks = phone_page.locator(".current-risk")
    assert "Hot eller vapen" in risks.inner_text() and "Hotade grannen" in risks.inner_text()
    assert str(pilot) in risks.inner_text()
    axe(phone_page)
    assert Client.objects.get(pk=person.pk).risk_threats

    browser_login(page, "handlaggare")
    page.goto(f"/klienter/{person.pk}/risker/historik/")
    page.get_by_role("heading", name="Riskinformationens historik").wait_for()
    axe(page)
    assert page.get_by_role("cell", name="Hotade grannen i trapphuset.").is_visible()
