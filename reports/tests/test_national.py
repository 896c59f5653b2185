"""National statistics on a reference day (reports.kpis.national and
views/national.py): the survey's and situation 3's counts on a hand-built
data set, the drill-down behind each figure, access and query counts."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessLogEntry
from core.personnummer import make_number
from referrals.models import ProtectionLevel
from referrals.tests.factories import ClientFactory
from reports.kpis.national import national_figures, records
from tenancies.models import ApartmentKind, EndReason
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 31)
K = ApartmentKind
PROTECTED_TEXT = "Person med skyddade personuppgifter"


def person(unit, serial, born, *, man, children=0, **extra):
    """A client of `unit`: the serial's last digit is odd for men, even for women."""
    number = make_number(born, serial * 2 + (1 if man else 0))
    return ClientFactory(unit=unit, personal_number=number, children_in_home=children, **extra)


def live(unit, client, kind, start, end=None, reason=""):
    return TenancyFactory(apartment=ApartmentFactory(unit=unit, kind=kind), client=client, start_date=start,
                          end_date=end, end_reason=reason)


@pytest.fixture
def people(unit, other_unit):
    # A: man, born 1990-05-10 (35 on the day), training since 2025: counted.
    a = person(unit, 1, date(1990, 5, 10), man=True, first_name="Anders", last_name="Alfa")
    live(unit, a, K.TRAINING, date(2025, 1, 1))
    # B: woman, born 2005-04-01 (20 on the day, 21 the day after), two
    # children, moves into a training apartment on the day: counted.
    b = person(unit, 2, date(2005, 4, 1), man=False, children=2, first_name="Britta", last_name="Beta")
    live(unit, b, K.TRAINING, DAY)
    # C: woman, 56 on the day (her birthday), trial apartment, moves out on
    # the day (the move-out day counts): counted.
    c = person(unit, 3, date(1970, 3, 31), man=False, first_name="Cecilia", last_name="Gamma")
    live(unit, c, K.TRIAL, date(2024, 6, 1), DAY, EndReason.OWN_HOUSING)
    # D: man, trial apartment, moved out the day before: not counted.
    d = person(unit, 4, date(1980, 1, 1), man=True, first_name="David", last_name="Delta")
    live(unit, d, K.TRIAL, date(2024, 1, 1), date(2026, 3, 30), EndReason.OWN_HOUSING)
    # E: man, 66, one child, moves into Housing First the day after: not counted.
    e = person(unit, 5, date(1960, 2, 1), man=True, children=1, first_name="Erik", last_name="Epsilon")
    live(unit, e, K.HOUSING_FIRST, date(2026, 4, 1))
    # F: man, 70, Housing First since 2023: counted.
    f = person(unit, 6, date(1955, 6, 1), man=True, first_name="Fredrik", last_name="Zeta")
    live(unit, f, K.HOUSING_FIRST, date(2023, 1, 1))
    # G: woman in an emergency apartment: short-term, never counted.
    g = person(unit, 7, date(1995, 1, 1), man=False, first_name="Greta", last_name="Eta")
    live(unit, g, K.EMERGENCY, date(2026, 1, 1))
    # I: woman, 25, one child, protected, Housing First since 2025: counted.
    i = person(unit, 8, date(2000, 12, 31), man=False, children=1, first_name="Ingrid", last_name="Iota",
               protection_level=ProtectionLevel.PROTECTED_REGISTRATION)
    live(unit, i, K.HOUSING_FIRST, date(2025, 6, 1))
    # H: another unit's man in a training apartment: not ours.
    h = person(other_unit, 9, date(1985, 1, 1), man=True, first_name="Hans", last_name="Theta")
    live(other_unit, h, K.TRAINING, date(2025, 1, 1))
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g, "h": h, "i": i}


def cells(figures):
    found = {cell.slug: cell.value for row in figures.survey for cell in row.cells}
    found.update({cell.slug: cell.value for cell in figures.situation3.cells})
    found.update({cell.slug: cell.value for cell in figures.situation3_ages})
    return found


def test_the_survey_counts_on_the_day(people, unit):
    got = cells(national_figures(DAY, unit))
    # Training: A (man), B (woman, children).
    assert (got["training-men"], got["training-women"], got["training-children"], got["training-total"]) == (1, 1, 1, 2)
    # Trial: C (woman, out on the day); D moved out the day before.
    assert (got["trial-men"], got["trial-women"], got["trial-children"], got["trial-total"]) == (0, 1, 0, 1)
    # Social contracts (Housing First): F (man), I (woman, children); E
    # moves in the day after.
    assert (got["social-contract-men"], got["social-contract-women"], got["social-contract-children"],
            got["social-contract-total"]) == (1, 1, 1, 2)


