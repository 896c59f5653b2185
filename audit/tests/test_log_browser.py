"""A manager reads the unit's access log in the browser: each row shows its
flags, and the search narrows the list to the rows about a protected
client. The flags are read for the rows shown (audit.flags.mark_flags), so
this is the page as a reviewer sees it. axe-core on each state of the page,
on a 375 px phone and on a desktop."""

import pytest
from playwright.sync_api import expect

from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from referrals.models import ProtectionLevel
from referrals.tests.factories import ClientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_manager_sees_the_flags_and_narrows_to_protected_clients(sized_page, unit, manager, case_officer,
                                                                   browser_login, axe):
    # Neither client is the case officer's: both rows are "no relation";
    # one client is also protected.
    protected = ClientFactory(unit=unit, first_name="Fiktiv", last_name="Skyddsdotter",
                              protection_level=ProtectionLevel.CONFIDENTIALITY_MARK)
    plain = ClientFactory(unit=unit, first_name="Fiktiv", last_name="Vanligsson")
    ctx = AuditContext(case_officer, "/", None)
    log_access(ctx, AccessAction.VIEW, protected)
    log_access(ctx, AccessAction.VIEW, plain)

    page = sized_page
    browser_login(page, "chef")
    page.goto("/logg/")
    main = page.locator("main")
    expect(main.get_by_role("heading", name="Åtkomstlogg", level=1)).to_be_visible()
    protected_row = main.locator("tbody tr", has_text="Skyddsdotter")
    plain_row = main.locator("tbody tr", has_text="Vanligsson")
    expect(protected_row.locator(".log-flag", has_text="Skyddad")).to_be_visible()
    expect(protected_row.locator(".log-flag", has_text="Ingen relation")).to_be_visible()
    expect(plain_row.locator(".log-flag", has_text="Ingen relation")).to_be_visible()
    expect(plain_row.locator(".log-flag", has_text="Skyddad")).to_have_count(0)
    axe(page)

    main.get_by_role("checkbox", name="Om en klient med skyddade personuppgifter").check()
    main.get_by_role("button", name="Sök", exact=True).click()
    expect(main.locator("tbody tr", has_text="Vanligsson")).to_have_count(0)
    # The case officer's read, and the manager's own read of the log
    # page before (a read of the protected client too): only those.
    rows = main.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Skyddsdotter")).to_have_count(2)
    expect(rows.filter(has=page.locator(".log-flag", has_text="Skyddad"))).to_have_count(2)
    axe(page)
