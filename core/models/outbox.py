"""The outbox: background work kept in the database until the broker has it.

core.tasks.enqueue_after_commit writes one OutboxMessage in the same
transaction as the change that asks for the work (a sent order's e-mails, a
requested PDF), so the work is saved exactly when the change is: a rolled
back change leaves no message, a committed one always has its message. After
the commit the message is published with a short broker timeout; when Redis
refuses or hangs it stays pending and core.outbox.relay_pending publishes it
once Redis answers again (beat every minute, and the worker at startup).

Rows hold a task name, ids and plain values (never personal data: the broker
is outside the access log, and so is this table's admin view).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessageQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(sent_at__isnull=True)


class OutboxMessage(models.Model):
    task_name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent to the queue"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("failed attempts"), default=0)
    # The exception's class only (e.g. "OperationalError"): a message text can
    # carry a broker address.
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["created_at", "pk"]
        permissions = [
            # The operations status page (config.operations.status) and the
            # detailed health status are about the whole installation.
            ("view_operations_status", _("Can see the operations status")),
        ]
        indexes = [
            # The relay takes the oldest pending rows first and the status
            # page counts them and reads the oldest one's age
            # (core.outbox.relay_pending, core.outbox.backlog): a partial
            # index stays as small as the backlog, however many rows are sent.
            models.Index(
                fields=["created_at"], condition=models.Q(sent_at__isnull=True), name="core_outbox_pending_idx"
            ),
            # Purging sent rows after OUTBOX_KEEP_SENT_DAYS (core.outbox.purge_sent).
            models.Index(fields=["sent_at"], name="core_outbox_sent_idx"),
        ]

    def __str__(self):
        return f"{self.task_name} #{self.pk}"

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None
