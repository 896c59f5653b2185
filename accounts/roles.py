"""The five roles and what each may do.

A role is a Django Group; what it may do is the set of permissions each app
declares for it on its AppConfig (`role_permissions`, collected below).
Views check permissions (never group names) so that a system administrator
can tailor a role in the admin without code changes; data migrations call
`sync_roles()` so that a fresh database and an upgraded one agree.

Which records a role sees is decided by each model's `visible_to(user)`
queryset method (for clients: referrals.models.ClientQuerySet).
"""

from django.utils.translation import gettext_lazy as _


class Role:
    CASE_OFFICER = "Handläggare"
    PILOT = "Bolots"
    HOUSING_ADMIN = "Boendeadministratör"
    MANAGER = "Chef"
    SYSTEM_ADMIN = "Systemadministratör"

    ALL = (CASE_OFFICER, PILOT, HOUSING_ADMIN, MANAGER, SYSTEM_ADMIN)

    DESCRIPTIONS = {
        CASE_OFFICER: _("Registers clients, decisions and orders to the bolots unit."),
        PILOT: _("Carries out orders: visits, outreach, housing course."),
        HOUSING_ADMIN: _("Apartments, keys, second-hand contracts and rent."),
        MANAGER: _("Follows the unit's goals and reviews the access log."),
        SYSTEM_ADMIN: _("Users and roles; sees no case data."),
    }


def role_permissions() -> dict[str, list[str]]:
    """{role: ["app_label.codename", ...]} collected from every app's
    `AppConfig.role_permissions`, in the order of Role.ALL.

    Each app declares which of its permissions each role gets, as a dict of
    role name to dotted permission names, e.g. (bolots/apps.py)

        role_permissions = {Role.PILOT: ["bolots.view_visit", "bolots.add_visit"]}

    so that a new permission means editing the app that owns it (and its
    data migration that calls sync_roles()), never accounts. The installed
    apps are read from Django's own registry, not from a migration's
    historical one, which knows no AppConfig attributes.
    """
    from django.apps import apps as installed

    collected = {role: [] for role in Role.ALL}
    for config in installed.get_app_configs():
        for role, perms in getattr(config, "role_permissions", {}).items():
            collected[role].extend(perm for perm in perms if perm not in collected[role])
    return collected


def sync_roles(apps, schema_editor=None) -> None:
    """Create the role groups and give each the permissions the apps declare
    (role_permissions above).

    Called from data migrations with the migration's `apps`. Permissions are
    normally created only after all migrations have run, so they are created
    here first. Permissions of apps not migrated yet are skipped: the later
    app's own data migration calls this again. Permissions are only added,
    never removed, so that a system administrator's local additions survive
    upgrades; taking one away needs its own migration.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in role_permissions().items():
        group, _created = Group.objects.get_or_create(name=role)
        for dotted in perms:
            app_label, codename = dotted.split(".", 1)
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                group.permissions.add(permission)
