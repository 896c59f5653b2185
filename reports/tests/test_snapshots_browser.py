"""A manager fixes a closed year in a real browser: the button on the
dashboard, the "Fastställd" mark beside the figures, and the drill-down of
the fixed year after records are culled. axe-core checks the pages."""

import pytest
from django.utils import timezone

from reports.models import YearSnapshot
from reports.tests.golden_data import build_golden_dataset

from .test_snapshots import cull

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
YEAR = 2025


def test_manager_fixes_a_closed_year(page, unit, other_unit, manager, browser_login, axe):
    golden = build_golden_dataset(unit, other_unit)
    browser_login(page, "chef")
    page.goto(f"/mal/{YEAR}/")
    main = page.locator("main")
    axe(page)  # with the "Fastställ år" form
    main.get_by_role("button", name=f"Fastställ år {YEAR}").click()
    main.get_by_text(f"Siffrorna för {YEAR} är fastställda.").wait_for()
    fixed = f"Fastställd {timezone.localdate():%Y-%m-%d}"
    assert main.locator("#year-fixed").inner_text().strip() == fixed
    assert main.get_by_role("button", name=f"Fastställ år {YEAR}").count() == 0
    assert YearSnapshot.objects.filter(unit=unit, year=YEAR, frozen_by=manager).exists()
    axe(page)

    cull(golden)
    page.goto(f"/mal/{YEAR}/underlag/kpi1.clients/")
    main.locator("#fixed-counts").wait_for()
    text = main.locator("#fixed-counts").inner_text()
    assert fixed in text and "3 personer gallrade" in text
    axe(page)
