"""The worklist in a real browser: a bolots opens "Min dag" on a 375 × 667
phone through the menu, sees the risk icon before the person, changes an
order's frequency; a manager opens the unit's overview. axe-core checks
every page visited; tap targets are at least 44 px."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from bolots.models import FrequencyChange
from referrals.models import OrderKind
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import accepted_order, make_pilot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Buttons, button-like links and the rows of radio buttons (the label is the
# tap target of a radio button).
SMALL_TARGETS = """() => [...document.querySelectorAll('main a.btn, main button, main .form-check')]
    .filter(el => el.offsetParent !== null)
    .map(el => [el.textContent.trim(), el.getBoundingClientRect()])
    .filter(([name, box]) => box.height < 44 || box.width < 44)
    .map(([name, box]) => `${name}: ${Math.round(box.width)}×${Math.round(box.height)}`)"""


def assert_fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "no sideways scrolling at 375 px"
    assert page.evaluate(SMALL_TARGETS) == []


def test_a_bolots_works_through_min_dag_on_a_phone(phone_page, unit, case_officer, pilot, browser_login, axe, menu):
    colleague = make_pilot(unit, "bolots3")
    person = ClientFactory(unit=unit, responsible_officer=case_officer, first_name="Ada", last_name="Påhittad")
    order = accepted_order(pilot, colleague, client=person, ordered_by=case_officer, kind=OrderKind.BOLOTS_SUPPORT,
                           accepted_at=timezone.now() - timedelta(days=200), risk_violence=True, risk_notes="Stor hund")
    accepted_order(pilot, colleague, kind=OrderKind.OUTREACH, client=None, subject_name="Man i 50-årsåldern",
                   subject_address="Storgatan 7", ordered_by=case_officer, sent_at=timezone.now() - timedelta(hours=3))
    page = phone_page

    browser_login(page, "bolots")
    menu(page, "Min dag")
    page.get_by_role("heading", name="Min dag", level=1).wait_for()
    axe(page)
    assert_fits_the_phone(page)

    entry = page.locator(f"#uppdrag-{order.pk}")
    risk = entry.locator(".risk-risk_violence")
    assert risk.locator("svg.risk-icon").count() == 1
    # Compact on Min dag: a short word, the full wording on hover.
    assert risk.inner_text().strip() == "Våld"
    assert risk.get_attribute("title") == "Våld i nära relation"
    name = entry.get_by_role("heading", name="Ada Påhittad")
    assert risk.bounding_box()["y"] < name.bounding_box()["y"], "the risk comes before the person"
    assert entry.get_by_text("försenad").count() >= 1
    visit_button = entry.get_by_role("link", name=re.compile(r"^Besök\W+Registrera besök"))
    assert visit_button.get_attribute("href") == f"/uppdrag/{order.pk}/besok/nytt/"
    assert visit_button.bounding_box()["height"] >= 44
    for heading in ("Nya uppdrag: första besök inom 48 timmar", "Försenade", "Idag"):
        assert page.get_by_role("heading", name=heading, exact=True).is_visible()
    assert "h kvar" in page.content()

    # The frequency is on the order page, which the name links to.
    name.get_by_role("link").click()
    page.get_by_role("heading", name=f"Bolotsinsats #{order.pk}", level=1).wait_for()
    page.get_by_role("link", name="Besöksfrekvens och historik").click()
    page.get_by_role("heading", name="Ändra frekvensen").wait_for()
    axe(page)
    assert_fits_the_phone(page)
    page.get_by_label("Varje månad").check()
    page.get_by_label("Orsak").fill("Allt fungerar, överenskommet med klienten.")
    page.get_by_role("button", name="Spara ändringen").click()
    page.get_by_text("Besöksfrekvensen är ändrad.").wait_for()
    axe(page)
    assert FrequencyChange.objects.get().interval == "monthly"
    assert page.locator(".frequency-history").get_by_text("Allt fungerar, överenskommet med klienten.").is_visible()



def test_the_units_overview_on_a_desktop_and_a_phone(page, phone_page, unit, case_officer, pilot, manager,
                                                      browser_login, axe, menu):
    colleague = make_pilot(unit, "bolots3")
    accepted_order(pilot, colleague, ordered_by=case_officer, kind=OrderKind.BOLOTS_SUPPORT,
                   accepted_at=timezone.now() - timedelta(days=20), risk_threats=True)
    accepted_order(colleague, pilot, ordered_by=case_officer, kind=OrderKind.EVICTION_PREVENTION,
                   sent_at=timezone.now() - timedelta(hours=60))

    browser_login(page, "chef")
    menu(page, "Enhetens översikt")
    page.get_by_role("heading", name="Enhetens översikt", level=1).wait_for()
    assert page.get_by_role("heading", name="Försenade besök i enheten").is_visible()
    axe(page)

    browser_login(phone_page, "bolots")
    menu(phone_page, "Enhetens översikt")
    phone_page.get_by_role("heading", name="Ärendemängd per bolots").wait_for()
    axe(phone_page)
    assert_fits_the_phone(phone_page)
