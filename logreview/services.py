"""The manager's side of the monthly log review: judging the drawn reads,
closing investigations, signing the month off (docs/log-review.md).

Rules kept here, not in the views, so that a command or a later API obeys
them too:

- a review is the business of its unit's managers (`months_visible_to`);
- nobody reviews reads of their own: an item whose reader is the acting
  user is refused (`OwnRead`), for the verdict and for closing the
  investigation alike;
- "justified" needs a note saying why (the auditor's question is "why was
  this read needed?"); an investigation is closed with an outcome and the
  measures taken;
- a signed-off month is frozen except for closing its open investigations:
  an investigation may take longer than the month (it can involve the
  employee, HR and the data protection officer), so open investigations do
  not block the sign-off, they stay listed until closed;
- sign-off needs every item judged.

Items are versioned records (ReviewItem is a VersionedModel) edited through
audit.tracked.save_tracked: the form's version is claimed, the change
history and the access log are written in the same transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import require_perm
from audit.models import AccessAction
from audit.services import log_access
from audit.tracked import save_tracked, write_fields
from core.rules import RuleError

from .models import Outcome, ReviewItem, ReviewMonth, Verdict

if TYPE_CHECKING:
    from accounts.models import User
    from audit.context import AuditContext

VIEW_PERM = "logreview.view_reviewmonth"
REVIEW_PERM = "logreview.review_reads"

JUDGE_FIELDS = ("verdict", "note", "reviewed_at", "reviewed_by")
CLOSE_FIELDS = ("outcome", "outcome_note", "outcome_at", "outcome_by")


class ReviewRefused(RuleError):
    """A judgment, closing or sign-off the review's rules refuse."""


class OwnRead(ReviewRefused):
    pass


def months_visible_to(user: User) -> QuerySet[ReviewMonth]:
    """The review months of the user's unit; none without a unit."""
    if not getattr(user, "unit_id", None):
        return ReviewMonth.objects.none()
    return ReviewMonth.objects.filter(unit_id=user.unit_id)


def items_visible_to(user: User) -> QuerySet[ReviewItem]:
    if not getattr(user, "unit_id", None):
        return ReviewItem.objects.none()
    return ReviewItem.objects.filter(review__unit_id=user.unit_id)


def with_counts(months: QuerySet[ReviewMonth]) -> QuerySet[ReviewMonth]:
    """Each month with its number of items, items left to judge and open
    investigations, in the month's own query."""
    return months.annotate(
        item_count=Count("items"),
        left_to_judge=Count("items", filter=Q(items__verdict="")),
        open_investigations=Count("items", filter=Q(items__verdict=Verdict.INVESTIGATE, items__outcome="")),
    )


def is_own_read(user: User, item: ReviewItem) -> bool:
    return item.reader_id is not None and item.reader_id == user.pk


def may_judge(user: User, item: ReviewItem, month: ReviewMonth) -> bool:
    return not is_own_read(user, item) and month.signed_off_at is None and not item.outcome


def may_close(user: User, item: ReviewItem) -> bool:
    return not is_own_read(user, item) and item.verdict == Verdict.INVESTIGATE and not item.outcome


def _refuse_own_read(user: User, item: ReviewItem, field: str | None) -> None:
    if is_own_read(user, item):
        raise OwnRead(
            _("You read this yourself: nobody reviews reads of their own. Another manager of the unit judges it."),
            code="own_read", field=field,
        )


def judge_item(
    ctx: AuditContext, item: ReviewItem, *, verdict: str, note: str, expected_version: int
) -> ReviewItem:
    """Judge one drawn read "justified" (note required) or "investigate".

    A verdict may be changed until the month is signed off, unless the
    investigation it started is closed (its outcome rests on it)."""
    note = (note or "").strip()
    if verdict not in Verdict.values:
        raise ReviewRefused(_("Choose justified or investigate."), code="verdict", field="verdict")
    if verdict == Verdict.JUSTIFIED and not note:
        raise ReviewRefused(_("Write why the read was justified."), code="note_required", field="note")

    def check(stored: ReviewItem) -> None:
        _refuse_own_read(ctx.user, stored, "verdict")
        month = ReviewMonth.objects.select_for_update().get(pk=stored.review_id)
        if month.signed_off_at is not None:
            raise ReviewRefused(_("The month is signed off: its verdicts can no longer be changed."),
                                code="signed_off")
        if stored.outcome:
            raise ReviewRefused(_("The investigation of this read is closed: its verdict can no longer be changed."),
                                code="closed")

    with transaction.atomic():
        item.verdict = verdict
        item.note = note
        item.reviewed_at = timezone.now()
        item.reviewed_by = ctx.user
        return save_tracked(
            ctx, item, JUDGE_FIELDS, expected_version=expected_version, check=check,
            update_fields=JUDGE_FIELDS,
        ).record


def close_investigation(
    ctx: AuditContext, item: ReviewItem, *, outcome: str, note: str, expected_version: int
) -> ReviewItem:
    """Close the investigation of a read with its outcome and the measures
    taken. Allowed after the month's sign-off: investigations outlast it."""
    note = (note or "").strip()
    if outcome not in Outcome.values:
        raise ReviewRefused(_("Choose the outcome of the investigation."), code="outcome", field="outcome")
    if not note:
        raise ReviewRefused(_("Write the measures taken, or that none were needed."), code="note_required",
                            field="outcome_note")

    def check(stored: ReviewItem) -> None:
        _refuse_own_read(ctx.user, stored, "outcome")
        if stored.verdict != Verdict.INVESTIGATE:
            raise ReviewRefused(_("Only a read judged “investigate” has an investigation to close."),
                                code="not_investigated")
        if stored.outcome:
            raise ReviewRefused(_("The investigation is already closed."), code="closed")

    with transaction.atomic():
        item.outcome = outcome
        item.outcome_note = note
        item.outcome_at = timezone.now()
        item.outcome_by = ctx.user
        return save_tracked(
            ctx, item, CLOSE_FIELDS, expected_version=expected_version, check=check,
            update_fields=CLOSE_FIELDS,
        ).record


def sign_off(ctx: AuditContext, month: ReviewMonth, *, note: str) -> ReviewMonth:
    """Sign the month's review off. Every item must be judged; open
    investigations may remain (see the module's docstring). The month's row
    is locked, so two managers signing at once sign once."""
    note = (note or "").strip()
    if not note:
        raise ReviewRefused(_("Write a note for the sign-off: what was found, what follows."), code="note_required",
                            field="note")
    with transaction.atomic():
        locked = ReviewMonth.objects.select_for_update().get(pk=month.pk)
        if locked.signed_off_at is not None:
            raise ReviewRefused(_("The month is already signed off."), code="signed_off")
        left = locked.items.filter(verdict="").count()
        if left:
            raise ReviewRefused(
                _("%(n)s of the month's reads are not judged yet. Every read must be judged before the sign-off.")
                % {"n": left},
                code="unjudged",
            )
        write_fields(ctx, locked, signed_off_at=timezone.now(), signed_off_by=ctx.user, sign_off_note=note,
                     note="log review sign-off")
        return locked


def log_month_view(ctx: AuditContext, month: ReviewMonth) -> None:
    """The reviewer's own reading of the log is logged: one row for the
    month (the clients shown are logged by the read recorder)."""
    log_access(ctx, AccessAction.VIEW, month, note="log review")


def require_review(user: User) -> None:
    """Judging needs the review permission, not only the right to look."""
    require_perm(user, REVIEW_PERM)
