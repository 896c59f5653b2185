"""The enforcement authority's figures (KPI 2): entered and corrected by a
manager for the municipality of their unit; Swedish errors and nothing
saved on an error; conflicting edits are not lost."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UnitFactory, UserFactory
from audit.models import AccessAction, AccessLogEntry, FieldChange
from reports.models import EnforcementFigures

pytestmark = pytest.mark.django_db
LIST = reverse("reports:enforcement_list")
NEW = reverse("reports:enforcement_edit")
LAST_YEAR = timezone.localdate().year - 1


def edit_url(year):
    return reverse("reports:enforcement_edit", args=[year])


def figures(manager, year=LAST_YEAR, **fields):
    values = {"eviction_applications": 6, "executed_evictions": 3, "children_affected": 2, **fields}
    return EnforcementFigures.objects.create(
        municipality=manager.unit.municipality, year=year, entered_by=manager, **values
    )


def post_data(year=LAST_YEAR, **fields):
    return {"year": year, "eviction_applications": 6, "executed_evictions": 3, "children_affected": 2, **fields}


@pytest.mark.parametrize("url", [LIST, NEW, edit_url(LAST_YEAR)])
def test_anonymous_goes_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("role", ["case_officer", "pilot", "housing_admin", "system_admin"])
@pytest.mark.parametrize("url", [LIST, NEW, edit_url(LAST_YEAR)])
def test_other_roles_are_refused(client, users, role, url):
    client.force_login(users[role])
    assert client.get(url).status_code == 403
    assert client.post(url, post_data()).status_code == 403
    assert not EnforcementFigures.objects.exists()


def test_manager_sees_own_municipality_only(client, manager, other_unit):
    figures(manager, children_affected=7)
    other_manager = UserFactory(username="chef2", unit=other_unit, roles=[Role.MANAGER])
    EnforcementFigures.objects.create(
        municipality=other_unit.municipality, year=LAST_YEAR, eviction_applications=99, executed_evictions=98,
        entered_by=other_manager,
    )
    client.force_login(manager)
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert manager.unit.municipality in html
    assert ">7<" in html
    assert ">99<" not in html and ">98<" not in html
    # The other municipality's year is not reachable by its URL either: the
    # manager's own (empty) year opens instead.
    response = client.get(edit_url(LAST_YEAR))
    assert response.context["figures"].municipality == manager.unit.municipality


def test_enter_figures(client, manager):
    client.force_login(manager)
    assert client.get(NEW).status_code == 200
    response = client.post(NEW, post_data())
    assert response.status_code == 302
    assert response["Location"] == LIST
    saved = EnforcementFigures.objects.get()
    assert (saved.municipality, saved.year) == (manager.unit.municipality, LAST_YEAR)
    assert (saved.eviction_applications, saved.executed_evictions, saved.children_affected) == (6, 3, 2)
    assert saved.entered_by == manager
    entry = AccessLogEntry.objects.get(object_type="reports.enforcementfigures")
    assert entry.action == AccessAction.CREATE and entry.user == manager


def test_year_in_the_url_is_prefilled(client, manager):
    client.force_login(manager)
    response = client.get(edit_url(LAST_YEAR))
    assert response.status_code == 200
    assert response.context["form"]["year"].value() == LAST_YEAR
    assert client.post(edit_url(LAST_YEAR), post_data()).status_code == 302
    assert EnforcementFigures.objects.get().year == LAST_YEAR


@pytest.mark.parametrize("year", [1999, timezone.localdate().year + 1])
def test_year_outside_the_range_in_the_url_is_404(client, manager, year):
    client.force_login(manager)
    assert client.get(edit_url(year)).status_code == 404


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (post_data(executed_evictions=7), "executed_evictions",
         "Verkställda avhysningar kan inte vara fler än ansökningarna om avhysning (6)."),
        (post_data(year=1999), "year", "Ange ett år från 2000 till"),
        (post_data(year=timezone.localdate().year + 1), "year", "Ange ett år från 2000 till"),
        (post_data(eviction_applications=-1), "eviction_applications", "Ange ett tal, 0 eller mer."),
        (post_data(children_affected=""), "children_affected", "Detta fält måste fyllas i."),
        (post_data(eviction_applications="sex"), "eviction_applications", "Fyll i ett heltal."),
    ],
)
def test_errors_are_in_swedish_and_nothing_is_saved(client, manager, data, field, message):
    client.force_login(manager)
    response = client.post(NEW, data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert not EnforcementFigures.objects.exists()
    assert "Det finns fel i formuläret" in response.content.decode()  # the error summary (base.html)


def test_a_year_cannot_be_entered_twice(client, manager):
    figures(manager)
    client.force_login(manager)
    response = client.post(NEW, post_data(eviction_applications=10))
    assert response.status_code == 200
    assert "redan" in " ".join(response.context["form"].errors["year"])
    assert EnforcementFigures.objects.get().eviction_applications == 6


def test_correct_figures_keeps_history(client, manager):
    saved = figures(manager)
    client.force_login(manager)
    response = client.get(edit_url(LAST_YEAR))
    assert response.context["figures"] == saved
    # The year of saved figures cannot be changed.
    response = client.post(edit_url(LAST_YEAR), post_data(year=LAST_YEAR - 3, eviction_applications=8,
                                                          version=saved.version))
    assert response.status_code == 302
    saved.refresh_from_db()
    assert (saved.year, saved.eviction_applications, saved.version) == (LAST_YEAR, 8, 2)
    change = FieldChange.objects.get(object_type="reports.enforcementfigures")
    assert (change.field, change.old_value, change.new_value) == ("eviction_applications", "6", "8")
    assert AccessLogEntry.objects.filter(action=AccessAction.UPDATE, object_id=str(saved.pk)).count() == 1


def test_concurrent_correction_is_not_lost(client, manager):
    saved = figures(manager)
    opened_version = saved.version
    # Another manager saves in between.
    EnforcementFigures.objects.filter(pk=saved.pk).update(eviction_applications=9, version=opened_version + 1)
    client.force_login(manager)
    response = client.post(edit_url(LAST_YEAR), post_data(eviction_applications=8, version=opened_version))
    assert response.status_code == 200
    html = response.content.decode()
    assert "En annan chef sparade" in html
    assert response.context["conflict"].eviction_applications == 9
    # The user's input is kept in the form, against the newer version.
    assert response.context["form"]["eviction_applications"].value() == "8"
    assert response.context["form"]["version"].value() == str(opened_version + 1)
    saved.refresh_from_db()
    assert saved.eviction_applications == 9
    # Saving again now works.
    response = client.post(edit_url(LAST_YEAR), post_data(eviction_applications=8, version=opened_version + 1))
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.eviction_applications == 8


def test_manager_without_unit_is_refused(client):
    manager = UserFactory(username="chef_utan_enhet", unit=None, roles=[Role.MANAGER])
    client.force_login(manager)
    assert client.get(LIST).status_code == 403
    assert client.get(NEW).status_code == 403


def test_same_municipality_shares_figures(client, manager):
    """Two units of one municipality see the same (municipality-wide) figures."""
    figures(manager, eviction_applications=11, executed_evictions=4)
    sibling = UnitFactory(municipality=manager.unit.municipality, name="Annan enhet")
    colleague = UserFactory(username="chef3", unit=sibling, roles=[Role.MANAGER])
    client.force_login(colleague)
    html = client.get(LIST).content.decode()
    assert ">11<" in html
