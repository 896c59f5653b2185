"""Decisions, plans and the IVO report in a real browser (Chromium through
Playwright), with axe-core checking every page visited."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from referrals.models import Decision, DecisionKind, IndividualPlan, LegalTopic
from referrals.services.legal import reference_for
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_decisions import DecisionFactory, InterruptionFactory, OfferFactory, PlanFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_case_officer_registers_a_training_apartment_package_and_executes_it(
    page, case_officer, client_record, browser_login, axe
):
    browser_login(page, "handlaggare")
    page.goto(f"/klienter/{client_record.pk}/")
    page.get_by_role("link", name="Beslut", exact=True).click()
    page.get_by_role("heading", name="Beslut", exact=True).wait_for()
    axe(page)

    page.get_by_role("link", name="Registrera beslut").click()
    axe(page)
    page.get_by_label("Insats").select_option(DecisionKind.TRAINING_APARTMENT)
    # A decision of January 2025 is made under the old act (in force then).
    page.get_by_label("Lagrum").select_option(str(reference_for(LegalTopic.ASSISTANCE, date(2025, 1, 10)).pk))
    page.get_by_label("Utfall").select_option("granted")
    page.get_by_label("Ansökningsdatum").fill("2025-01-02")
    page.get_by_label("Beslutsdatum").fill("2025-01-10")
    page.get_by_label("Gäller från").fill("2025-02-01")
    page.get_by_role("button", name="Spara").click()

    assert "kräver ett beviljat beslut om bolotsinsats" in page.locator("[data-error-summary]").inner_text()
    box = page.get_by_label("Registrera samtidigt beslut om bolotsinsats för samma period")
    assert Decision.objects.count() == 0
    axe(page)
    box.check()
    page.get_by_role("button", name="Spara").click()

    page.get_by_text("Beslutet och ett beslut om bolotsinsats för samma period är registrerade.").wait_for()
    assert Decision.objects.count() == 2
    axe(page)

    page.get_by_label("Verkställt den").fill("2025-02-03")
    page.get_by_label("Anteckning").first.fill("Inflyttning")
    page.get_by_role("button", name="Markera som verkställt").click()
    page.get_by_text("Beslutet är markerat som verkställt.").wait_for()
    assert Decision.objects.get(kind=DecisionKind.TRAINING_APARTMENT).executed_on == date(2025, 2, 3)
    axe(page)

    page.get_by_role("link", name="Beslutets ändringshistorik").click()
    page.get_by_text("2025-02-03").first.wait_for()
    axe(page)


def test_lists_and_reports_pass_axe_on_desktop_and_phone(page, phone_page, case_officer, unit, browser_login, axe):
    today = timezone.localdate()
    waiting = DecisionFactory(client=ClientFactory(unit=unit, responsible_officer=case_officer),
                              decided_by=case_officer, decided_on=today - timedelta(days=120))
    OfferFactory(decision=waiting, offered_on=today - timedelta(days=30))
    interrupted = DecisionFactory(client=ClientFactory(unit=unit), decided_by=case_officer,
                                  decided_on=today - timedelta(days=400), executed_on=today - timedelta(days=390))
    InterruptionFactory(decision=interrupted, started_on=today - timedelta(days=100))
    PlanFactory(client=waiting.client, next_review_on=today - timedelta(days=2))
    year = today.year

    for current in (page, phone_page):
        browser_login(current, "handlaggare")
        for url in (
            "/beslut/ej-verkstallda/",
            "/planer/uppfoljning/",
            "/ivo/",
            f"/ivo/{year}/4/",
            f"/ivo/statistik/{year}/",
            f"/beslut/{waiting.pk}/",
            f"/beslut/{interrupted.pk}/",
            f"/klienter/{waiting.client_id}/plan/",
        ):
            current.goto(url)
            axe(current)
            if current is phone_page:
                width = current.evaluate("document.documentElement.scrollWidth")
                assert width <= 375, f"no sideways scrolling at 375 px on {url} (was {width})"


def test_case_officer_creates_a_plan_and_records_a_review(page, case_officer, client_record, browser_login, axe):
    browser_login(page, "handlaggare")
    page.goto(f"/klienter/{client_record.pk}/plan/")
    axe(page)
    page.get_by_label("Upprättad den").fill("2025-01-15")
    page.get_by_role("button", name="Upprätta planen").click()
    page.get_by_role("cell", name="Egen försörjning", exact=True).wait_for()
    assert IndividualPlan.objects.get().next_review_on == date(2025, 4, 15)
    axe(page)

    page.get_by_role("textbox", name="Överenskommen åtgärd").fill("Ansöka hos bostadsförmedlingen")
    page.get_by_role("textbox", name="Vem gör det").fill("Klienten med bolots")
    page.get_by_role("button", name="Lägg till åtgärden").click()
    page.get_by_text("Åtgärden är tillagd.").wait_for()
    page.get_by_label("Följdes upp den").fill("2025-04-10")
    page.get_by_role("button", name="Registrera uppföljningen").click()
    page.get_by_text("Senaste uppföljning 2025-04-10").wait_for()
    assert IndividualPlan.objects.get().next_review_on == date(2025, 7, 10)
    axe(page)
