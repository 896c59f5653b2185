"""The housing administrator imports a BgMax file in the browser and matches
the stray payment by hand (issue 14's browser test): the upload's summary,
the queue with its suggestion, the match page, the queue empty afterwards.
axe-core on each page, on a 375 px phone and on a desktop."""

from datetime import date

import pytest
from playwright.sync_api import expect

from rent.models import Payment, RentNotice
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

from .bgmax_factories import bgmax_bytes, notice, payment, rent_settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_housing_admin_imports_and_matches_a_stray_payment(sized_page, unit, housing_admin, browser_login, axe,
                                                                tmp_path):
    rent_settings(unit)
    tenancy = TenancyFactory(apartment=ApartmentFactory(unit=unit), client__first_name="Anna",
                             client__last_name="Andersson")
    paid, stray_notice = notice(tenancy, date(2026, 11, 1)), notice(tenancy, date(2026, 12, 1), amount=321000)
    path = tmp_path / "nov.bgmax"
    path.write_bytes(bgmax_bytes(payment(paid.ocr, 450000), payment("99999", 321000, name="ANNA ANDERSSON")))

    page = sized_page
    browser_login(page, "boendeadmin")
    page.goto("/hyra/inbetalningar/bgmax/")
    main = page.locator("main")
    expect(main.get_by_role("heading", name="Importera en BgMax-fil", level=1)).to_be_visible()
    axe(page)
    main.get_by_label("BgMax-fil").set_input_files(str(path))
    main.get_by_role("button", name="Importera filen").click()
    # The import is a worker job (issue 16): its page shows the result.
    expect(main.get_by_text("Importerad", exact=True)).to_be_visible()
    expect(main.get_by_text("2 inbetalningar, 1 matchade automatiskt.")).to_be_visible()
    axe(page)

    main.locator("#bgmax-job-status").get_by_role("link", name="Inbetalningar att matcha").click()
    expect(main.get_by_role("heading", name="Inbetalningar att matcha", level=1)).to_be_visible()
    expect(main.get_by_text("ANNA ANDERSSON", exact=True)).to_be_visible()
    axe(page)
    main.locator("table").get_by_role("link", name="Matcha").click()
    expect(main.get_by_role("heading", name="Matcha en inbetalning", level=1)).to_be_visible()
    axe(page)
    main.get_by_label("Hyresförhållande").select_option(label="Anna Andersson (förslag)")
    main.get_by_role("button", name="Matcha inbetalningen").click()
    expect(page.get_by_text("Inbetalningen matchades till Anna Andersson.")).to_be_visible()
    expect(main.get_by_text("Inga inbetalningar väntar på att matchas.")).to_be_visible()
    axe(page)
    assert not Payment.objects.unmatched().exists()
    assert RentNotice.objects.with_settled().get(pk=stray_notice.pk).outstanding == 0
