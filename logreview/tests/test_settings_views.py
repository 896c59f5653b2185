"""The unit's log-review settings page: who may open it, what a save does."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessLogEntry, FieldChange
from logreview.models import ReviewSettings, all_rules

pytestmark = pytest.mark.django_db

URL = reverse("logreview:settings")


def form_data(**overrides):
    data = {
        "version": "1", "rules": ["protected", "staff"], "sample_size": "30",
        "workday_starts": "08:00", "workday_ends": "17:00", "many_clients_factor": "2.5",
    }
    data.update(overrides)
    return data


@pytest.fixture
def other_manager(other_unit):
    return UserFactory(unit=other_unit, roles=[Role.MANAGER])


def test_anonymous_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("role", ["case_officer", "pilot", "housing_admin", "system_admin"])
def test_other_roles_are_refused(client, users, role):
    client.force_login(users[role])
    assert client.get(URL).status_code == 403
    assert client.post(URL, form_data()).status_code == 403
    assert not ReviewSettings.objects.exists()


def test_manager_sees_the_defaults_of_their_unit(client, manager, unit, django_assert_max_num_queries):
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Inställningar för logggranskning" in page
    assert unit.name in page
    assert page.count('type="checkbox"') == len(all_rules())
    assert 'value="20"' in page  # the default sample


def test_manager_saves_the_units_settings_and_corrects_them_with_history(client, manager, unit):
    client.force_login(manager)
    response = client.post(URL, form_data())
    assert response.status_code == 302
    saved = ReviewSettings.objects.get(unit=unit)
    assert saved.rules == ["protected", "staff"]
    assert saved.sample_size == 30
    assert str(saved.workday_starts) == "08:00:00"
    assert AccessLogEntry.objects.filter(user=manager, object_type="logreview.reviewsettings",
                                         action="create").exists()
    response = client.post(URL, form_data(version=str(saved.version), rules=["staff", "off_hours"]))
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.rules == ["staff", "off_hours"]
    assert FieldChange.objects.filter(object_type="logreview.reviewsettings", object_id=str(saved.pk),
                                      field="rules", user=manager).exists()


def test_another_units_manager_edits_only_their_own_unit(client, other_manager, manager, unit, other_unit):
    ReviewSettings.objects.create(unit=unit, sample_size=7)
    client.force_login(other_manager)
    response = client.get(URL)
    assert response.status_code == 200
    assert 'value="7"' not in response.content.decode()
    client.post(URL, form_data(sample_size="99"))
    assert ReviewSettings.objects.get(unit=unit).sample_size == 7
    assert ReviewSettings.objects.get(unit=other_unit).sample_size == 99


def test_a_manager_without_a_unit_gets_404(client):
    loose = UserFactory(unit=None, roles=[Role.MANAGER])
    client.force_login(loose)
    assert client.get(URL).status_code == 404


@pytest.mark.parametrize("overrides, field, message", [
    ({"workday_starts": "17:00", "workday_ends": "08:00"}, "workday_ends", "Arbetsdagen måste sluta efter att den börjar."),
    ({"workday_starts": "8 på morgonen"}, "workday_starts", "Skriv en tid som TT:MM, till exempel 07:30."),
    ({"sample_size": "600"}, "sample_size", "Högst 500 läsningar kan dras slumpmässigt."),
    ({"sample_size": "tio"}, "sample_size", "Skriv ett heltal."),
    ({"many_clients_factor": "1"}, "many_clients_factor", "Använd minst 1,5: en mindre faktor flaggar vanliga månader."),
    ({"rules": ["nonsense"]}, "rules", None),
])
def test_bad_input_is_refused_beside_the_field(client, manager, unit, overrides, field, message):
    client.force_login(manager)
    response = client.post(URL, form_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    if message:
        assert message in errors[field]
    assert not ReviewSettings.objects.filter(unit=unit).exists()


def test_a_stale_form_is_a_conflict_and_saves_nothing(client, manager, unit):
    saved = ReviewSettings.objects.create(unit=unit, sample_size=7)
    ReviewSettings.objects.filter(pk=saved.pk).update(version=2)  # another manager saved meanwhile
    client.force_login(manager)
    response = client.post(URL, form_data(version="1", sample_size="40"))
    assert response.status_code == 200
    assert "Någon annan sparade" in response.content.decode()
    assert ReviewSettings.objects.get(pk=saved.pk).sample_size == 7


def test_the_menu_links_the_settings_for_managers(client, manager, case_officer):
    client.force_login(manager)
    assert URL in client.get(reverse("home"), follow=True).content.decode()
    client.force_login(case_officer)
    assert URL not in client.get(reverse("home"), follow=True).content.decode()
