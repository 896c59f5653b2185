"""The rent pages a housing administrator works through in a month, in a
real browser at 375 px and at desktop width, each checked with axe-core:
the overview, a tenancy's ledger with its running plan and open
termination, the notice runs, the aging list, tenants behind, the unit's
arrears, the terminations, the settings, the export and the import of
opening balances. Each page must show its own heading."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from rent.models import ArrearsTermination, RepaymentPlan, TerminationStatus
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

from .arrears_factories import notice, pay
from .bgmax_factories import rent_settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_housing_admin_walks_the_rent_pages(sized_page, unit, housing_admin, browser_login, axe):
    rent_settings(unit)
    today = timezone.localdate()
    tenancy = TenancyFactory(apartment=ApartmentFactory(unit=unit), start_date=date(2025, 1, 1))
    old = notice(tenancy, today - timedelta(days=70), 450_000)
    pay(old, 100_000, today - timedelta(days=60))
    notice(tenancy, today - timedelta(days=40), 450_000)
    plan = RepaymentPlan.objects.create(tenancy=tenancy, debt=300_000, monthly_amount=100_000,
                                        start_month=today.replace(day=1), end_month=date(today.year + 1, 1, 1),
                                        created_by=housing_admin)
    termination = ArrearsTermination.objects.create(
        tenancy=tenancy, decided_on=today - timedelta(days=5), amount_owed=800_000,
        status=TerminationStatus.RUNNING, notified_on=today - timedelta(days=4),
        recover_by=today + timedelta(days=17), created_by=housing_admin,
    )

    page = sized_page
    browser_login(page, "boendeadmin")
    pages = [
        ("/hyra/", "Hyresreskontra"),
        (f"/hyra/hyresforhallande/{tenancy.pk}/", "Hyresreskontra"),
        ("/hyra/korningar/", None),
        ("/hyra/aldersanalys/", "Åldersanalys av hyresskulder"),
        ("/hyra/efter/", None),
        ("/hyra/restskulder/", None),
        ("/hyra/uppsagningar/", None),
        (f"/hyra/uppsagning/{termination.pk}/", None),
        (f"/hyra/avbetalningsplan/{plan.pk}/", None),
        ("/hyra/installningar/", None),
        ("/hyra/export/", None),
        ("/hyra/ingaende-skulder/", None),
    ]
    for path, heading in pages:
        response = page.goto(path)
        assert response.status == 200, path
        title = page.locator("main h1")
        expect(title).to_have_count(1)
        if heading:
            expect(title).to_contain_text(heading)
        axe(page)

    # The tenancy's ledger shows the three weeks and the plan's progress.
    page.goto(f"/hyra/hyresforhallande/{tenancy.pk}/")
    expect(page.locator("main")).to_contain_text("17 dagar kvar")
    expect(page.locator("main")).to_contain_text("Avbetalningsplanens förlopp")
