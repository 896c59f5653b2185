"""Occupancy on the pages: the per-apartment page reports:occupancy (who
may open it, the unit's apartments only, protected tenants' addresses, a
fixed number of queries), the dashboard's section, months and drill-down of
the apartments empty for over 60 days, the yearly PDF's table, and a fixed
year read from its snapshot.

"Today" is 1 March 2027 (django.utils.timezone.localdate replaced, as in
test_preliminary.py); the figures are those of test_occupancy.py's
hand-counted first case."""

import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from referrals.models import ProtectionLevel
from reports import evaluation
from reports.snapshots import freeze_year, frozen_year
from tenancies.models import EndReason, Vacancy, VacancyReason
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

pytestmark = pytest.mark.django_db
TODAY = date(2027, 3, 1)
YEAR = 2026


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    original = timezone.localdate

    def localdate(value=None, timezone=None):
        return TODAY if value is None else original(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return TODAY


def page_url(year=YEAR):
    return reverse("reports:occupancy", args=[year])


def stock(unit):
    """Apartment "OCC-1": tenant 2025-06-01 – 2025-12-19, empty up to the
    next move-in on 2026-01-10 (2026: 365 days, 356 occupied, 9 empty, 97,5 %).
    Apartment "OCC-2": empty since 2026-09-01 (2026: 243 occupied by a tenant
    who left on 2026-08-31, 122 empty; empty 122 days on 31 December → over
    60 days)."""
    first = ApartmentFactory(unit=unit, object_number="OCC-1", street_address="Beläggningsvägen 1")
    TenancyFactory(apartment=first, start_date=date(2025, 6, 1), end_date=date(2025, 12, 19),
                   end_reason=EndReason.OWN_HOUSING)
    TenancyFactory(apartment=first, start_date=date(2026, 1, 10))
    Vacancy.objects.create(apartment=first, reason=VacancyReason.MOVE_OUT, vacant_from=date(2025, 12, 20),
                           ended_on=date(2026, 1, 10))
    second = ApartmentFactory(unit=unit, object_number="OCC-2", street_address="Beläggningsvägen 2")
    TenancyFactory(apartment=second, start_date=date(2025, 1, 1), end_date=date(2026, 8, 31),
                   end_reason=EndReason.OWN_HOUSING)
    Vacancy.objects.create(apartment=second, reason=VacancyReason.MOVE_OUT, vacant_from=date(2026, 9, 1))
    return first, second


# --- Who may open the page ------------------------------------------------------------------------


def test_anonymous_goes_to_login(client):
    response = client.get(page_url())
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("role", ["case_officer", "pilot", "housing_admin", "system_admin", "outside_officer"])
def test_other_roles_are_refused(client, users, role):
    client.force_login(users[role])
    assert client.get(page_url()).status_code == 403


def test_year_out_of_range_is_404(client, manager):
    client.force_login(manager)
    assert client.get(page_url(1999)).status_code == 404
    assert client.get(page_url(TODAY.year + 1)).status_code == 404


def test_manager_sees_the_units_apartments_only(client, unit, other_unit, manager):
    stock(unit)
    ApartmentFactory(unit=other_unit, object_number="UTE-1", street_address="Andra enhetens gata 9")
    client.force_login(manager)
    response = client.get(page_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "OCC-1" in html and "Beläggningsvägen 1" in html and "OCC-2" in html
    assert "UTE-1" not in html and "Andra enhetens gata" not in html
    # OCC-1: 365 days, 356 occupied, 9 empty, 97,5 %.
    first = response.context["rows"][0]
    assert (first.programme_days, first.occupied_days, first.empty_days) == (365, 356, 9)
    assert "97,5\xa0%" in html
    # The other unit's manager sees their own unit: not these apartments.
    outsider = UserFactory(username="chef_ute", unit=other_unit, roles=[Role.MANAGER])
    client.force_login(outsider)
    html = client.get(page_url()).content.decode()
    assert "UTE-1" in html and "OCC-1" not in html and "Beläggningsvägen" not in html


def test_without_a_year_the_running_one(client, unit, manager):
    stock(unit)
    client.force_login(manager)
    response = client.get(reverse("reports:occupancy"))
    assert response.status_code == 200
    assert response.context["year"] == TODAY.year
    assert response.context["preliminary"]
    response = client.get(reverse("reports:occupancy") + f"?ar={YEAR}")
    assert response.context["year"] == YEAR


def test_protected_tenants_apartment_shows_the_object_number_only(client, unit, manager):
    first, _second = stock(unit)
    tenant = first.tenancies.get(end_date__isnull=True).client
    tenant.protection_level = ProtectionLevel.PROTECTED_REGISTRATION
    tenant.save()
    client.force_login(manager)
    html = client.get(page_url()).content.decode()
    assert "OCC-1" in html and "Beläggningsvägen 1" not in html
    assert "Beläggningsvägen 2" in html
    # No tenant is ever named on the page.
    assert tenant.last_name not in html
    # Nor are the protected tenant's move dates given away: OCC-1's
    # occupied days (356 in the year, 22 in January: the move-in on 10
    # January), its move-in and its vacancy (21 days) are not shown; its
    # object number, kind and days in the programme are.
    protected_row = _row(html, "occupancy-table", "OCC-1")
    assert "365" in protected_row and "Visas inte: skyddade personuppgifter" in protected_row
    assert "356" not in protected_row and "97,5" not in protected_row and "21" not in protected_row
    protected_months = _row(html, "occupancy-months-table", "OCC-1")
    assert "Visas inte: skyddade personuppgifter" in protected_months and "22" not in protected_months
    # OCC-2's months are shown (August 31 occupied, September 30 empty).
    assert ">31<" in _row(html, "occupancy-months-table", "OCC-2")
    # With the permission to see protected whereabouts, the address is shown.
    manager.user_permissions.add(Permission.objects.get(codename="view_protected_client"))
    client.force_login(manager)
    html = client.get(page_url()).content.decode()
    assert "Beläggningsvägen 1" in html
    assert "356" in _row(html, "occupancy-table", "OCC-1")
    assert "Visas inte" not in _row(html, "occupancy-months-table", "OCC-1")


def _row(html, table_id, object_number):
    """The table row of `table_id` that starts with the object number."""
    table = html[html.index(f'id="{table_id}"'):]
    for row in table[:table.index("</table>")].split("<tr"):
        if f">{object_number}</th>" in row:
            return row
    raise AssertionError(f"no row for {object_number}")


def test_months_turnover_and_vacancies_per_apartment(client, unit, manager):
    stock(unit)
    client.force_login(manager)
    response = client.get(page_url())
    html = response.content.decode()
    first, second = response.context["rows"]
    # OCC-1: January 31 days, 22 occupied (move-in on 10 January), 9 empty;
    # the other months full. One move-in: turnover 100 %; one vacancy ended
    # (20 December – 9 January: 21 days); not empty on 31 December.
    assert (first.months[0].occupied_days, first.months[0].empty_days) == (22, 9)
    assert all(m.empty_days == 0 for m in first.months[1:])
    assert (first.move_ins, first.vacancies_ended, first.empty_now_days) == (1, 1, None)
    row = _row(html, "occupancy-table", "OCC-1")
    assert "100,0\xa0%" in row and "21 dagar" in row
    # OCC-2: let to 31 August, empty from 1 September: 122 days on 31
    # December, over 60.
    assert [m.empty_days for m in second.months[7:]] == [0, 30, 31, 30, 31]
    assert (second.move_ins, second.empty_now_days, second.empty_over_60) == (0, 122, True)
    assert "över 60 dagar" in _row(html, "occupancy-table", "OCC-2")
    # The month table: both apartments, 24 month columns, and the unit's
    # total per month (January: 22 + 31 = 53 occupied, 9 empty).
    months = html[html.index('id="occupancy-months-table"'):]
    months = months[:months.index("</table>")]
    assert months.count('scope="colgroup"') == 12
    total = months[months.index("<tfoot>"):]
    assert '<td class="text-end">53</td><td class="text-end">9</td>' in total
    # The unit's year: one move-in (OCC-1's): 1 × 365 × 100 / 730 = 50 %;
    # OCC-1's vacancy ended, OCC-2's open on 31 December, over 60 days.
    assert response.context["unit_figures"] == {
        "move_ins": 1, "turnover": D("50.0"), "vacancies_ended": 1, "vacancy_length": D("21.0"),
        "empty_now": 1, "empty_over_60": 1,
    }


def test_running_year_has_columns_up_to_this_month(client, unit, manager):
    stock(unit)
    client.force_login(manager)
    html = client.get(page_url(TODAY.year)).content.decode()
    months = html[html.index('id="occupancy-months-table"'):]
    # Today is 1 March 2027: January, February and March.
    assert months[:months.index("</table>")].count('scope="colgroup"') == 3


def _apartments(unit, count):
    for n in range(count):
        apartment = ApartmentFactory(unit=unit)
        TenancyFactory(apartment=apartment, start_date=date(2025, 1 + n % 12, 1),
                       end_date=date(2026, 1 + n % 12, 5), end_reason=EndReason.OWN_HOUSING)
        TenancyFactory(apartment=apartment, start_date=date(2026, 1 + n % 12, 6))


# The request: session, user, the user's and the group's permissions, the
# menu's unread notifications, the session's idle timestamp (SAVEPOINT,
# UPDATE, RELEASE): 8; the manager's unit and the years with data: 2; the
# apartments with their days per month, the tenancies with their occupied
# days per month, the vacancies: 3.
PAGE_QUERIES = 7


@pytest.mark.parametrize("count", [1, 50])
def test_page_queries_do_not_grow_with_the_apartments(client, unit, manager, count, django_assert_num_queries):
    _apartments(unit, count)
    client.force_login(manager)
    client.get(page_url())
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(page_url())
    assert len(response.context["rows"]) == count


def test_menu_entry(client, manager, case_officer):
    client.force_login(manager)
    assert reverse("reports:occupancy") in client.get(reverse("home")).content.decode()
    client.force_login(case_officer)
    assert reverse("reports:occupancy") not in client.get(reverse("home")).content.decode()


# --- The dashboard and its drill-down -------------------------------------------------------------


def test_dashboard_section_months_and_drilldown(client, unit, manager):
    first, second = stock(unit)
    client.force_login(manager)
    response = client.get(reverse("reports:dashboard", args=[YEAR]))
    html = response.content.decode()
    assert 'id="section-occupancy-heading"' in html
    assert 'id="occupancy-months"' in html
    assert reverse("reports:occupancy", args=[YEAR]) in html
    months = response.context["occupancy"].months
    # January: OCC-1 empty 1–9 (22 of 31 occupied), OCC-2 let: 62 days, 53 occupied.
    assert (months[0].programme_days, months[0].occupied_days) == (62, 53)
    drilldown = reverse("reports:drilldown", args=[YEAR, "occupancy.empty_over_60"])
    assert drilldown in html
    response = client.get(drilldown)
    assert response.status_code == 200
    assert response.context["total"] == 1
    listed = response.content.decode()
    assert "OCC-2" in listed and "OCC-1" not in listed
    # The list shows no address and no tenant.
    assert "Beläggningsvägen" not in listed
    assert second.tenancies.get().client.last_name not in listed


def test_a_fixed_year_keeps_the_occupancy(client, unit, manager):
    first, _second = stock(unit)
    freeze_year(unit, YEAR, user=manager)
    # A move-in recorded afterwards does not change the fixed figures.
    TenancyFactory(apartment=_second, start_date=date(2026, 10, 1))
    fixed = frozen_year(unit, YEAR)
    occupancy = next(section for section in fixed.sections if section.key == "occupancy")
    assert sum(month.programme_days for month in occupancy.months) == 730
    assert sum(month.occupied_days for month in occupancy.months) == 356 + 243
    assert {figure.key: figure.value for figure in occupancy.figures}["occupancy.empty_over_60"] == 1
    assert fixed.drilldown["occupancy.empty_over_60"] == {"records": 1, "persons": 0}
    client.force_login(manager)
    response = client.get(reverse("reports:dashboard", args=[YEAR]))
    assert response.context["occupancy"].months == occupancy.months


# --- The yearly PDF ---------------------------------------------------------------------------------


def _pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_pdf_has_the_occupancy_table(unit):
    stock(unit)
    _name, _mime, content = evaluation.render_evaluation(YEAR, unit)
    text = _pdf_text(content)
    assert "Beläggningsgrad" in text
    # The year's total: 730 days, 599 occupied, 131 empty, 82,1 % (599 / 730).
    assert "730" in text and "599" in text and "131" in text and "82,1" in text
    assert "Beläggningsvägen" not in text
