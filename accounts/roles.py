"""The five roles and what each may do.

A role is a Django Group; what it may do is the set of permissions below.
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


# "app_label.codename" per role. Later issues append to these lists and add a
# data migration that calls sync_roles().
ROLE_PERMISSIONS = {
    Role.CASE_OFFICER: [
        "referrals.view_client",
        "referrals.add_client",
        "referrals.change_client",
        "referrals.view_decision",
        "referrals.add_decision",
        "referrals.change_decision",
        "referrals.view_ivo_report",
        "referrals.view_individualplan",
        "referrals.add_individualplan",
        "referrals.change_individualplan",
        "referrals.view_order",
        "referrals.add_order",
        "referrals.change_order",
        "referrals.view_evictionnotice",
        "referrals.add_evictionnotice",
        "referrals.change_evictionnotice",
        "referrals.view_concernreport",
        "referrals.add_concernreport",
        "referrals.change_concernreport",
        "tenancies.view_apartment",
        "tenancies.view_tenancy",
        "tenancies.add_tenancy",
        "tenancies.change_tenancy",
        "tenancies.view_complaint",
        "tenancies.add_complaint",
        "bolots.view_visit",
        "bolots.view_visitchecklist",
        "bolots.view_signal",
        "bolots.change_signal",
        "bolots.view_frequencychange",
        "bolots.view_housingsearchprofile",
        "bolots.view_queueregistration",
        "bolots.view_housingapplication",
        "bolots.view_courseround",
        "bolots.view_enrolment",
        "bolots.add_enrolment",
    ],
    Role.PILOT: [
        "referrals.view_client",
        "referrals.view_order",
        "referrals.accept_order",
        "referrals.carry_out_order",
        "tenancies.view_apartment",
        "tenancies.view_tenancy",
        "tenancies.view_complaint",
        "tenancies.add_complaint",
        "bolots.view_visit",
        "bolots.add_visit",
        "bolots.change_visit",
        "bolots.view_visitchecklist",
        "bolots.add_visitchecklist",
        "bolots.view_frequencychange",
        "bolots.add_frequencychange",
        "bolots.view_unit_overview",
        "bolots.view_visit_statistics",
        "bolots.view_housingsearchprofile",
        "bolots.add_housingsearchprofile",
        "bolots.change_housingsearchprofile",
        "bolots.view_queueregistration",
        "bolots.add_queueregistration",
        "bolots.change_queueregistration",
        "bolots.view_housingapplication",
        "bolots.add_housingapplication",
        "bolots.change_housingapplication",
        "bolots.view_courseround",
        "bolots.add_courseround",
        "bolots.change_courseround",
        "bolots.view_enrolment",
        "bolots.add_enrolment",
        "bolots.change_enrolment",
        "bolots.view_attendance",
        "bolots.add_attendance",
        "bolots.change_attendance",
    ],
    Role.HOUSING_ADMIN: [
        "tenancies.view_apartment",
        "tenancies.add_apartment",
        "tenancies.change_apartment",
        "tenancies.import_register",
        "tenancies.view_keyset",
        "tenancies.add_keyset",
        "tenancies.change_keyset",
        "tenancies.delete_keyset",
        "tenancies.view_complaint",
        "tenancies.add_complaint",
        "tenancies.change_complaint",
        "tenancies.view_tenancy",
    ],
    Role.MANAGER: [
        "referrals.view_client",
        "referrals.view_decision",
        "referrals.view_ivo_report",
        "referrals.view_individualplan",
        "referrals.view_order",
        "referrals.view_evictionnotice",
        "referrals.view_concernreport",
        "referrals.view_reassignment",
        "referrals.add_reassignment",
        "tenancies.view_apartment",
        "tenancies.view_tenancy",
        "tenancies.view_complaint",
        "bolots.view_visit",
        "bolots.view_visitchecklist",
        "bolots.view_signal",
        "bolots.view_unit_overview",
        "bolots.view_visit_statistics",
        "bolots.view_housingsearchprofile",
        "bolots.view_courseround",
        "bolots.view_enrolment",
        "audit.view_accesslogentry",
        # Second person of the two-person rule (accounts.users.services).
        "accounts.decide_accessrequest",
        # Accept or decline another unit's request for a file (referrals.services.transfers).
        "referrals.decide_transferrequest",
        "reports.view_kpi_dashboard",
        "reports.view_enforcementfigures",
        "reports.add_enforcementfigures",
        "reports.change_enforcementfigures",
        "reports.view_reportrun",
        "reports.add_reportrun",
        "reports.download_reportrun",
        # Second person of a second-factor reset (accounts.login).
        "accounts.approve_secondfactorreset",
    ],
    Role.SYSTEM_ADMIN: [
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_unit",
        "accounts.add_unit",
        "accounts.change_unit",
        "auth.view_group",
        "referrals.view_legalreference",
        "referrals.add_legalreference",
        "referrals.change_legalreference",
        "referrals.view_targetgroup",
        "referrals.add_targetgroup",
        "referrals.change_targetgroup",
        # First person of a second-factor reset (accounts.login).
        "accounts.add_secondfactorreset",
        "accounts.view_secondfactorreset",
    ],
}


def sync_roles(apps, schema_editor=None):
    """Create the role groups and give each the permissions listed above.

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
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        for dotted in perms:
            app_label, codename = dotted.split(".", 1)
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                group.permissions.add(permission)
