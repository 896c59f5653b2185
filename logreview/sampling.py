"""The monthly draw: which reads of a unit's month the manager reviews.

draw_month() adds one ReviewItem for every read that hits a risk rule in
use (logreview.rules; `rules` = the codes hit) and for a random sample of
the other reads (ReviewSettings.sample_size), and counts the month's reads.
The sample is drawn with secrets.SystemRandom, the operating system's
randomness, so that nobody can predict or replay which reads will be
looked at. A month is drawn once: the unique constraint on (unit, month)
makes a second draw, or two at once, return the first.

Duty reads (the reviewer's own review pages, the culling list; see
logreview.rules) are never flagged. They join the random sample only when
someone other than the reader could review them: a unit's only manager's
review pages would otherwise come back every month as reads nobody may
judge (docs/log-review.md "Duty reads").
"""

from __future__ import annotations

import secrets
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Unit

from .models import ReviewItem, ReviewMonth
from .reminders import possible_reviewers
from .review_settings import settings_for
from .rules import Month, flag


def draw_month(unit: Unit, month: date) -> ReviewMonth:
    """Draw the review of `unit`'s `month` (any day of it), or return the
    one already drawn. Only a month that has ended can be drawn: its reads
    are final."""
    month = month.replace(day=1)
    if month >= timezone.localdate().replace(day=1):
        raise ValueError("Only a month that has ended can be drawn.")
    existing = ReviewMonth.objects.filter(unit=unit, month=month).first()
    if existing is not None:
        return existing
    reads = Month(unit.pk, month, settings_for(unit))
    hits = flag(reads)
    reviewers = possible_reviewers(unit.pk)
    others = [read for read in reads.reads if read.id not in hits] + [
        read for read in reads.duty_reads if reviewers - {read.user_id}
    ]
    size = min(reads.settings.sample_size, len(others))
    sample = {read.id for read in secrets.SystemRandom().sample(others, size)}
    items = [
        ReviewItem(entry_id=read.id, reader_id=read.user_id, rules=hits.get(read.id, []), sampled=read.id in sample)
        for read in sorted([*reads.reads, *reads.duty_reads], key=lambda read: (read.at, read.id))
        if read.id in hits or read.id in sample
    ]
    try:
        with transaction.atomic():
            review = ReviewMonth.objects.create(unit=unit, month=month, reads=reads.read_count)
            for item in items:
                item.review = review
            ReviewItem.objects.bulk_create(items, batch_size=500)
    except IntegrityError:
        # Drawn at the same moment by another worker: theirs stands.
        return ReviewMonth.objects.get(unit=unit, month=month)
    return review
