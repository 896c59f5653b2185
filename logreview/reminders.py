"""Reminders until a month's review is signed off (docs/log-review.md,
"Sign-off and reminders").

A daily beat task (`send_review_reminders`, CELERY_BEAT_SCHEDULE in
config/settings.py) tells each unit's reviewers, in the app and by e-mail
(accounts.notifications), about every drawn month not yet signed off; at most
once every REMIND_EVERY per month (ReviewMonth.last_reminded_at), so a
month left open nags weekly, not daily. The text names the month only: it
goes out by e-mail.

Imported by LogReviewConfig.ready() so that the worker registers the task
(logreview.tasks is the draw's module).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.notifications import notify_many

from .models import ReviewMonth, ReviewSettings

REMIND_EVERY = timedelta(days=7)


def review_permission_holders():
    """The active users who may review the log (the permission through a
    role's group or given to the user), of any unit."""
    # The permission matched by name in the same query (the draw counts
    # its queries: logreview.sampling).
    permission = Permission.objects.filter(content_type__app_label="logreview", codename="review_reads")
    return (
        get_user_model().objects.filter(is_active=True)
        .filter(Q(groups__permissions__in=permission) | Q(user_permissions__in=permission))
        .distinct().order_by("pk")
    )


def reviewers_of(unit_id: int):
    """The active users of the unit who may review the log."""
    return review_permission_holders().filter(unit_id=unit_id)


def possible_reviewers(unit_id: int) -> set[int]:
    """Ids of everyone who may review some read of the unit: its reviewers
    and its second reviewer (ReviewSettings.second_reviewer) while that user
    is active and holds the permission. One query."""
    second = ReviewSettings.objects.filter(unit_id=unit_id).values("second_reviewer_id")
    return set(
        review_permission_holders().filter(Q(unit_id=unit_id) | Q(pk__in=second)).values_list("pk", flat=True)
    )


def due_for_reminder(now: datetime):
    return ReviewMonth.objects.filter(signed_off_at=None).filter(
        Q(last_reminded_at=None) | Q(last_reminded_at__lte=now - REMIND_EVERY)
    ).order_by("month", "pk")


def remind(now: datetime | None = None) -> int:
    """Send the reminders due at `now`; returns the number of months reminded."""
    now = now or timezone.now()
    reminded = 0
    for month in due_for_reminder(now):
        with transaction.atomic():
            # Claimed with a conditional update: a second worker running the
            # same beat (or a retry) finds the month already reminded.
            claimed = ReviewMonth.objects.filter(pk=month.pk, last_reminded_at=month.last_reminded_at,
                                                 signed_off_at=None).update(last_reminded_at=now)
            if not claimed:
                continue
            with override(settings.LANGUAGE_CODE):
                text = _("The log review of %(month)s is waiting for your review and sign-off.") % {
                    "month": month.month.strftime("%Y-%m")
                }
            notify_many(_recipients(month), text, reverse("logreview:month_detail", args=[month.pk]))
            reminded += 1
    return reminded


def _recipients(month: ReviewMonth) -> list:
    """The unit's reviewers, and its second reviewer while reads of the
    unit's reviewers wait for a verdict (the ones the second reviewer judges)."""
    recipients = list(reviewers_of(month.unit_id))
    second = review_permission_holders().filter(
        pk__in=ReviewSettings.objects.filter(unit_id=month.unit_id).values("second_reviewer_id")
    ).exclude(unit_id=month.unit_id).first()
    if second is not None and month.items.filter(
        verdict="", no_other_reviewer=False, reader__in=[user.pk for user in recipients]
    ).exists():
        recipients.append(second)
    return recipients


@shared_task
def send_review_reminders() -> int:
    return remind()
