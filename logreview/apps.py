from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role


class LogReviewConfig(AppConfig):
    """The monthly review of the access log (docs/log-review.md).

    Above referrals and bolots in the layers: its risk rules ask about
    clients, orders and cases, so it may import those apps; nothing below
    imports it.
    """

    name = "logreview"
    verbose_name = _("Log review")
    navigation = [
        {"group": _("Follow-up"), "label": _("Log review settings"), "url_name": "logreview:settings",
         "perm": "logreview.change_reviewsettings", "order": 93},
    ]
    role_permissions = {
        Role.MANAGER: [
            "logreview.view_reviewmonth", "logreview.review_reads", "logreview.change_reviewsettings",
        ],
    }
