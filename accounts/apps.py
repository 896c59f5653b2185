from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Users and roles")

    # The login-locks page: system administrators unlock and ask for
    # second-factor resets, managers approve them (accounts.login.views.locks).
    navigation = [
        {"group": _("Administration"), "label": _("Login locks"), "url_name": "accounts:login-locks",
         "perm": "accounts.add_secondfactorreset", "order": 900},
        {"group": _("Administration"), "label": _("Second-step resets"), "url_name": "accounts:login-locks",
         "perm": "accounts.approve_secondfactorreset", "order": 901},
    ]
