"""The decision's information for IVO and the offers log in a real browser,
with axe-core on every page, at desktop width and at 375 px."""

from datetime import date

import pytest

from referrals.models import Decision, Offer, OfferAnswer
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_decisions import DecisionFactory, OfferFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("which", ["page", "phone_page"])
def test_case_officer_records_consequences_partial_execution_and_an_answer(
    request, which, unit, case_officer, browser_login, axe,
):
    current = request.getfixturevalue(which)
    decision = DecisionFactory(client=ClientFactory(unit=unit, responsible_officer=case_officer),
                               decided_by=case_officer)
    offer = OfferFactory(decision=decision, offered_on=date(2025, 2, 1), answer=OfferAnswer.NO_ANSWER,
                         description="Träningslägenhet Fiktiva gatan 5")
    browser_login(current, "handlaggare")

    current.goto(f"/beslut/{decision.pk}/")
    main = current.locator("main")
    main.get_by_role("link", name="Ändra uppgifterna till IVO").click()
    main.get_by_role("heading", name="Uppgifter till IVO").wait_for()
    axe(current)
    main.get_by_label("Konsekvenser för personen").fill("Bor tillfälligt hos en vän.")
    main.get_by_label("Stöd under väntetiden").fill("Stödsamtal varje vecka.")
    main.get_by_label("Delvis verkställt den").fill("2025-01-09")
    main.get_by_role("button", name="Spara", exact=True).click()
    main.get_by_text("Beslutet kan inte vara delvis verkställt före beslutsdatumet (2025-01-10).", exact=True).wait_for()
    axe(current)
    main.get_by_label("Delvis verkställt den").fill("2025-02-01")
    main.get_by_label("Del som inte är verkställd").fill("Boendestödet")
    main.get_by_role("button", name="Spara", exact=True).click()

    current.get_by_text("Uppgifterna till IVO sparades.").wait_for()
    assert main.get_by_text("Delvis verkställt", exact=True).first.is_visible()
    axe(current)
    stored = Decision.objects.get(pk=decision.pk)
    assert (stored.consequences, stored.partly_executed_on, stored.executed_on) == (
        "Bor tillfälligt hos en vän.", date(2025, 2, 1), None,
    )

    main.get_by_role("link", name="Ändra erbjudandet den 2025-02-01").click()
    main.get_by_role("heading", name="Ändra erbjudande").wait_for()
    axe(current)
    main.get_by_label("Svar").select_option(OfferAnswer.DECLINED)
    main.get_by_role("button", name="Spara", exact=True).click()
    current.get_by_text("Erbjudandet sparades.").wait_for()
    axe(current)
    assert Offer.objects.get(pk=offer.pk).answer == OfferAnswer.DECLINED
    assert Decision.objects.get(pk=decision.pk).executed_on is None, "a declined offer executes nothing"
    if which == "phone_page":
        assert current.evaluate("document.documentElement.scrollWidth") <= 375
