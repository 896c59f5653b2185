from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")
    navigation = [
        {"label": _("Clients"), "url_name": "referrals:client_list",
         "perm": "referrals.view_client", "order": 10},
    ]
