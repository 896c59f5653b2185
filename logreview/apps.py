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
    role_permissions = {
        Role.MANAGER: [
            "logreview.view_reviewmonth", "logreview.review_reads", "logreview.change_reviewsettings",
        ],
    }
    # Beside the access log it replaces as the way the duty is done.
    navigation = [
        {"group": _("Follow-up"), "label": _("Log review"), "url_name": "logreview:month_list",
         "perm": "logreview.view_reviewmonth", "order": 89},
        {"group": _("Follow-up"), "label": _("Log review settings"), "url_name": "logreview:settings",
         "perm": "logreview.change_reviewsettings", "order": 93},
    ]
    todo_sections = [
        {"key": "log_review", "title": _("Log reviews awaiting sign-off"), "perm": "logreview.review_reads",
         "order": 80, "items": "logreview.todo.months_awaiting", "more_url_name": "logreview:month_list"},
    ]
    # The review pages show the clients the draw chose, not the reviewer:
    # their reads are tagged as duty reads (audit.reads "Duty reads") and no
    # risk rule flags them next month (logreview.rules).
    duty_pages = {
        "logreview:month_detail": "log-review",
        "logreview:item_detail": "log-review",
        "logreview:item_close": "log-review",
        "logreview:month_sign_off": "log-review",
    }
    access_log_labels = {
        "object_types": {"logreview.yearly": _("Yearly summary of the log review (PDF)")},
        "notes": {
            "log review": _("Monthly log review"),
            "log review sign-off": _("Log review signed off"),
            "yearly summary ": _("Yearly summary of the log review"),
        },
    }

    def ready(self):
        from core.signals import client_culled

        # The reminder task lives in its own module (logreview.tasks is the
        # draw's): imported here so that the Celery worker registers it.
        from . import reminders  # noqa: F401
        from .culling import clear_notes_of_culled_client

        # A culled person's name may stand in the reviewers' notes about
        # reads of them: replaced in the person's culling transaction.
        client_culled.connect(clear_notes_of_culled_client, dispatch_uid="logreview_clear_culled_notes")
