import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from .models import Notification

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_jitter=True,
    max_retries=8,
)
def send_notification_email(notification_id):
    """E-mail one notification. Retried with back-off when the mail server
    is unreachable; sent at most once (emailed_at)."""
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at or not notification.user.email:
        return
    with override(settings.LANGUAGE_CODE):
        body = "\n\n".join(
            part
            for part in (
                notification.text,
                f"{settings.SITE_URL}{notification.url}" if notification.url else "",
                _("Log in to Bolots to see the details. This message contains no personal data."),
            )
            if part
        )
        send_mail(
            subject=_("Bolots: %(text)s") % {"text": notification.text[:80]},
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.user.email],
        )
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())


@shared_task
def purge_drafts():
    """Nightly (CELERY_BEAT_SCHEDULE): delete drafts untouched for
    DRAFT_RETENTION_DAYS (accounts.drafts). Logs only the count."""
    from .drafts.services import purge_drafts as purge

    deleted = purge()
    logger.info("purged %s old drafts", deleted)
    return deleted
