"""The "Att göra" section of culling: the list of the user's unit that waits
for approval (culling.reminders.waiting_runs: the unit's newest list, if
listed with anyone due), registered as CullingConfig.todo_sections and
rendered by accounts.todo. One query, no client data: the number of persons
due and the deadline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.todo import LIMIT, TodoItem

from .reminders import is_urgent, waiting_runs

if TYPE_CHECKING:
    from datetime import datetime

    from accounts.models import User


def lists_awaiting(user: User, now: datetime) -> list[TodoItem]:
    today = timezone.localdate(now)
    runs = waiting_runs().visible_to(user).order_by("deadline", "pk")[: LIMIT + 1]
    items = []
    for run in runs:
        values = {"due": run.due, "deadline": run.deadline.isoformat()}
        if today > run.deadline:
            detail = ngettext("%(due)s person due; the deadline %(deadline)s has passed",
                              "%(due)s persons due; the deadline %(deadline)s has passed", run.due) % values
        else:
            detail = ngettext("%(due)s person due, to be culled by %(deadline)s",
                              "%(due)s persons due, to be culled by %(deadline)s", run.due) % values
        items.append(TodoItem(
            title=_("Culling list #%(number)s") % {"number": run.pk},
            url=reverse("culling:run_detail", args=[run.pk]),
            detail=detail,
            # From the last month before the deadline: what the reminders
            # send weekly is marked on the page too.
            urgent=is_urgent(run.deadline, today),
        ))
    return items
