"""A case officer registers an eviction notice in a real browser (Chromium
through Playwright), sends the bolots unit an eviction-prevention order from
it and sees the 48-hour deadline; axe-core checks every page visited."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.models import EvictionNotice, Order, OrderKind
from referrals.tests.factories_notices import EvictionNoticeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_case_officer_registers_a_notice_and_orders_eviction_prevention(page, case_officer, browser_login, axe, menu):
    today = timezone.localdate()
    terminated = today - timedelta(days=3)

    browser_login(page, "handlaggare")
    axe(page)

    menu(page, "Underrättelser")
    page.get_by_role("heading", name="Underrättelser").wait_for()
    axe(page)
    page.get_by_role("link", name="Registrera underrättelse").click()
    page.get_by_role("heading", name="Registrera underrättelse").wait_for()
    axe(page)

    page.get_by_label("Avsändare").select_option(label="Hyresvärdens uppsägning")
    page.get_by_label("Hyresvärd").fill("Fiktiva Bostäder AB")
    page.get_by_label("Orsak").select_option(label="Hyresskuld")
    page.get_by_label("Hyresgästens namn").fill("Påhittad Hyresgäst")
    page.get_by_label("Bostadens adress").fill("Låtsasgatan 4, Vallentuna")
    page.get_by_label("Barn i hushållet").fill("2")
    page.get_by_label("Skuld (kr)").fill("tolv tusen")
    page.get_by_label("Uppsägningsdatum").fill(f"{terminated:%Y-%m-%d}")
    page.get_by_role("button", name="Spara").click()

    # A bad amount: a Swedish message beside the field, input kept, nothing saved.
    error = page.locator("#id_amount_owed_error")
    assert "Ange ett belopp i kronor" in error.inner_text()
    assert page.get_by_label("Hyresgästens namn").input_value() == "Påhittad Hyresgäst"
    assert EvictionNotice.objects.count() == 0
    axe(page)

    page.get_by_label("Skuld (kr)").fill("12 500")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("heading", name="Underrättelse: Påhittad Hyresgäst").wait_for()
    notice = EvictionNotice.objects.get()
    assert notice.amount_owed == 1_250_000 and notice.children_count == 2
    pay_by = terminated + timedelta(weeks=3)
    pay_by_text = page.locator("dd.pay-by").inner_text()
    assert f"{pay_by:%Y-%m-%d}" in pay_by_text and "18 dagar kvar" in pay_by_text
    assert "Barn i hushållet: 2" in page.content()
    axe(page)

    with page.expect_navigation():
        page.get_by_role("button", name="Skapa vräkningsförebyggande uppdrag").click()
    order = Order.objects.get()
    assert (order.kind, order.eviction_notice_id, order.risk_children) == (OrderKind.EVICTION_PREVENTION, notice.pk, True)
    due = f"{timezone.localtime(order.first_visit_due_at):%Y-%m-%d %H:%M}"
    assert page.url.endswith(f"/uppdrag/{order.pk}/")
    assert due in page.content(), "the order's page shows when the first visit is due"
    axe(page)

    page.goto(f"/underrattelser/{notice.pk}/")
    deadline = page.locator(".order-card .first-visit-due")
    assert due in deadline.inner_text()
    assert "kvar" in deadline.inner_text()
    assert "Skickat" in page.locator(".order-card .order-state").inner_text()
    axe(page)


def test_the_notice_list_fits_a_phone(phone_page, case_officer, unit, browser_login, axe, menu):
    today = timezone.localdate()
    for n in range(3):
        EvictionNoticeFactory(
            unit=unit, registered_by=case_officer, received_on=today - timedelta(days=n),
            termination_date=today - timedelta(days=n + 1), children_count=n,
            landlord="Kommunala Bostadsbolaget i Vallentuna AB",
            address=f"Långa Ekbackens Allé {n + 10}, 186 30 Vallentuna",
        )
    browser_login(phone_page, "handlaggare")

    phone_page.goto("/underrattelser/")
    phone_page.get_by_role("heading", name="Underrättelser").wait_for()
    axe(phone_page)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"no sideways scrolling at 375 px (was {width})"

    phone_page.get_by_role("link", name="Visa alla underrättelser").click()
    phone_page.get_by_role("link", name="Visa bara öppna underrättelser").wait_for()
    axe(phone_page)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375


def test_concern_report_to_outreach_order_and_the_client_tab(page, case_officer, client_record, browser_login, axe, menu):
    browser_login(page, "handlaggare")

    menu(page, "Orosanmälningar")
    page.get_by_role("heading", name="Orosanmälningar").wait_for()
    axe(page)
    page.get_by_role("link", name="Registrera orosanmälan").click()
    page.get_by_label(re.compile(r"^\s*Anmälare\*?\s*$")).select_option(label="Polisen")
    page.get_by_label("Namn eller beskrivning av personen").fill("Man i 50-årsåldern")
    page.get_by_label("Adress eller plats").fill("Tältet bakom idrottsplatsen")
    page.get_by_role("button", name="Spara").click()
    # The concern itself is required: the error sits beside the field. Wait
    # for it: reading the page while the form posts would see an empty page.
    page.locator("#id_concern_error").wait_for()
    assert "id_concern_error" in page.content()
    axe(page)
    page.get_by_label("Vad oron gäller").fill("Fiktiv oro: sover ute sedan två veckor.")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("heading", name="Orosanmälan: Man i 50-årsåldern").wait_for()
    axe(page)

    with page.expect_navigation():
        page.get_by_role("button", name="Skapa uppsöksuppdrag").click()
    order = Order.objects.get()
    assert (order.kind, order.client, order.subject_address) == (OrderKind.OUTREACH, None, "Tältet bakom idrottsplatsen")
    axe(page)

    EvictionNoticeFactory(unit=client_record.unit, registered_by=case_officer, client=client_record, tenant_name="")
    page.goto(f"/klienter/{client_record.pk}/underrattelser/")
    page.get_by_role("heading", name="Underrättelser", exact=True).wait_for()
    axe(page)
