from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit")
    navigation = [
        {"group": _("Follow-up"), "label": _("Access log"), "url_name": "audit:log",
         "perm": "audit.view_accesslogentry", "order": 90},
        {"group": _("Follow-up"), "label": _("Account log"), "url_name": "audit:account_events",
         "perm": "audit.view_accesslogentry", "order": 91},
    ]
