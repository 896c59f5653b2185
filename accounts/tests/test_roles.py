import pytest
from django.contrib.auth.models import Group

from accounts.roles import ROLE_PERMISSIONS, Role


@pytest.mark.django_db
def test_the_data_migration_created_every_role_with_its_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.ALL)
    for role, perms in ROLE_PERMISSIONS.items():
        granted = {
            f"{app}.{codename}"
            for app, codename in Group.objects.get(name=role).permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
        assert granted == set(perms), role


@pytest.mark.django_db
def test_no_role_may_see_protected_personal_data_by_default():
    # view_protected_client is given to named users, never to a whole role.
    assert not Group.objects.filter(permissions__codename="view_protected_client").exists()


CASE_DATA_MODELS = {"client", "decision", "individualplan", "order", "evictionnotice", "concernreport",
                    "accesslogentry", "fieldchange"}


@pytest.mark.django_db
def test_system_administrator_gets_reference_data_but_no_case_data():
    models = set(Group.objects.get(name=Role.SYSTEM_ADMIN).permissions.values_list("content_type__model", flat=True))
    assert models & CASE_DATA_MODELS == set()
    assert {"legalreference", "targetgroup", "user", "unit"} <= models


def test_user_role_helpers(case_officer, manager, pilot):
    assert case_officer.is_case_officer and not case_officer.is_manager
    assert manager.is_manager
    assert pilot.is_pilot and not pilot.is_case_officer
