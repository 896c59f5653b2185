from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from .roles import Role


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Users and roles")

    # The login-locks page: system administrators unlock and ask for
    # second-factor resets, managers approve them (accounts.login.views.locks).
    navigation = [
        {"group": _("Administration"), "label": _("Users"), "url_name": "users:list",
         "perm": "accounts.change_user", "order": 95},
        # People who logged in at the municipality's provider with an
        # identity linked to no account (accounts.oidc.link_views).
        {"group": _("Administration"), "label": _("Login link requests"), "url_name": "users:identity_links",
         "perm": "accounts.change_user", "order": 96},
        {"group": _("Follow-up"), "label": _("Access requests"), "url_name": "users:access_requests",
         "perm": "accounts.decide_accessrequest", "order": 92},
        {"group": _("Administration"), "label": _("Login locks"), "url_name": "accounts:login-locks",
         "perm": "accounts.add_secondfactorreset", "order": 900},
        {"group": _("Administration"), "label": _("Second-step resets"), "url_name": "accounts:login-locks",
         "perm": "accounts.approve_secondfactorreset", "order": 901},
        {"group": _("Administration"), "label": _("Undelivered e-mails"), "url_name": "mail_failures:list",
         "perm": "core.view_mailfailure", "order": 902},
        # Scheduled jobs, status, failed e-mails (accounts.operations, issue 16 §4).
        {"group": _("Administration"), "label": _("Operations"), "url_name": "operations:index",
         "perm": "core.view_scheduledjobrun", "order": 910},
    ]

    # What each role may do here (collected by roles.sync_roles). accounts
    # also grants the permissions of the layers below it, which cannot name
    # the roles: Django's groups (auth) and the access log (audit).
    role_permissions = {
        Role.MANAGER: [
            "audit.view_accesslogentry",
            # Second person of the two-person rule (accounts.users.services).
            "accounts.decide_accessrequest",
            # Second person of a second-factor reset (accounts.login).
            "accounts.approve_secondfactorreset",
        ],
        Role.SYSTEM_ADMIN: [
            "accounts.view_user", "accounts.add_user", "accounts.change_user", "accounts.view_unit",
            "accounts.add_unit", "accounts.change_unit", "auth.view_group",
            # First person of a second-factor reset (accounts.login).
            "accounts.add_secondfactorreset", "accounts.view_secondfactorreset",
            # E-mails given up, and sending them again (/drift/e-post/, issue 16).
            "core.view_mailfailure", "core.change_mailfailure",
            # The operations status page (config.operations, issue 16 outbox).
            "core.view_operations_status",
            # The operations pages (accounts.operations): the scheduled jobs' runs.
            "core.view_scheduledjobrun",
        ],
    }

    def ready(self):
        # The account log's safety net: changes made outside the user
        # administration (shell, Django's admin) are logged too.
        from .users import signals

        signals.connect()

        # Roles and permissions kept per user in the cache are renewed on
        # every change of them (issue 16 §1).
        from . import permission_cache

        permission_cache.connect()

        # Drafts (accounts.drafts): note at login whether the user left any,
        # so that form pages look for one only then.
        from django.contrib.auth.signals import user_logged_in

        from .drafts.services import note_drafts_at_login

        user_logged_in.connect(note_drafts_at_login, dispatch_uid="accounts.drafts.login")

        # The nightly check of the audit log's chains finds one broken:
        # audit announces it, accounts knows whom to tell.
        from audit.signals import log_chain_broken

        from .log_alerts import alert_log_chain_broken

        log_chain_broken.connect(alert_log_chain_broken, dispatch_uid="accounts_alert_log_chain_broken")

        # The hourly check of the scheduled jobs finds one late (core.scheduled).
        from core.scheduled import scheduled_jobs_late

        from .job_alerts import alert_jobs_late

        scheduled_jobs_late.connect(alert_jobs_late, dispatch_uid="accounts_alert_jobs_late")
