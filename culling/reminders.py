"""Telling the approvers that a culling list waits (docs/culling.md,
"Waiting lists and reminders").

The yearly dry run (10 January) is made by the system, in the night: without
a word to anyone, its list would wait unseen until the deadline passed. So
the unit's approvers (active users of the unit holding
`culling.approve_cullingrun`) are told in the app and by e-mail
(accounts.notifications, the log review's mechanism) when the yearly list is
made, and reminded until it is approved: monthly, and weekly from the last
month before the deadline on (and after it).

Which list waits: the unit's newest run, if it is still listed and has
anyone due. A newer list supersedes an older one (it lists everyone of the
older one still due, with newer dates), so a manager who makes dry runs on
demand is not reminded of each.

Texts go out by e-mail: they name the list's number, how many persons are
due and the deadline, never a person, nor the unit.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext, override

from accounts.notifications import notify_many

from .models import CandidateStatus, CullingRun, RunStatus, RunTrigger

logger = logging.getLogger(__name__)

WEEK = timedelta(days=7)
MONTH = relativedelta(months=1)


def waiting_runs() -> QuerySet[CullingRun]:
    """Runs waiting for approval, with `due` (persons due: a person with
    several files linked as the same person has a row per file and counts
    once, CullingCandidate.person) and `deadline` (the earliest deadline
    among them). One query."""
    newer = CullingRun.objects.filter(unit_id=OuterRef("unit_id"), pk__gt=OuterRef("pk"))
    due = Q(candidates__status=CandidateStatus.DUE)
    return (
        CullingRun.objects.filter(status=RunStatus.LISTED)
        .exclude(Exists(newer))
        .annotate(due=Count(Coalesce("candidates__person", "candidates__client_id"), filter=due, distinct=True),
                  deadline=Min("candidates__deadline", filter=due))
        .filter(due__gt=0)
    )


def last_month_starts(deadline: date) -> date:
    """The first day of the last month before `deadline` (1 December for
    31 December): from then on the list is urgent and reminded weekly."""
    return deadline - MONTH + timedelta(days=1)


def is_urgent(deadline: date, today: date) -> bool:
    return today >= last_month_starts(deadline)


def reminder_due(*, deadline: date, since: date | None, today: date) -> bool:
    """Whether a list last told about on `since` (None: never) is reminded
    on `today`: at once when never; then a month after the last reminder,
    or a week after it from the last month before the deadline on."""
    if since is None:
        return True
    if is_urgent(deadline, today):
        return today >= since + WEEK
    return today >= since + MONTH


def approvers_of(unit_id: int) -> QuerySet:
    """The active users of the unit who may approve its culling list (the
    permission through a role's group or given to the user)."""
    permission = Permission.objects.get(content_type__app_label="culling", codename="approve_cullingrun")
    return (
        get_user_model().objects.filter(unit_id=unit_id, is_active=True)
        .filter(Q(groups__permissions=permission) | Q(user_permissions=permission))
        .distinct().order_by("pk")
    )


def _since(run: CullingRun) -> date | None:
    # A list made on demand was made by a manager of the unit, who knows:
    # reminded from a month (or week) after it was made, with no "made" notice.
    if run.last_reminded_on is None and run.trigger == RunTrigger.ON_DEMAND:
        return run.as_of
    return run.last_reminded_on


def text_for(run: CullingRun, today: date, *, first: bool) -> str:
    """The notification's text, in the site's language (it is e-mailed)."""
    values = {"number": run.pk, "due": run.due, "deadline": run.deadline.isoformat()}
    with override(settings.LANGUAGE_CODE):
        if first and today > run.deadline:
            # The first list of a unit lists files overdue for years.
            return ngettext(
                "The yearly culling list #%(number)s is made and waits for your approval: "
                "%(due)s person due; the deadline %(deadline)s has passed.",
                "The yearly culling list #%(number)s is made and waits for your approval: "
                "%(due)s persons due; the deadline %(deadline)s has passed.",
                run.due,
            ) % values
        if first:
            return ngettext(
                "The yearly culling list #%(number)s is made and waits for your approval: "
                "%(due)s person due, to be culled by %(deadline)s.",
                "The yearly culling list #%(number)s is made and waits for your approval: "
                "%(due)s persons due, to be culled by %(deadline)s.",
                run.due,
            ) % values
        if today > run.deadline:
            return ngettext(
                "Culling list #%(number)s still waits for your approval: %(due)s person due; "
                "the deadline %(deadline)s has passed.",
                "Culling list #%(number)s still waits for your approval: %(due)s persons due; "
                "the deadline %(deadline)s has passed.",
                run.due,
            ) % values
        return ngettext(
            "Culling list #%(number)s still waits for your approval: %(due)s person due, "
            "to be culled by %(deadline)s.",
            "Culling list #%(number)s still waits for your approval: %(due)s persons due, "
            "to be culled by %(deadline)s.",
            run.due,
        ) % values


def remind(today: date | None = None, *, run_ids: list[int] | None = None) -> int:
    """Tell the approvers about every waiting list due a reminder on `today`
    (only the runs `run_ids`, when given); returns the number of lists."""
    today = today or timezone.localdate()
    runs = waiting_runs().order_by("pk")
    if run_ids is not None:
        runs = runs.filter(pk__in=run_ids)
    reminded = 0
    for run in runs:
        since = _since(run)
        if not reminder_due(deadline=run.deadline, since=since, today=today):
            continue
        with transaction.atomic():
            # Claimed with a conditional update: a second worker running the
            # same job (or an operator running it again) finds it claimed.
            unchanged = (Q(last_reminded_on__isnull=True) if run.last_reminded_on is None
                         else Q(last_reminded_on=run.last_reminded_on))
            claimed = (CullingRun.objects.filter(unchanged, pk=run.pk, status=RunStatus.LISTED)
                       .update(last_reminded_on=today))
            if not claimed:
                continue
            text = text_for(run, today, first=since is None)
            notify_many(approvers_of(run.unit_id), text, reverse("culling:run_detail", args=[run.pk]))
        logger.info("culling run %s: approvers reminded", run.pk)
        reminded += 1
    return reminded
