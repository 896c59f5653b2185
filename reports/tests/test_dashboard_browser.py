"""A manager follows the goals in a real browser: opens the dashboard from
the menu, changes the year, opens the records behind a figure. axe-core
checks both pages."""

import pytest

from reports.tests.golden_data import build_golden_dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
YEAR = 2025


def test_manager_opens_the_dashboard_and_a_drilldown(page, unit, other_unit, manager, browser_login, axe, menu):
    golden = build_golden_dataset(unit, other_unit)
    golden["c5"].last_name = "Skyddadsdotter"  # protected; no Faker name can equal it
    golden["c5"].save()
    browser_login(page, "chef")
    menu(page, "Måluppföljning")
    page.get_by_role("heading", level=1).filter(has_text="Mål").wait_for()
    page.get_by_label("År").select_option(str(YEAR))
    page.get_by_role("button", name="Visa året").click()
    page.get_by_role("heading", name=f"Mål {YEAR}", exact=True).wait_for()
    assert f"ar={YEAR}" in page.url
    # Eight goal cards, each with met / not met in words, and five charts
    # (the fifth: rent arrears at each month end, issue 14).
    assert page.locator("article.kpi-card").count() == 8
    assert page.locator("svg.chart[role=img]").count() == 5
    assert page.locator("#mal-1 .badge").inner_text().strip() in {"✓ Uppfyllt", "✗ Ej uppfyllt", "Bedöms inte"}
    axe(page)

    # The records behind "eviction notices received" in goal 2.
    page.locator(f'#mal-2 a[href="/mal/{YEAR}/underlag/kpi2.notices/"]').click()
    page.get_by_role("heading", level=1).filter(has_text=str(YEAR)).wait_for()
    assert "/underlag/kpi2.notices/" in page.url
    rows = page.locator("table tbody tr")
    assert rows.count() >= 1
    assert "Skyddadsdotter" not in page.content()
    axe(page)


def test_manager_enters_the_enforcement_figures(page, unit, manager, browser_login, axe, menu):
    from django.utils import timezone

    from reports.models import EnforcementFigures

    last_year = timezone.localdate().year - 1
    browser_login(page, "chef")
    menu(page, "Kronofogdens siffror")
    page.get_by_role("heading", level=1).filter(has_text="Kronofogdens siffror").wait_for()
    axe(page)
    page.get_by_role("link", name=f"Lägg in siffrorna för {last_year}").click()
    page.locator("#id_eviction_applications").fill("6")
    page.locator("#id_executed_evictions").fill("7")
    page.locator("#id_children_affected").fill("2")
    page.get_by_role("button", name="Spara").click()
    page.locator("form").get_by_text("kan inte vara fler än ansökningarna").wait_for()  # beside the field (also in the error summary)
    assert not EnforcementFigures.objects.exists()
    axe(page)
    page.locator("#id_executed_evictions").fill("3")
    page.get_by_role("button", name="Spara").click()
    page.get_by_text(f"Kronofogdens siffror för {last_year} sparades.").wait_for()
    saved = EnforcementFigures.objects.get()
    assert (saved.year, saved.eviction_applications, saved.executed_evictions) == (last_year, 6, 3)
    axe(page)
