"""Recording an e-mail given up and sending it again (core.models.mail)."""

from __future__ import annotations

import smtplib
from typing import Any

from celery import current_app
from django.db import transaction
from django.utils import timezone

from core.models import MailFailure
from core.tasks import enqueue_after_commit


def reason_of(error: BaseException) -> str:
    """A short reason for the list: the exception's class and message. A
    refused recipient's message names the address: only its SMTP codes are
    kept (the list never shows addresses)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = ", ".join(str(code) for code, _reply in error.recipients.values())
        return f"SMTPRecipientsRefused: {codes}"
    text = str(error).strip()
    return f"{type(error).__name__}: {text}"[:300] if text else type(error).__name__


def record(task: str, task_args: list[Any], recipient_id: int | None, error: BaseException,
           attempts: int) -> MailFailure:
    return MailFailure.objects.create(task=task, task_args=list(task_args), recipient_id=recipient_id,
                                      reason=reason_of(error), attempts=attempts)


def resend(failure_id: int, by) -> bool:
    """Enqueue the task again and close the row; False when someone else
    already did (two administrators clicking at once send it once)."""
    with transaction.atomic():
        failure = MailFailure.objects.select_for_update().filter(pk=failure_id, resent_at__isnull=True).first()
        if failure is None:
            return False
        failure.resent_at = timezone.now()
        failure.resent_by = by
        failure.save(update_fields=["resent_at", "resent_by"])
        enqueue_after_commit(current_app.tasks[failure.task], *failure.task_args)
    return True
