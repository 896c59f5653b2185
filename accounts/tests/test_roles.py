import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from accounts.roles import Role, role_permissions, sync_roles


@pytest.mark.django_db
def test_the_data_migration_created_every_role_with_its_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.ALL)
    for role, perms in role_permissions().items():
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


def test_each_app_declares_the_permissions_of_its_roles_on_its_app_config():
    # The registry: bolots' own AppConfig says what a bolots may do there,
    # and accounts.roles only collects it.
    declared = apps.get_app_config("bolots").role_permissions
    assert "bolots.add_visit" in declared[Role.PILOT]
    assert "bolots.add_visit" in role_permissions()[Role.PILOT]
    assert "bolots.add_visit" not in role_permissions()[Role.CASE_OFFICER]


def test_an_app_grants_only_its_own_permissions_or_those_of_lower_layers():
    # Lower layers cannot name the roles (audit sits below accounts), so
    # accounts grants theirs; no app grants a higher app's permission.
    order = ["auth", "core", "audit", "accounts", "referrals", "tenancies", "bolots", "reports"]
    for config in apps.get_app_configs():
        for perms in getattr(config, "role_permissions", {}).values():
            for perm in perms:
                owner = perm.split(".", 1)[0]
                assert owner == config.label or order.index(owner) < order.index(config.label), (config.label, perm)


@pytest.mark.django_db
def test_a_permission_declared_on_an_app_config_reaches_the_role(monkeypatch):
    bolots = apps.get_app_config("bolots")
    declared = {role: list(perms) for role, perms in bolots.role_permissions.items()}
    declared[Role.PILOT].append("bolots.delete_visit")
    monkeypatch.setattr(bolots, "role_permissions", declared)
    pilots = Group.objects.get(name=Role.PILOT)
    assert not pilots.permissions.filter(codename="delete_visit").exists()

    sync_roles(apps)

    assert pilots.permissions.filter(content_type__app_label="bolots", codename="delete_visit").exists()
    assert not Group.objects.get(name=Role.MANAGER).permissions.filter(codename="delete_visit").exists()