def test_situation_3_by_gender_and_age(people, unit):
    got = cells(national_figures(DAY, unit))
    # Men A, F; women B, C, I; G's emergency apartment is not long-term.
    assert (got["situation3-men"], got["situation3-women"], got["situation3-total"]) == (2, 3, 5)
    # Ages: B 20, I 25, A 35, C 56 (her birthday), F 70.
    assert {slug: value for slug, value in got.items() if "-age-" in slug} == {
        "situation3-age-0-17": 0, "situation3-age-18-20": 1, "situation3-age-21-25": 1,
        "situation3-age-26-30": 0, "situation3-age-31-40": 1, "situation3-age-41-50": 0,
        "situation3-age-51-64": 1, "situation3-age-65-plus": 1,
    }


def test_the_day_after(people, unit):
    got = cells(national_figures(date(2026, 4, 1), unit))
    # E has moved in, C has moved out, B turned 21.
    assert got["social-contract-men"] == 2
    assert got["trial-total"] == 0
    assert got["situation3-age-18-20"] == 0
    assert got["situation3-age-21-25"] == 2


def test_the_records_behind_a_figure_are_those_counted(people, unit):
    assert {t.client for t in records("situation3-women", DAY, unit)} == {people["b"], people["c"], people["i"]}
    assert {t.client for t in records("training-children", DAY, unit)} == {people["b"]}


# --- The pages ---------------------------------------------------------------------------------


def page(day=DAY):
    return f"{reverse('reports:national')}?dag={day:%Y-%m-%d}"


def drilldown(slug, day=DAY):
    return f"{reverse('reports:national_drilldown', args=[slug])}?dag={day:%Y-%m-%d}"


def csv_url(day=DAY):
    return f"{reverse('reports:national_csv')}?dag={day:%Y-%m-%d}"


def test_anonymous_goes_to_login(client):
    for url in (page(), drilldown("training-men"), csv_url()):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("role", ["case_officer", "pilot", "housing_admin", "system_admin", "outside_officer"])
def test_other_roles_are_refused(client, users, role):
    client.force_login(users[role])
    assert client.get(page()).status_code == 403
    assert client.get(drilldown("training-men")).status_code == 403
    assert client.get(csv_url()).status_code == 403
    assert not AccessLogEntry.objects.filter(object_type="reports.national").exists()


def test_the_manager_sees_the_figures(client, manager, people):
    client.force_login(manager)
    response = client.get(page())
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nationell statistik" in body
    assert 'id="figure-situation3-total">5<' in body
    assert 'id="figure-training-children">1<' in body
    assert f"{reverse('reports:national_drilldown', args=['trial-women'])}?dag=2026-03-31" in body
    # Aggregates only: nothing is logged.
    assert not AccessLogEntry.objects.filter(object_type="reports.national").exists()


def test_without_a_day_today_is_shown(client, manager):
    client.force_login(manager)
    response = client.get(reverse("reports:national"))
    assert response.status_code == 200
    assert 'id="figure-situation3-total">0<' in response.content.decode()


def test_another_units_manager_sees_only_their_unit(client, other_unit, people):
    client.force_login(UserFactory(username="chef_annan", unit=other_unit, roles=[Role.MANAGER]))
    body = client.get(page()).content.decode()
    assert 'id="figure-training-men">1<' in body  # H only
    assert 'id="figure-situation3-total">1<' in body
    listing = client.get(drilldown("situation3-women")).content.decode()
    assert "Britta" not in listing and "Cecilia" not in listing


@pytest.mark.parametrize("value, message", [
    ("2026-13-01", "Ange ett datum som ÅÅÅÅ-MM-DD"),
    ("igår", "Ange ett datum som ÅÅÅÅ-MM-DD"),
    # Far off: the bound every typed date has (core.dates); two days on (a
    # day after today in any time zone): the
    # form's own rule, the registers do not know who will live where.
    ("2999-01-01", "Datumet kan inte vara senare än"),
    ((date.today() + timedelta(days=2)).isoformat(), "Referensdagen kan inte vara efter i dag"),
])
def test_a_bad_or_future_day_is_refused_beside_the_field(client, manager, value, message):
    client.force_login(manager)
    response = client.get(reverse("reports:national"), {"dag": value})
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert 'id="dag-error"' in body
    assert "figure-situation3-total" not in body


