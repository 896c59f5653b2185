"""The housing course in a real browser: a bolots creates a round, enrols
the client of their order who waits for a training apartment, records
attendance for all four sessions on a 375 px phone screen and downloads the
course certificate; axe-core checks every page visited."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from bolots.models import Enrolment
from referrals.models import DecisionKind
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import accepted_order, make_pilot
from tenancies.tests.factories import granted_decision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 375, "height": 667}


def test_a_bolots_runs_a_course_round_to_the_certificate(page, unit, pilot, browser_login, axe, menu):
    person = ClientFactory(unit=unit, first_name="Tova", last_name="Påhittad")
    granted_decision(person, kind=DecisionKind.TRAINING_APARTMENT, decided_on=timezone.localdate())
    accepted_order(pilot, make_pilot(unit, "bolots_passiv"), client=person)
    # Four weeks ago: all four sessions have been held by today.
    start = timezone.localdate() - timedelta(weeks=4)

    browser_login(page, "bolots")
    menu(page, "Boendekurs")
    page.get_by_role("heading", name="Boendekurs", exact=True).wait_for()
    axe(page)

    page.get_by_role("link", name="Ny kursomgång").click()
    page.get_by_role("heading", name="Ny kursomgång").wait_for()
    axe(page)
    assert page.get_by_label(pilot.get_full_name()).is_checked(), "the bolots leads the round they create"
    page.get_by_label("Startdatum").fill(start.isoformat())
    page.get_by_label("Tid för träffarna").fill("13:00")
    page.get_by_role("textbox", name="Plats").fill("Träffpunkten")
    page.get_by_role("button", name="Skapa kursomgången").click()
    page.get_by_text("Kursomgången är skapad med sina fyra träffar.").wait_for()
    assert (start + timedelta(weeks=3)).isoformat() in page.content()
    axe(page)

    page.get_by_role("link", name="Anmäl en klient").click()
    page.get_by_role("heading", name="Anmäl en klient").wait_for()
    axe(page)
    page.get_by_role("combobox", name="Klient").select_option(label=f"Tova Påhittad ({person.personal_number_display})")
    page.get_by_role("button", name="Anmäl", exact=True).click()
    page.get_by_text("Klienten är anmäld till kursomgången.").wait_for()
    axe(page)

    page.set_viewport_size(PHONE)
    page.get_by_role("link", name="Närvaro", exact=True).click()
    page.get_by_role("heading", name="Närvaro", exact=True).wait_for()
    axe(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"no sideways scrolling at 375 px (was {width})"
    for number in (1, 2, 3, 4):
        box = page.get_by_label(f"Närvarade: Tova Påhittad, träff {number}")
        # The box is drawn as a large toggle button: tap its label.
        label = page.locator(f'label[for="{box.get_attribute("id")}"]')
        assert label.bounding_box()["height"] >= 44, "a large tap target"
        label.click()
        assert box.is_checked()
    page.get_by_role("button", name="Spara närvaron").click()
    page.get_by_text("Närvaron är sparad.").wait_for()
    assert "Genomförd" in page.content()
    axe(page)
    enrolment = Enrolment.objects.get()
    assert enrolment.completed_on == start + timedelta(weeks=3)

    page.get_by_role("link", name=enrolment.round.__str__()).click()
    page.get_by_role("heading", name="Har gått klart kursen").wait_for()
    axe(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Kursintyg (PDF): Tova Påhittad").click()
    assert download.value.suggested_filename == f"kursintyg-{enrolment.pk}.pdf"
    text = " ".join(PdfReader(io.BytesIO(open(download.value.path(), "rb").read())).pages[0].extract_text().split())
    assert "Tova Påhittad" in text
    assert person.personal_number[-4:] not in text
