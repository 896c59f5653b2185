"""Culling in the background: the yearly dry run (Celery beat, 10 January),
the reminders while a list waits for approval (daily) and the execution of
an approved run. Tasks get ids only."""

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from accounts.models import Unit, User
from audit.context import AuditContext

from . import reminders
from .models import CullingRun, RunTrigger
from .services.execution import execute_run
from .services.runs import make_run

logger = logging.getLogger(__name__)


@shared_task
def yearly_dry_runs() -> list[int]:
    """One dry run per unit and year; managers find it on the culling page.
    Nothing is culled until a manager approves a list. Idempotent (issue 16
    §4): a second run in the same year (beat restarted, an operator running
    it again after an alert) returns the year's lists instead of new ones."""
    today = timezone.localdate()
    made = []
    for unit in Unit.objects.order_by("pk"):
        with transaction.atomic():
            # Two runs at once: the second waits here and then finds the list.
            Unit.objects.select_for_update().filter(pk=unit.pk).first()
            run = (CullingRun.objects.filter(unit=unit, trigger=RunTrigger.SCHEDULED, as_of__year=today.year)
                   .order_by("pk").first())
            if run is None:
                run = make_run(AuditContext.system(None, "culling: yearly dry run"), unit, trigger=RunTrigger.SCHEDULED)
        made.append(run.pk)
    # The list is made in the night, by no one: its approvers are told at
    # once (a list with nobody due waits for nothing and is not announced).
    # Claimed per run, so a second run of this job tells no one twice.
    reminders.remind(today, run_ids=made)
    return made


@shared_task
def send_culling_reminders() -> int:
    """Daily: remind the approvers of every list waiting for approval
    (monthly; weekly in the last month before the deadline and after it)."""
    return reminders.remind(timezone.localdate())


@shared_task
def execute_approved_run(run_id: int, user_id: int) -> None:
    """Execute run `run_id` as approved by `user_id` (the approver)."""
    user = User.objects.filter(pk=user_id).first()
    execute_run(AuditContext.system(user, f"culling: run {run_id}"), run_id)
