"""The decision page's housing panel in a real browser, at desktop size and
at 375 px: a case officer reads a waiting decision's needs, priority and
offered apartment on the decision page, follows the link to change the
priority, comes back to the decision page and finds the new one there,
with its history counted. axe-core checks every page visited; the phone
page must not scroll sideways."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.tests.factories import ClientFactory
from tenancies.models import ApartmentOffer, Area, OfferState, WaitingPriority
from tenancies.services.waiting import set_needs, set_priority

from .factories import ApartmentFactory, granted_decision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_case_officer_reads_and_changes_the_priority_from_the_decision_page(
    size, request, ctx, unit, case_officer, browser_login, axe
):
    page = request.getfixturevalue("page" if size == "desktop" else "phone_page")
    today = timezone.localdate()
    decision = granted_decision(ClientFactory(unit=unit, first_name="Vera", last_name="Väntesdotter"),
                                decided_on=today - timedelta(days=70), decided_by=case_officer)
    set_needs(ctx, decision, {"rooms_min": 1, "rooms_max": 2, "children": 0,
                              "areas": [Area.objects.create(unit=unit, name="Östra")]}, 0)
    set_priority(ctx, decision, WaitingPriority.Level.HIGH, "Bor hos en vän till månadsskiftet")
    ApartmentOffer.objects.create(
        apartment=ApartmentFactory(unit=unit, street_address="Långa vägen 12 B, lägenhet 1103"), decision=decision,
        offered_on=today - timedelta(days=10), move_in_on=today + timedelta(days=5), answer_by=today - timedelta(days=3),
        state=OfferState.DECLINED, decline_reason="area", answered_on=today - timedelta(days=4), made_by=case_officer,
    )
    browser_login(page, "handlaggare")

    page.goto(f"/beslut/{decision.pk}/")
    panel = page.locator("#waiting-panel")
    panel.get_by_role("heading", name="Boendebehov, prioritet och lägenhetserbjudanden").wait_for()
    assert "1–2 rum · Östra" in panel.inner_text()
    assert "Bor hos en vän till månadsskiftet" in panel.inner_text()
    assert "Långa vägen 12 B" in panel.inner_text()
    axe(page)
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 375

    panel.get_by_role("link", name="Ändra prioritet").click()
    page.locator("main select[name=level]").select_option(str(WaitingPriority.Level.URGENT.value))
    page.get_by_label("Skäl till prioriteten").fill("Vännen flyttar, inget boende från måndag")
    page.get_by_role("button", name="Sätt prioritet").click()
    page.get_by_text("Prioriteten sparades.").wait_for()

    # Back on the decision page, with the new priority.
    assert page.url.endswith(f"/beslut/{decision.pk}/")
    text = page.locator("#waiting-panel").inner_text()
    assert "Akut – Vännen flyttar, inget boende från måndag" in text
    assert "Den ersatte 1 tidigare prioritet." in text
    axe(page)
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
