import logging

from celery import shared_task

from .models import LogVerification
from .signals import log_chain_broken
from .verification import run_verification

logger = logging.getLogger(__name__)


@shared_task
def verify_log_chains() -> int:
    """Nightly (CELERY_BEAT_SCHEDULE): verify every log chain; when one is
    broken, say so through audit.signals.log_chain_broken, on which accounts
    tells every manager and system administrator, in the app and by e-mail
    (accounts.log_alerts)."""
    verification, _reports = run_verification("nightly")
    if verification.ok:
        return verification.pk
    logger.error("Log chain verification #%s failed", verification.pk)
    log_chain_broken.send(sender=LogVerification, verification=verification)
    return verification.pk
