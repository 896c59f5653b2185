"""The pages issue 11 moved (the cancellations page to reports, the takeover
list to bolots) and the running year's preliminary dashboard (issue 12), in a
real browser at 375 px and at desktop width: reached from the menu, their
headings shown, axe-core clean."""

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("screen", ["page", "phone_page"])
def test_a_manager_opens_the_moved_pages_and_the_running_year(request, screen, manager, browser_login, axe, menu):
    page = request.getfixturevalue(screen)
    year = timezone.localdate().year
    browser_login(page, manager.username)

    menu(page, "Avbokningar")
    page.get_by_role("heading", level=1, name=f"Avbokningar {year}").wait_for()
    assert page.url.endswith(reverse("reports:cancellations"))
    axe(page)

    page.goto(reverse("bolots:takeover_candidates"))
    page.get_by_role("heading", level=1).wait_for()
    assert page.url.endswith("/boende/overtagande/")
    axe(page)

    menu(page, "Måluppföljning")
    page.get_by_role("heading", level=1).filter(has_text="Mål").wait_for()
    # The running year is marked preliminary, and no goal card says met or not met.
    badges = page.locator("article.kpi-card .badge")
    assert badges.count() >= 1
    assert all(text.strip().startswith("Preliminärt, t.o.m.") for text in badges.all_inner_texts())
    axe(page)
