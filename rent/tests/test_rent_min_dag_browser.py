"""The bolots sees "Hyra obetald" with the amount in Min dag (issue 14:
"the bolots sees rent unpaid in Min dag"), at 375 px and on a desktop,
axe clean; the three-week deadline comes first in the section."""

from datetime import date, timedelta

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import accepted_order
from rent.models import ArrearsTermination, TerminationStatus
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

from .overdue_factories import notice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def short(day):
    with translation.override("sv"):
        return formats.date_format(day, "j b")


def test_the_bolots_sees_rent_unpaid_in_min_dag(sized_page, unit, case_officer, pilot, second_pilot,
                                                 browser_login, axe):
    page = sized_page
    today = timezone.localdate()
    behind = ClientFactory(unit=unit, responsible_officer=case_officer, first_name="Sen", last_name="Betalare")
    accepted_order(pilot, second_pilot, client=behind, ordered_by=case_officer)
    tenancy = TenancyFactory(apartment=ApartmentFactory(unit=unit), client=behind, start_date=date(2024, 1, 1))
    notice(tenancy, today - timedelta(days=20), 450_000)
    terminated = ClientFactory(unit=unit, responsible_officer=case_officer, first_name="Uppsagd", last_name="Person")
    accepted_order(pilot, second_pilot, client=terminated, ordered_by=case_officer)
    other = TenancyFactory(apartment=ApartmentFactory(unit=unit), client=terminated, start_date=date(2024, 1, 1))
    notice(other, today - timedelta(days=40), 900_000)
    ArrearsTermination.objects.create(
        tenancy=other, decided_on=today - timedelta(days=20), amount_owed=900_000, notified_on=today - timedelta(days=19),
        recover_by=today + timedelta(days=2), status=TerminationStatus.RUNNING, created_by=case_officer,
    )

    browser_login(page, "bolots")
    page.goto("/min-dag/")
    section = page.locator("section#hyra")
    expect(section.get_by_role("heading", name="Hyra", level=2)).to_be_visible()
    lines = section.locator("li")
    expect(lines.first).to_contain_text(f"Sista dag att betala: {short(today + timedelta(days=2))} · 2 dagar kvar")
    expect(lines.nth(1)).to_contain_text("Uppsagd Person")
    expect(lines.nth(2)).to_contain_text("Sen Betalare")
    expect(section).to_contain_text(f"Hyra obetald · 4\xa0500\xa0kr · förföll {short(today - timedelta(days=20))}")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    axe(page)
