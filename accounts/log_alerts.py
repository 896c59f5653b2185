"""Telling the people who answer for the audit log that it failed its
nightly integrity check.

audit cannot name users or roles (it sits below accounts), so its nightly
task sends audit.signals.log_chain_broken and AccountsConfig.ready connects
`alert_log_chain_broken` to it. The message names the verification, not the
rows: what broke is in the record and in `manage.py verify_log`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override

from .models import User
from .notifications import notify_many
from .roles import Role

if TYPE_CHECKING:
    from audit.models import LogVerification


def alert_log_chain_broken(sender: type, verification: LogVerification, **kwargs: Any) -> None:
    """Notify every active manager and system administrator, once each and
    in the order they were created, in the app and by e-mail."""
    recipients = (
        User.objects.filter(groups__name__in=[Role.MANAGER, Role.SYSTEM_ADMIN], is_active=True)
        .distinct()
        .order_by("pk")
    )
    # Sent from a task, with no request to take a language from: the alert
    # is written in the site's language.
    with override(settings.LANGUAGE_CODE):
        text = _(
            "The audit log failed its nightly integrity check (verification #%(number)s): "
            "rows may have been deleted or altered. Report it to the system administration."
        ) % {"number": verification.pk}
    notify_many(recipients, text)
