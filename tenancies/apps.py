from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

HOUSING = _("Housing")


class TenanciesConfig(AppConfig):
    name = "tenancies"
    verbose_name = _("Tenancies")
    navigation = [
        {"group": HOUSING, "label": _("Apartments"), "url_name": "tenancies:apartment_list",
         "perm": "tenancies.view_apartment", "order": 60},
        {"group": HOUSING, "label": _("Possible takeovers"), "url_name": "tenancies:takeover_candidates",
         "perm": "tenancies.view_tenancy", "order": 65},
        {"group": HOUSING, "label": _("Import register"), "url_name": "tenancies:import_register",
         "perm": "tenancies.import_register", "order": 70},
    ]
