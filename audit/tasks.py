import logging

from celery import shared_task
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override

from .verification import run_verification

logger = logging.getLogger(__name__)


@shared_task
def verify_log_chains():
    """Nightly (CELERY_BEAT_SCHEDULE): verify every log chain; when one is
    broken, tell every manager and system administrator, in the app and by
    e-mail. The message names the verification, not the rows: what broke
    is in the record and in `manage.py verify_log`."""
    from accounts.models import User
    from accounts.notifications import notify_many
    from accounts.roles import Role

    verification, _reports = run_verification("nightly")
    if verification.ok:
        return verification.pk
    logger.error("Log chain verification #%s failed", verification.pk)
    recipients = (
        User.objects.filter(groups__name__in=[Role.MANAGER, Role.SYSTEM_ADMIN], is_active=True)
        .distinct()
        .order_by("pk")
    )
    with override(settings.LANGUAGE_CODE):
        text = _(
            "The audit log failed its nightly integrity check (verification #%(number)s): "
            "rows may have been deleted or altered. Report it to the system administration."
        ) % {"number": verification.pk}
    notify_many(recipients, text)
    return verification.pk
