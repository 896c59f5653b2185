"""Telling the system administrators that scheduled jobs are late.

core cannot name roles (it is the lowest layer), so its hourly check sends
core.scheduled.scheduled_jobs_late and AccountsConfig.ready connects
`alert_jobs_late` to it; the check sends each lateness once.
"""

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from .models import User
from .notifications import notify_many
from .roles import Role


def alert_jobs_late(sender: type, names: list[str], **kwargs: Any) -> None:
    recipients = User.objects.filter(groups__name=Role.SYSTEM_ADMIN, is_active=True).distinct().order_by("pk")
    # Sent from a task, with no request to take a language from.
    with override(settings.LANGUAGE_CODE):
        text = _("Scheduled jobs have not run on time: %(names)s.") % {"names": ", ".join(names)}
    notify_many(recipients, text, reverse("operations:jobs"))
