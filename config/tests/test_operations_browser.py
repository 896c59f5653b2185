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


def test_the_system_administrator_links_a_login_request(sized_page, system_admin, case_officer, browser_login, axe):
    """Issue 16 §3: the link requests from the municipality's login, the
    request's page and the Swedish refusal beside the field (one's own
    account), on a phone and a desktop."""
    from accounts.models import IdentityLinkRequest

    now = timezone.now()
    link = IdentityLinkRequest.objects.create(
        issuer="https://login.example-kommun.se/realms/personal", subject="f3c1a9d2-7b4e-4a51-9f0e-2c8d6b1e7a90",
        display_name="Fiktiv Nyanställd", email="fiktiv.nyanstalld@example.org", first_seen_at=now,
        last_seen_at=now,
    )
    page = sized_page
    browser_login(page, system_admin.username)
    main = page.locator("main")

    page.goto("/anvandare/kommunens-inloggning/")
    expect(main.get_by_role("heading", level=1)).to_have_text("Inloggningsbegäranden")
    expect(main.get_by_text("fiktiv.nyanstalld@example.org")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    axe(page)

    main.get_by_role("link", name="Fiktiv Nyanställd").click()
    expect(main.get_by_label("Konto att koppla")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    axe(page)

    main.get_by_label("Konto att koppla").select_option(str(system_admin.pk))
    main.get_by_role("button", name="Koppla").click()
    refusal = "Du kan inte koppla en identitet till ditt eget konto. Be en annan administratör."
    # Beside the field (crispy's feedback under the select) and in the summary above.
    expect(main.locator("#id_account ~ .invalid-feedback, #error_1_id_account").first).to_contain_text(refusal)
    expect(main.get_by_role("link", name=f"Konto att koppla: {refusal}")).to_be_visible()
    axe(page)
    link.refresh_from_db()
    assert link.state == "pending"