def test_the_drilldown_with_a_bad_day_goes_back_to_the_form(client, manager):
    client.force_login(manager)
    response = client.get(reverse("reports:national_drilldown", args=["training-men"]), {"dag": "2999-01-01"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reports:national"))


def test_an_unknown_figure_is_404(client, manager):
    client.force_login(manager)
    assert client.get(drilldown("kpi9-nothing")).status_code == 404


def test_the_drilldown_lists_the_people_masks_the_protected_and_logs(client, manager, people):
    client.force_login(manager)
    response = client.get(drilldown("situation3-women"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Britta Beta" in body and "Cecilia Gamma" in body
    # I is protected: neither her name nor her move-in date, never an address.
    assert "Ingrid" not in body and PROTECTED_TEXT in body
    assert "2025-06-01" not in body
    for client_record in people.values():
        assert client_record.street_address not in body
    assert "Fiktiva gatan" not in body
    logged = AccessLogEntry.objects.filter(object_type="reports.national")
    assert set(logged.values_list("client_id", flat=True)) == {people["b"].pk, people["c"].pk, people["i"].pk}
    assert all("situation3-women 2026-03-31" in note for note in logged.values_list("note", flat=True))


def test_the_drilldown_says_how_many_are_not_listed(client, manager, unit, people):
    # A tenant of the unit's apartment who is another unit's client: counted,
    # not listed to this manager.
    stranger = person(people["h"].unit, 10, date(1990, 1, 1), man=False,
                      first_name="Stina", last_name="Främling")
    live(unit, stranger, K.TRAINING, date(2026, 1, 1))
    client.force_login(manager)
    body = client.get(drilldown("training-women")).content.decode()
    # B and the stranger are counted; the stranger is not listed.
    assert "Siffran räknar 2 personer" in body
    assert "1 av dem visas inte" in body
    assert "Stina" not in body


def _more(unit, count, first=0):
    for index in range(first, first + count):
        client_record = person(unit, 100 + index, date(1980 + index % 30, 1 + index % 12, 1 + index % 28),
                               man=bool(index % 2), children=index % 3)
        live(unit, client_record, list(K)[index % 3] if index % 4 else K.HOUSING_FIRST, date(2025, 1, 1))


# The request's fixed part (the user and the menu's unread-notification
# count; the session and the permissions come from the cache and the
# session row is not rewritten on every request, issue 16 §1) and one
# aggregate query for every figure.
PAGE_QUERIES = 3
# The same fixed part; the figure's counts (persons, those the user may
# see, the rows listed: one aggregate), the page, and the access-log rows
# (the chain-head lock and one INSERT).
DRILLDOWN_QUERIES = 6


def test_query_counts_do_not_grow_with_the_data(client, manager, unit, django_assert_num_queries):
    _more(unit, 1)
    client.force_login(manager)
    client.get(page())
    client.get(drilldown("situation3-total"))
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(page()).status_code == 200
    with django_assert_num_queries(DRILLDOWN_QUERIES):
        assert client.get(drilldown("situation3-total")).status_code == 200
    _more(unit, 120, first=1)
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(page()).status_code == 200
    with django_assert_num_queries(DRILLDOWN_QUERIES):
        response = client.get(drilldown("situation3-total"))
    assert response.status_code == 200
    assert response.content.decode().count('data-label="Klient"') == 50
    with django_assert_num_queries(DRILLDOWN_QUERIES):
        assert client.get(drilldown("situation3-total") + "&page=2").status_code == 200


def test_a_manager_without_a_unit_is_refused(client):
    client.force_login(UserFactory(username="chef_utan", unit=None, roles=[Role.MANAGER]))
    assert client.get(page()).status_code == 403
    assert client.get(drilldown("training-men")).status_code == 403


def test_the_figures_as_csv(client, manager, people):
    client.force_login(manager)
    response = client.get(csv_url())
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="nationell-statistik-2026-03-31.csv"'
    text = response.content.decode("utf-8-sig")
    assert "2026-03-31;Boverkets bostadsmarknadsenkät;Sociala kontrakt (Bostad först) (Socialt kontrakt);" \
           "Hushåll med barn;1" in text
    assert "2026-03-31;Hemlöshetskartläggningen, situation 3;Hemlöshetskartläggningen, situation 3;" \
           "Samtliga personer;5" in text
    # Aggregates only, no names; the export itself is logged.
    assert "Britta" not in text
    assert AccessLogEntry.objects.filter(object_type="reports.national", note="CSV 2026-03-31").count() == 1
    # A bad day goes back to the form.
    assert client.get(reverse("reports:national_csv"), {"dag": "2999-01-01"}).status_code == 302
