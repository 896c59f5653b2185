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
- sign-off needs every item judged, with one exception: a read of the
  signing manager's own when the unit has no other reviewer (no other
  active user of the unit holds the review permission). Nobody may judge
  it, so it stays unjudged, is marked `no_other_reviewer`, listed as "kan
  inte granskas av annan" on the month, the sign-off and the yearly
  summary, and the system administrators are told the unit needs a second
  reviewer (docs/log-review.md "Own reads").

Items are versioned records (ReviewItem is a VersionedModel) edited through
audit.tracked.save_tracked: the form's version is claimed, the change
history and the access log are written in the same transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import require_perm
from accounts.models import User as UserModel
from accounts.notifications import notify_many
from accounts.roles import Role
from audit.models import AccessAction
from audit.services import log_access
from audit.tracked import save_tracked, write_fields
from core.rules import RuleError

from .models import Outcome, ReviewItem, ReviewMonth, Verdict
from .reminders import possible_reviewers, review_permission_holders

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


def months_of_unit(user: User) -> QuerySet[ReviewMonth]:
    """The review months of the user's unit; none without a unit. The
    month list, the sign-off and the yearly summary are the unit's own."""
    if not getattr(user, "unit_id", None):
        return ReviewMonth.objects.none()
    return ReviewMonth.objects.filter(unit_id=user.unit_id)


def months_visible_to(user: User) -> QuerySet[ReviewMonth]:
    """The months of the user's unit, and of the units where they are the
    second reviewer (where they see only the reads they may judge:
    items_visible_to)."""
    if not getattr(user, "pk", None):
        return ReviewMonth.objects.none()
    own = Q(unit_id=user.unit_id) if getattr(user, "unit_id", None) else Q(pk__in=[])
    return ReviewMonth.objects.filter(own | Q(unit__review_settings__second_reviewer_id=user.pk)).distinct()


def items_visible_to(user: User) -> QuerySet[ReviewItem]:
    """The drawn reads of the user's unit, and, in the units where they are
    the second reviewer, the reads of those units' reviewers (the managers'
    own reads, which no other manager of the unit may judge): nothing more
    of another unit's staff."""
    if not getattr(user, "pk", None):
        return ReviewItem.objects.none()
    own = Q(review__unit_id=user.unit_id) if getattr(user, "unit_id", None) else Q(pk__in=[])
    deputy = Q(
        review__unit__review_settings__second_reviewer_id=user.pk,
        reader__unit_id=F("review__unit_id"),
        reader__in=review_permission_holders().values("pk"),
    )
    return ReviewItem.objects.filter(own | deputy)


def months_as_second_reviewer(user: User) -> QuerySet[ReviewMonth]:
    """Months of other units, not signed off, with reads waiting for the
    user as those units' second reviewer, with the number waiting."""
    if not getattr(user, "pk", None):
        return ReviewMonth.objects.none()
    waiting = items_visible_to(user).filter(verdict="", no_other_reviewer=False).exclude(
        review__unit_id=getattr(user, "unit_id", None)).exclude(reader_id=user.pk)
    return (
        ReviewMonth.objects.filter(signed_off_at=None, pk__in=waiting.values("review_id"))
        .annotate(waiting=Count("items", filter=Q(items__in=waiting)))
        .select_related("unit").order_by("month", "pk")
    )


def is_second_reviewer(user: User, month: ReviewMonth) -> bool:
    """The user reviews this month as its unit's second reviewer, not as one
    of its managers."""
    return getattr(user, "unit_id", None) != month.unit_id


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


def has_other_reviewer(unit_id: int, user_id: int | None) -> bool:
    """Someone other than `user_id` may review `user_id`'s reads in the
    unit: another active user of the unit holding the review permission
    (another manager), or the unit's second reviewer."""
    return bool(possible_reviewers(unit_id) - {user_id})


