import logging
import smtplib

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core import mail_failures

from .models import Notification

logger = logging.getLogger(__name__)


# What a mail server that refuses, drops or hangs raises (socket.timeout is
# a TimeoutError, which like ConnectionError is an OSError), and the soft
# time limit stopping an attempt stuck anyway.
MAIL_ERRORS = (smtplib.SMTPException, OSError, SoftTimeLimitExceeded)


def mail_backoff(retries: int) -> int:
    """Seconds before retry number `retries` + 1: 30, 60, 120, … (doubling)."""
    return settings.MAIL_RETRY_BACKOFF * 2**retries


# Each attempt waits at most EMAIL_TIMEOUT per SMTP step; the limits stop a
# task stuck anyway (a DNS lookup, a server trickling bytes).
@shared_task(bind=True, acks_late=True, soft_time_limit=60, time_limit=90)
def send_notification_email(self, notification_id):
    """E-mail one notification, at most once (emailed_at). When the mail
    server refuses or hangs (EMAIL_TIMEOUT) it is tried again with back-off,
    MAIL_MAX_RETRIES times; then it is given up and recorded for the system
    administrators (core.models.mail.MailFailure, /drift/e-post/)."""
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at or not notification.user.email:
        return
    try:
        _send(notification)
    except MAIL_ERRORS as exc:
        retries = self.request.retries
        if retries < settings.MAIL_MAX_RETRIES:
            logger.warning("Notification %s: e-mail failed (%s), retry %s in %s s.", notification_id,
                           type(exc).__name__, retries + 1, mail_backoff(retries))
            if self.request.is_eager:
                # No broker to come back through (`make run`, the tests): try
                # again at once; Celery's own retry would raise out of the
                # request whose commit sent the e-mail.
                return self.apply(args=(notification_id,), retries=retries + 1).get()
            raise self.retry(exc=exc, countdown=mail_backoff(retries)) from exc
        logger.error("Notification %s: e-mail given up after %s attempts (%s).", notification_id, retries + 1,
                     type(exc).__name__)
        mail_failures.record(self.name, [notification_id], notification.user_id, exc, attempts=retries + 1)
        return
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())


def _send(notification):
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


@shared_task
def purge_drafts():
    """Nightly (CELERY_BEAT_SCHEDULE): delete drafts untouched for
    DRAFT_RETENTION_DAYS (accounts.drafts). Logs only the count."""
    from .drafts.services import purge_drafts as purge

    deleted = purge()
    logger.info("purged %s old drafts", deleted)
    return deleted


@shared_task
def purge_link_requests():
    """Nightly (CELERY_BEAT_SCHEDULE): delete identity link requests decided
    or abandoned more than OIDC_LINK_REQUESTS_KEEP_DAYS ago
    (accounts.oidc.services.purge_link_requests). Logs only the count."""
    from .oidc.services import purge_link_requests as purge

    deleted = purge()
    logger.info("purged %s old identity link requests", deleted)
    return deleted
