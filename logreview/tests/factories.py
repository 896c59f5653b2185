"""Review months and items built by hand over real access-log rows (the
draw, logreview.sampling, is tested on its own)."""

from datetime import date, datetime

from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry

from ..models import ReviewItem, ReviewMonth


def log_row(user, *, client=None, at=None, object_type="referrals.client", action=AccessAction.VIEW,
            label="Fiktiv Person", number="", client_id=None):
    """One access-log row as the read recorder writes it: the client's id
    and snapshot, no foreign key."""
    return AccessLogEntry.objects.create(
        user=user, action=action, at=at or timezone.make_aware(datetime(2026, 10, 14, 10, 30)),
        client_id=client.pk if client is not None else client_id,
        client_label=client.audit_label if client is not None else label,
        client_number=(client.personal_number or "") if client is not None else number,
        object_type=object_type, object_id=str(client.pk) if client is not None else "",
    )


def review_month(unit, month=date(2026, 10, 1), *, reads=120, **extra):
    return ReviewMonth.objects.create(unit=unit, month=month, reads=reads, **extra)


def review_item(review, entry, *, rules=(), sampled=None, **extra):
    return ReviewItem.objects.create(
        review=review, entry=entry, reader=entry.user, rules=list(rules),
        sampled=not rules if sampled is None else sampled, **extra,
    )
