"""The "Att göra" section of the log review: the unit's months drawn and not
yet signed off, oldest first (registered as LogReviewConfig.todo_sections,
rendered by accounts.todo), then the months of other units waiting for the
user as their second reviewer. Two queries, LIMIT + 1 rows; no client data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.todo import LIMIT, TodoItem

from .services import months_as_second_reviewer, months_of_unit, with_counts

if TYPE_CHECKING:
    from datetime import datetime

    from accounts.models import User

# A month still open after the end of the month that follows it is marked
# urgent: the review is meant to be done within that month.
URGENT_AFTER_DAYS = 61


def months_awaiting(user: User, now: datetime) -> list[TodoItem]:
    months = with_counts(months_of_unit(user).filter(signed_off_at=None)).order_by("month", "pk")[: LIMIT + 1]
    items = []
    for month in months:
        if month.left_to_judge:
            detail = _("%(n)s reads left to judge") % {"n": month.left_to_judge}
        else:
            detail = _("Every read judged: ready to sign off")
        items.append(TodoItem(
            title=_("Log review %(month)s") % {"month": month.month.strftime("%Y-%m")},
            url=reverse("logreview:month_detail", args=[month.pk]),
            detail=detail,
            urgent=(now.date() - month.month).days > URGENT_AFTER_DAYS,
        ))
    # As another unit's second reviewer: the months with reads of its
    # managers waiting for this user's verdict.
    for month in months_as_second_reviewer(user)[: LIMIT + 1]:
        items.append(TodoItem(
            title=_("Log review %(month)s, %(unit)s (second reviewer)") % {
                "month": month.month.strftime("%Y-%m"), "unit": month.unit.name},
            url=reverse("logreview:month_detail", args=[month.pk]),
            detail=_("%(n)s reads left to judge") % {"n": month.waiting},
            urgent=(now.date() - month.month).days > URGENT_AFTER_DAYS,
        ))
    return items[: LIMIT + 1]
