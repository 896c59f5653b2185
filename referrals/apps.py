from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

CLIENTS = _("Clients and decisions")
ORDERS = _("Orders")


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")
    # Menu entries (see accounts.navigation): grouped so that a manager's
    # many entries fit a menu bar.
    navigation = [
        {"group": CLIENTS, "label": _("Clients"), "url_name": "referrals:client_list",
         "perm": "referrals.view_client", "order": 10},
        {"group": CLIENTS, "label": _("Non-executed decisions"), "url_name": "referrals:decision_waiting_list",
         "perm": "referrals.view_decision", "order": 20},
        {"group": CLIENTS, "label": _("Plan reviews"), "url_name": "referrals:plan_reviews_due",
         "perm": "referrals.view_individualplan", "order": 25},
        {"group": CLIENTS, "label": _("IVO reporting"), "url_name": "referrals:ivo_report",
         "perm": "referrals.view_ivo_report", "order": 28},
        {"group": CLIENTS, "label": _("Transfer requests"), "url_name": "referrals:transfer_requests",
         "perm": "referrals.decide_transferrequest", "order": 29},
        {"group": ORDERS, "label": _("Orders"), "url_name": "referrals:order_list",
         "perm": "referrals.view_order", "order": 30},
        {"group": ORDERS, "label": _("Eviction notices"), "url_name": "referrals:notice_list",
         "perm": "referrals.view_evictionnotice", "order": 40},
        {"group": ORDERS, "label": _("Concern reports"), "url_name": "referrals:concern_list",
         "perm": "referrals.view_concernreport", "order": 45},
        {"group": ORDERS, "label": _("Reassignment"), "url_name": "referrals:reassign",
         "perm": "referrals.add_reassignment", "order": 48},
    ]

    def hidden_whereabouts_ids(self, user, client_ids):
        """For the log review (audit.masking): the protected clients among
        `client_ids` whose whereabouts `user` may not see, by the one rule in
        referrals.protection. Values only: no client is read for this."""
        from . import protection
        from .models import Client, ProtectionLevel

        if user.has_perm(protection.PROTECTED_PERMISSION):
            return set()
        return set(
            Client.objects.filter(pk__in=client_ids)
            .exclude(protection_level=ProtectionLevel.NONE)
            .values_list("pk", flat=True)
        )
