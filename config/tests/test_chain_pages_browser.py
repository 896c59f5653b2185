"""The housing chain's pages that no journey test visits, opened on a phone
and a desktop with axe-core on each (issue 15): the vacancy list, the
waiting list with a decision's needs and priority, the person links of a
client file, the checklist rules and the national statistics."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.tests.factories import ClientFactory
from tenancies.models import ApartmentKind, HousingNeeds, Vacancy, VacancyReason
from tenancies.tests.factories import ApartmentFactory, granted_decision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_case_officer_reads_vacancies_waiting_list_and_links(sized_page, unit, case_officer, browser_login, axe):
    page = sized_page
    today = timezone.localdate()
    apartment = ApartmentFactory(unit=unit, object_number="VAK-1", street_address="Vakansvägen 1",
                                 kind=ApartmentKind.TRAINING, rooms=2)
    Vacancy.objects.create(apartment=apartment, reason=VacancyReason.MOVE_OUT, vacant_from=today - timedelta(days=70),
                           ready_from=today + timedelta(days=5))
    person = ClientFactory(unit=unit, first_name="Vera", last_name="Väntesson")
    decision = granted_decision(person, decided_on=today - timedelta(days=80))
    HousingNeeds.objects.create(decision=decision, rooms_min=1, rooms_max=2)
    browser_login(page, "handlaggare")

    page.goto(reverse("tenancies:vacancy_list"))
    page.get_by_role("heading", level=1).filter(has_text="Vakanser").wait_for()
    # Empty from 70 days ago up to and including today: 71 days.
    row = page.locator("tbody tr").first.inner_text()
    assert "VAK-1" in row and "71" in row and "Ej klar" in row
    axe(page)

    page.goto(reverse("tenancies:waiting_list"))
    page.get_by_role("heading", level=1).wait_for()
    assert "Väntesson" in page.content()
    axe(page)
    for name in ("tenancies:waiting_needs", "tenancies:waiting_priority"):
        page.goto(reverse(name, args=[decision.pk]))
        page.get_by_role("heading", level=1).wait_for()
        axe(page)

    page.goto(reverse("tenancies:vacancy_match", args=[apartment.pk]))
    page.get_by_role("heading", level=1).wait_for()
    assert "Väntesson" in page.content()
    axe(page)

    page.goto(reverse("referrals:person_links", args=[person.pk]))
    page.get_by_role("heading", level=1).wait_for()
    axe(page)


def test_manager_reads_checklist_rules_and_national_statistics(sized_page, unit, manager, browser_login, axe):
    page = sized_page
    browser_login(page, "chef")

    page.goto(reverse("bolots:checklist_rules"))
    page.get_by_role("heading", level=1).wait_for()
    axe(page)

    page.goto(reverse("reports:national") + f"?dag={date.today():%Y-%m-%d}")
    page.get_by_role("heading", level=1).wait_for()
    axe(page)
