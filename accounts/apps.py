from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Users and roles")

    # The login-locks page: system administrators unlock and ask for
    # second-factor resets, managers approve them (accounts.login.views.locks).
    navigation = [
        {"group": _("Administration"), "label": _("Users"), "url_name": "users:list",
         "perm": "accounts.change_user", "order": 95},
        {"group": _("Follow-up"), "label": _("Access requests"), "url_name": "users:access_requests",
         "perm": "accounts.decide_accessrequest", "order": 92},
        {"group": _("Administration"), "label": _("Login locks"), "url_name": "accounts:login-locks",
         "perm": "accounts.add_secondfactorreset", "order": 900},
        {"group": _("Administration"), "label": _("Second-step resets"), "url_name": "accounts:login-locks",
         "perm": "accounts.approve_secondfactorreset", "order": 901},
    ]

    def ready(self):
        # The account log's safety net: changes made outside the user
        # administration (shell, Django's admin) are logged too.
        from .users import signals

        signals.connect()
