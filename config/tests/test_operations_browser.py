"""The system administrator's operations pages in a real browser (issue 16):
the index, the scheduled jobs, the detailed status and the e-mails given up,
on a 375 px phone and on a desktop, axe-core on each."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.models import MailFailure, ScheduledJobRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_system_administrator_walks_the_operations_pages(sized_page, system_admin, case_officer,
                                                              browser_login, axe):
    ScheduledJobRun.objects.create(name="verify-log-chains", task="audit.tasks.verify_log_chains",
                                   last_succeeded_at=timezone.now())
    MailFailure.objects.create(recipient=case_officer, task="accounts.tasks.send_notification_email",
                               task_args=[1], attempts=9, reason="SMTPServerDisconnected")
    page = sized_page
    browser_login(page, system_admin.username)
    main = page.locator("main")

    page.goto("/drift/")
    expect(main.get_by_role("heading", level=1)).to_be_visible()
    axe(page)

    main.get_by_role("link", name="Schemalagda jobb").click()
    expect(main.get_by_text("verify-log-chains")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    axe(page)

    page.goto("/drift/")
    main.get_by_role("link", name="Systemstatus").click()
    expect(main.get_by_role("heading", level=1)).to_be_visible()
    axe(page)

    page.goto("/drift/")
    main.get_by_role("link", name="Misslyckade e-postmeddelanden").click()
    expect(main.get_by_text("SMTPServerDisconnected")).to_be_visible()
    axe(page)
