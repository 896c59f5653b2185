"""E-mails that were finally given up (issue 16 §2, "a hung SMTP server").

A task that sends mail retries with back-off while the mail server refuses
or hangs; when its retries run out it records one MailFailure and stops.
System administrators see the open ones on /drift/e-post/
(accounts.mail_failures) and send them again from there.

The row names the task and its arguments (ids only, as every task's
arguments: core.tasks) so that "send again" enqueues the same task, and the
recipient user; never the address, subject or body, which stay with the
record the task reads (the notification).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MailFailureQuerySet(models.QuerySet):
    def open(self):
        """Given up and not sent again yet: the list on /drift/e-post/."""
        return self.filter(resent_at__isnull=True)


class MailFailure(models.Model):
    failed_at = models.DateTimeField(_("given up"), auto_now_add=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    task = models.CharField(_("task"), max_length=200)
    # JSON values only (ids): passed to the task again by core.mail_failures.resend.
    task_args = models.JSONField(_("task arguments"), default=list)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    # The exception's class and message (smtplib's reply or "timed out"),
    # never the e-mail's content.
    reason = models.CharField(_("reason"), max_length=300)
    resent_at = models.DateTimeField(_("sent again"), null=True, blank=True)
    resent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent again by"), null=True,
                                  blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = MailFailureQuerySet.as_manager()

    class Meta:
        verbose_name = _("undelivered e-mail")
        verbose_name_plural = _("undelivered e-mails")
        ordering = ["-failed_at", "-id"]
        indexes = [
            # The open failures, newest first (accounts.mail_failures.views.failure_list).
            models.Index(fields=["-failed_at"], condition=models.Q(resent_at__isnull=True),
                         name="core_mailfailure_open_idx"),
        ]

    def __str__(self):
        return f"{self.task} {self.task_args}"
