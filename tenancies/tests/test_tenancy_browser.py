"""A case officer moves a client in and out in a real browser (Chromium
through Playwright), with axe-core checking every page visited."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.calendar import years_before
from tenancies.models import ApartmentKind, ApartmentStatus, EndReason, Tenancy

from .factories import ApartmentFactory, TenancyFactory, granted_decision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_case_officer_moves_a_client_in_and_out(page, unit, case_officer, client_record, browser_login, axe):
    today = timezone.localdate()
    decision = granted_decision(client_record, decided_on=today - timedelta(days=10), decided_by=case_officer)
    apartment = ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING, street_address="Provgatan 5")
    browser_login(page, "handlaggare")

    page.goto(f"/klienter/{client_record.pk}/boende/")
    axe(page)
    page.get_by_role("link", name="Registrera inflyttning").click()
    axe(page)

    page.get_by_label("Lägenhet").select_option(str(apartment.pk))
    page.get_by_label("Beslut som inflyttningen verkställer").select_option(str(decision.pk))
    # The day before the decision was made: refused beside the date.
    page.get_by_label("Inflyttningsdatum").fill((today - timedelta(days=11)).isoformat())
    page.get_by_role("button", name="Registrera inflyttning").click()
    error = page.locator("#id_start_date").locator("xpath=..").locator(".invalid-feedback")
    assert "Inflyttningsdatumet måste ligga inom beslutets giltighetstid" in error.inner_text()
    assert Tenancy.objects.count() == 0
    axe(page)

    page.get_by_label("Inflyttningsdatum").fill(today.isoformat())
    page.get_by_label("Månadshyra (kr)").fill("5 900")
    page.get_by_role("button", name="Registrera inflyttning").click()
    page.get_by_text("Inflyttningen registrerades och beslutet är verkställt.").wait_for()
    tenancy = Tenancy.objects.get()
    assert tenancy.rent == 590_000
    axe(page)

    page.get_by_text("Registrera hemförsäkring").first.click()
    page.get_by_label("Försäkringsbolag").fill("Fiktiva Försäkringar AB")
    page.get_by_label("Giltig till och med").fill((today + timedelta(days=365)).isoformat())
    page.get_by_role("button", name="Registrera hemförsäkring").click()
    page.get_by_text("Hemförsäkring: giltig").wait_for()
    axe(page)

    # The end reason is required.
    page.get_by_role("button", name="Registrera utflyttning").click()
    assert "is-invalid" in page.locator("#id_move_out-end_reason").get_attribute("class")
    assert Tenancy.objects.get().end_date is None
    axe(page)
    page.get_by_label("Orsak till avslut").select_option(EndReason.OWN_HOUSING.value)
    page.get_by_role("button", name="Registrera utflyttning").click()
    page.get_by_text("Utflyttningen registrerades.").wait_for()
    axe(page)
    tenancy.refresh_from_db()
    apartment.refresh_from_db()
    assert tenancy.end_reason == EndReason.OWN_HOUSING
    assert apartment.status == ApartmentStatus.VACANT


def test_internal_move_and_takeovers_at_phone_width(phone_page, unit, case_officer, client_record, browser_login, axe):
    today = timezone.localdate()
    decision = granted_decision(client_record, decided_on=years_before(today, 4), decided_by=case_officer)
    tenancy = TenancyFactory(apartment=ApartmentFactory(unit=unit, status=ApartmentStatus.OCCUPIED),
                             client=client_record, decision=decision, start_date=years_before(today, 4))
    ApartmentFactory(unit=unit, street_address="Flyttgatan 2")
    browser_login(phone_page, "handlaggare")

    for url in (f"/boende/{tenancy.pk}/", f"/boende/{tenancy.pk}/omflyttning/", "/boende/overtagande/",
                f"/klienter/{client_record.pk}/boende/"):
        phone_page.goto(url)
        axe(phone_page)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"no sideways scrolling at 375 px on {url} (was {width})"

    phone_page.goto("/boende/overtagande/")
    assert client_record.full_name in phone_page.content()
