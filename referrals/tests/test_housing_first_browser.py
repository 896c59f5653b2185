"""The Housing First list in a real browser (Chromium through Playwright),
on a 375 px phone and a desktop: a case officer proposes a client and
records the working group's assessment; a manager records the steering
group's priority order; the list then shows the order in force. axe-core
checks every page visited."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.models.housing_first import CandidateStage, HousingFirstCandidate, SteeringDecision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_propose_assess_and_prioritise(sized_page, case_officer, manager, client_record, browser_login, axe, menu):
    page = sized_page
    today = timezone.localdate()

    browser_login(page, "handlaggare")
    menu(page, "Bostad först")
    page.get_by_role("heading", name="Kandidater till Bostad först").wait_for()
    axe(page)

    page.get_by_role("link", name="Föreslå en kandidat").click()
    page.get_by_role("heading", name="Föreslå en kandidat till Bostad först").wait_for()
    axe(page)
    page.get_by_label("Föreslagen via").select_option(value="unit")
    page.get_by_label("Klient", exact=True).select_option(label=client_record.full_name)
    page.get_by_label("Föreslagen den").fill(f"{today - timedelta(days=7):%Y-%m-%d}")
    page.get_by_label("Situation").select_option(value="1")
    page.get_by_label("Behov").fill("Sover ute sedan vintern. Stort stödbehov.")
    page.get_by_role("button", name="Föreslå", exact=True).click()
    page.get_by_role("heading", name=f"Kandidat till Bostad först: {client_record.full_name}").wait_for()
    candidate = HousingFirstCandidate.objects.get()
    assert client_record.street_address not in page.content()
    axe(page)

    # The working group's assessment, from the candidate's page.
    page.get_by_label("Mötesdatum").fill(f"{today:%Y-%m-%d}")
    page.get_by_label("Arbetsgruppens anteckningar").fill("Störst behov just nu.")
    page.get_by_role("button", name="Registrera bedömning").click()
    page.locator("#latest-heading").wait_for()
    assert "Störst behov just nu." in page.locator("#history-heading + ol").inner_text()
    candidate.refresh_from_db()
    assert candidate.stage == CandidateStage.ASSESSED
    axe(page)

    # The steering group: a manager gives the candidate place 1.
    page.context.clear_cookies()
    browser_login(page, "chef")
    menu(page, "Bostad först")
    page.get_by_role("link", name="Styrgruppen").click()
    page.get_by_role("heading", name="Styrgruppens beslut", exact=True).wait_for()
    axe(page)
    page.get_by_label("Beslutsdatum").fill(f"{today:%Y-%m-%d}")
    page.locator(f"input[name=place_{candidate.pk}]").fill("1")
    page.get_by_label("Protokoll").fill("Fiktivt protokoll.")
    page.get_by_role("button", name="Registrera beslut").click()
    page.get_by_role("heading", name=f"Styrgruppsbeslut {today:%Y-%m-%d}").wait_for()
    assert client_record.full_name in page.locator("ol").last.inner_text()
    assert SteeringDecision.objects.count() == 1
    axe(page)

    menu(page, "Bostad först")
    row = page.locator("#hf-candidates tbody tr").first
    assert client_record.full_name in row.inner_text()
    assert row.locator("td").first.inner_text().strip() == "1", "place 1 in the order in force"
    axe(page)