def unjudged(month: ReviewMonth, signer: User) -> tuple[list[ReviewItem], list[ReviewItem]]:
    """The month's unjudged items as (blocking the sign-off by `signer`,
    nobody but their reader could review). An unjudged read of the
    signer's own blocks only while another reviewer of the unit exists."""
    left = list(month.items.filter(verdict="", no_other_reviewer=False).select_related("entry").order_by(
        "entry__at", "pk"))
    own = [item for item in left if is_own_read(signer, item)]
    if not own or has_other_reviewer(month.unit_id, signer.pk):
        return left, []
    return [item for item in left if not is_own_read(signer, item)], own


def may_sign_off(user: User, month: ReviewMonth) -> bool:
    return month.signed_off_at is None and not is_second_reviewer(user, month) and not unjudged(month, user)[0]


def sign_off(ctx: AuditContext, month: ReviewMonth, *, note: str) -> ReviewMonth:
    """Sign the month's review off. Every item must be judged, except the
    signer's own reads when nobody else could judge them (marked
    `no_other_reviewer`; see the module's docstring); open investigations
    may remain. The month's row is locked, so two managers signing at once
    sign once."""
    note = (note or "").strip()
    if not note:
        raise ReviewRefused(_("Write a note for the sign-off: what was found, what follows."), code="note_required",
                            field="note")
    with transaction.atomic():
        locked = ReviewMonth.objects.select_for_update().get(pk=month.pk)
        if is_second_reviewer(ctx.user, locked):
            raise ReviewRefused(_("Only a manager of the unit signs its month off."), code="not_the_unit")
        if locked.signed_off_at is not None:
            raise ReviewRefused(_("The month is already signed off."), code="signed_off")
        blocking, unreviewable = unjudged(locked, ctx.user)
        if blocking:
            if all(is_own_read(ctx.user, item) for item in blocking):
                message = _("%(n)s of the reads are your own: another manager of the unit or the unit's second "
                            "reviewer must judge them before the sign-off.")
            else:
                message = _("%(n)s of the month's reads are not judged yet. Every read must be judged before the "
                            "sign-off.")
            raise ReviewRefused(message % {"n": len(blocking)}, code="unjudged")
        if unreviewable:
            # Not a verdict: the reads stay unjudged (nobody reviews their
            # own), marked so that the month, the sign-off and the yearly
            # summary list them. The version moves, so a form opened before
            # cannot overwrite the mark.
            ReviewItem.objects.filter(pk__in=[item.pk for item in unreviewable]).update(
                no_other_reviewer=True, version=F("version") + 1)
        write_fields(ctx, locked, signed_off_at=timezone.now(), signed_off_by=ctx.user, sign_off_note=note,
                     note="log review sign-off")
        if unreviewable:
            count = len(unreviewable)
            transaction.on_commit(lambda: notify_no_other_reviewer(locked, count))
        return locked


def notify_no_other_reviewer(month: ReviewMonth, count: int) -> None:
    """Tell the system administrators (who keep the roles; the data
    protection officer has no role of their own in Bolots) that a unit
    signed a month off with reads nobody else could review. Month, unit and
    a count only: no client, no reader (it goes out by e-mail)."""
    from django.utils.translation import override

    with override(settings.LANGUAGE_CODE):
        text = _(
            "The log review of %(month)s for %(unit)s was signed off with %(n)s reads that could not be reviewed by "
            "anyone else (the only manager's own reads). Give the unit a second reviewer: another user with the "
            "manager role."
        ) % {"month": month.month.strftime("%Y-%m"), "unit": month.unit.name, "n": count}
    admins = UserModel.objects.with_role(Role.SYSTEM_ADMIN).filter(is_active=True).order_by("pk")
    # No link: the review pages are the unit's managers' (a system
    # administrator sees no case data).
    notify_many(admins, text)


def log_month_view(ctx: AuditContext, month: ReviewMonth) -> None:
    """The reviewer's own reading of the log is logged: one row for the
    month (the clients shown are logged by the read recorder)."""
    log_access(ctx, AccessAction.VIEW, month, note="log review")


def require_review(user: User) -> None:
    """Judging needs the review permission, not only the right to look."""
    require_perm(user, REVIEW_PERM)
