"""Dry runs: the frozen list of a unit's persons due for culling, and the
manager's approval of that list (docs/culling.md)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AccessAction
from audit.services import log_access
from core.rules import RuleError
from referrals.models import Client

from ..models import CandidateStatus, CullingCandidate, CullingEvent, CullingRun, RunEventKind, RunStatus, RunTrigger
from .assessment import Assessment, assess, rules_snapshot
from .rules import current_rules

if TYPE_CHECKING:
    from accounts.models import Unit
    from audit.context import AuditContext


class NotApprovable(RuleError):
    """Approving a list that was approved, executed or failed already."""


def due_list(unit: Unit, *, as_of: date, rules: dict | None = None) -> list[Assessment]:
    """Every person of `unit` whose file is due on `as_of`, kept ones with
    their reasons, in the order of the page and the command: due before
    kept, oldest last entry first, then by client id. Reads birth dates
    with values(): no client instance, nothing shown yet."""
    rules = rules or rules_snapshot(current_rules())
    people = Client.objects.filter(unit=unit).values_list("pk", "birth_date")
    found = assess(people, rules=rules, as_of=as_of)
    return sorted(found, key=lambda a: (not a.is_due, a.last_entry, a.client_id))


@transaction.atomic
def make_run(ctx: AuditContext, unit: Unit, *, trigger: str = RunTrigger.ON_DEMAND,
             as_of: date | None = None) -> CullingRun:
    """Make a dry run: the list is stored as it is now and never changes."""
    as_of = as_of or timezone.localdate()
    rules = rules_snapshot(current_rules())
    user = ctx.user if getattr(ctx.user, "pk", None) else None
    run = CullingRun.objects.create(unit=unit, trigger=trigger, as_of=as_of, rules=rules, made_by=user)
    CullingCandidate.objects.bulk_create([
        CullingCandidate(
            run=run, client_id=item.client_id,
            status=CandidateStatus.DUE if item.is_due else CandidateStatus.EXEMPT,
            last_entry=item.last_entry, due_on=item.due_on, deadline=item.deadline,
            counts=item.counts, reasons=item.reasons, person=min([item.client_id, *item.linked]),
        )
        for item in due_list(unit, as_of=as_of, rules=rules)
    ])
    due = run.candidates.filter(status=CandidateStatus.DUE).count()
    CullingEvent.objects.create(run=run, kind=RunEventKind.MADE, by=user,
                                note=f"{due} due, {run.candidates.count() - due} kept")
    if user is not None:
        log_access(ctx, AccessAction.CREATE, run, note="culling list made")
    return run


@transaction.atomic
def reject_run(ctx: AuditContext, run: CullingRun, reason: str) -> CullingRun:
    """The manager rejects THIS list (it is wrong: made under rules since
    corrected, say); nothing on it is culled and its reminders stop. Only a
    list waiting for approval can be rejected; the reason is kept in the
    list's history. The persons due stay due: a new list is made on demand,
    or by the next yearly dry run."""
    run = CullingRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RunStatus.LISTED:
        raise NotApprovable(_("This culling list is no longer waiting for approval."))
    run.status = RunStatus.REJECTED
    run.save(update_fields=["status"])
    CullingEvent.objects.create(run=run, kind=RunEventKind.REJECTED, by=ctx.user, note=reason[:300])
    log_access(ctx, AccessAction.UPDATE, run, note="culling list rejected")
    return run


@transaction.atomic
def approve_run(ctx: AuditContext, run: CullingRun) -> CullingRun:
    """The manager approves THIS list. Only a list waiting for approval can
    be approved; the run is locked so that two approvals cannot both pass."""
    run = CullingRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RunStatus.LISTED:
        raise NotApprovable(_("This culling list is no longer waiting for approval."))
    run.status, run.approved_by, run.approved_at = RunStatus.APPROVED, ctx.user, timezone.now()
    run.save(update_fields=["status", "approved_by", "approved_at"])
    CullingEvent.objects.create(run=run, kind=RunEventKind.APPROVED, by=ctx.user)
    log_access(ctx, AccessAction.UPDATE, run, note="culling approved")
    return run
