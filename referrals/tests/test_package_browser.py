"""The training-apartment package form in a real browser: a case officer
grants both decisions and sends the order in one form; a failed save shows
the message beside the field; axe-core checks every page (desktop and
phone)."""

import pytest

from referrals.models import Decision, DecisionKind, Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_case_officer_grants_the_package_with_the_order(page, phone_page, case_officer, client_record,
                                                        browser_login, axe):
    browser_login(page, "handlaggare")
    page.goto(f"/klienter/{client_record.pk}/")
    page.get_by_role("link", name="Beslut", exact=True).click()
    page.get_by_role("heading", name="Beslut", exact=True).wait_for()
    page.get_by_role("link", name="Träningslägenhet med bolotsinsats").click()
    page.get_by_role("heading", name="Bevilja träningslägenhet med bolotsinsats").wait_for()
    axe(page)
    page.get_by_label("Lagrum").select_option(index=1)
    page.get_by_label("Ansökningsdatum").fill("2099-01-01")
    page.get_by_label("Skicka också uppdraget om bolotsinsats till bolotsenheten").check()
    page.get_by_role("button", name="Bevilja båda besluten").click()

    page.get_by_text("Datumet kan inte ligga i framtiden.").first.wait_for()
    page.get_by_text("Skriv vad bolotsenheten ska göra").first.wait_for()
    assert Decision.objects.count() == 0
    axe(page)
    page.get_by_label("Ansökningsdatum").fill("2026-10-01")
    page.get_by_label("Uppdragsbeskrivning").fill("Veckovisa hembesök.")
    page.get_by_role("button", name="Bevilja båda besluten").click()

    page.get_by_text("Träningslägenhet och bolotsinsats beviljades, och uppdraget skickades").wait_for()
    assert set(Decision.objects.values_list("kind", flat=True)) == {
        DecisionKind.TRAINING_APARTMENT, DecisionKind.BOLOTS_SUPPORT,
    }
    assert Order.objects.get().decision.kind == DecisionKind.BOLOTS_SUPPORT
    axe(page)

    browser_login(phone_page, "handlaggare")
    phone_page.goto(f"/klienter/{client_record.pk}/beslut/paket/")
    phone_page.get_by_role("heading", name="Bevilja träningslägenhet med bolotsinsats").wait_for()
    axe(phone_page)
