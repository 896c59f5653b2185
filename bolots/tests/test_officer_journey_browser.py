"""Issue 12, the case officer's daily journey in a real browser at desktop
width and at 375 px: log in, see what to do on "Att göra", find the client
with the header search, see the whole picture on the overview, answer the
order the bolots unit returned with a question. Every page axe-core clean;
the page loads after logging in are counted (docs/access.md, issue 12's
closing note: 4 after logging in, against 13 before)."""

import pytest

from referrals.models import OrderState

from .test_officer_todo import make_items

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("screen", ["page", "phone_page"])
def test_the_case_officers_day_starts_on_att_gora_and_reaches_the_client_in_one_search(
    request, screen, case_officer, pilot, second_pilot, browser_login, axe
):
    page = request.getfixturevalue(screen)
    made = make_items(case_officer, pilot, second_pilot)
    returned = made["returned_orders"][0]
    person = returned.client
    browser_login(page, case_officer.username)
    loads = []
    page.on("framenavigated", lambda frame: loads.append(frame.url) if frame == page.main_frame else None)

    # See what to do: the start page, without a click.
    page.get_by_role("heading", level=1, name="Att göra").wait_for()
    for title in ("Uppdrag returnerade med fråga", "48-timmarsuppdrag utan första besök", "Nya signaler",
                  "Beslut nära IVO-rapportering", "Genomförandeplaner att följa upp"):
        page.get_by_role("heading", level=2, name=title).wait_for()
    axe(page)

    # Open the client: the header search, by personal identity number.
    if screen == "phone_page":
        page.get_by_role("button", name="Visa meny").click()
    search = page.get_by_role("search", name="Sök klient")
    search.get_by_label("Sök klient").fill(person.personal_number)
    search.get_by_role("button", name="Sök").click()
    page.get_by_role("heading", level=2, name="Sammanfattning").wait_for()
    assert person.personal_number not in page.url
    page.get_by_text("Returnerat med fråga").first.wait_for()
    axe(page)

    # Act: from the overview's orders box to the order, and answer.
    page.get_by_role("link", name="Pågående uppdrag").click()
    page.get_by_role("link", name=f"#{returned.pk}").first.click()
    page.locator("#id_answer-answer").fill("Ja, det finns hiss.")
    page.get_by_role("button", name="Skicka svaret").click()
    page.get_by_role("status").first.wait_for()
    axe(page)

    returned.refresh_from_db()
    assert returned.state == OrderState.SENT
    assert len(loads) == 4, loads
