"""The IVO list and one report's screen in a browser: axe-core at 375 px and
on a desktop, the copy buttons appear with JavaScript, the report's sections
in the order of IVO's form."""

from datetime import date

import pytest

from core import personnummer
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_decisions import DecisionFactory, OfferFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_list_and_report_screen_are_accessible_and_copyable(page, phone_page, unit, case_officer, browser_login, axe):
    number = personnummer.make_number(date(1985, 3, 14), 231)
    decision = DecisionFactory(client=ClientFactory(unit=unit, personal_number=number), decided_by=case_officer,
                               decided_on=date(2025, 1, 10), delay_reason="Brist på lägenheter",
                               consequences="Bor kvar på härbärge")
    OfferFactory(decision=decision, offered_on=date(2025, 3, 3), description="Lägenhet Fiktiva gatan 1")

    for view in (phone_page, page):
        browser_login(view, "handlaggare")
        view.goto("/ivo/2025/2/")
        main = view.locator("main")
        main.get_by_role("heading", name="Rapporter till IVO, kvartal 2 2025", level=1).wait_for()
        axe(view)
        main.get_by_role("link", name="Öppna rapporten").click()
        main.get_by_role("heading", name="Uppgifter om beslutet").wait_for()
        axe(view)
        headings = main.get_by_role("heading", level=2).all_inner_texts()
        assert headings == ["Rapportuppgifter", "Uppgifter om individen", "Uppgifter om beslutet"]
        assert personnummer.format_digits(number) in main.inner_text()
        assert main.get_by_role("button", name="Kopiera Personnummer").is_visible()
