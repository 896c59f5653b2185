from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")
    navigation = [
        {"label": _("Clients"), "url_name": "referrals:client_list",
         "perm": "referrals.view_client", "order": 10},
        {"label": _("Orders"), "url_name": "referrals:order_list",
         "perm": "referrals.view_order", "order": 30},
        {"label": _("Eviction notices"), "url_name": "referrals:notice_list",
         "perm": "referrals.view_evictionnotice", "order": 40},
        {"label": _("Concern reports"), "url_name": "referrals:concern_list",
         "perm": "referrals.view_concernreport", "order": 45},
        {"label": _("Reassignment"), "url_name": "referrals:reassign",
         "perm": "referrals.add_reassignment", "order": 90},
        {"label": _("Non-executed decisions"), "url_name": "referrals:decision_waiting_list",
         "perm": "referrals.view_decision", "order": 20},
        {"label": _("Plan reviews"), "url_name": "referrals:plan_reviews_due",
         "perm": "referrals.view_individualplan", "order": 25},
        {"label": _("IVO reporting"), "url_name": "referrals:ivo_report",
         "perm": "referrals.view_ivo_report", "order": 50},
    ]
