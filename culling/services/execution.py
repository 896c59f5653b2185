"""Executing an approved culling run (docs/culling.md "Execution").

`culling_about_to_start` is sent once before anything is deleted (the
reports app freezes closed years' figures); then each person due on the
list is culled in ONE transaction of their own: re-checked, every record in
every app deleted in the declared order, `client_culled` sent (the audit
app rewrites the log's snapshots by the reference), the register row
written. A failure rolls back that person only and is noted on the run.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import reads
from audit.models import AccessAction
from audit.services import log_access
from core.rules import RuleError
from core.signals import client_culled, culling_about_to_start
from referrals.models import Client

from ..models import (
    CandidateOutcome,
    CandidateStatus,
    CulledPerson,
    CullingCandidate,
    CullingEvent,
    CullingRun,
    RunEventKind,
    RunStatus,
)
from ..registry import deleted_in_order
from .assessment import assess

if TYPE_CHECKING:
    from audit.context import AuditContext

logger = logging.getLogger(__name__)


class NotApproved(RuleError):
    """Executing a run no manager approved (or one already executed)."""


class Skip(Exception):  # noqa: N818 - a reason, not an error
    """The person is no longer due; the message says why (no personal data)."""


def next_reference(year: int) -> str:
    """The next culling reference of `year`: G-2026-0001, G-2026-0002, …
    Runs execute one person at a time; the unique constraint refuses a
    clash with a run of another unit executing at the same moment (that
    person fails and is culled by the next run)."""
    prefix = f"G-{year}-"
    last = (CulledPerson.objects.filter(reference__startswith=prefix)
            .order_by("-reference").values_list("reference", flat=True).first())
    number = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{number:04d}"


def _start(ctx: AuditContext, run_id: int) -> CullingRun:
    with transaction.atomic():
        run = CullingRun.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.APPROVED or run.approved_by_id is None:
            raise NotApproved(_("Culling run #%(number)s is not approved: nothing was culled.") % {
                "number": run.pk})
        run.status, run.started_at = RunStatus.RUNNING, timezone.now()
        run.save(update_fields=["status", "started_at"])
        CullingEvent.objects.create(run=run, kind=RunEventKind.STARTED, by=_user(ctx))
        return run


def _user(ctx: AuditContext):
    return ctx.user if getattr(ctx.user, "pk", None) else None


def _file_names(source_model: type[models.Model], queryset) -> list[tuple[object, str]]:
    """The stored files of the rows about to be deleted (uploaded files are
    removed after the commit: a rolled-back person keeps them)."""
    fields = [f for f in source_model._meta.concrete_fields if isinstance(f, models.FileField)]
    found = []
    for f in fields:
        for name in queryset.exclude(**{f.name: ""}).values_list(f.name, flat=True):
            if name:
                found.append((f.storage, name))
    return found


def _delete_stored(storage, name: str) -> None:
    """Remove a culled record's file after the commit. A storage that
    fails (a network error) must not turn a committed culling into a
    "failed" row, nor keep the person's other files: logged for removal by
    hand (the name holds a record id, no personal data)."""
    try:
        storage.delete(name)
    except Exception:
        logger.exception("culling: could not delete the stored file %s; remove it by hand", name)


def _group(run: CullingRun, candidate: CullingCandidate, today) -> dict[int, tuple]:
    """Lock and re-assess the person of `candidate` with every record linked
    to them as the same person; {client id: (assessment, list row)}. Raises
    Skip when the person is no longer due as a whole, or a linked record is
    not due and pending on this list: nothing is culled that the manager did
    not approve, and no record of a person outlives another's culling."""
    person = (Client.objects.select_for_update().filter(pk=candidate.client_id)
              .values_list("pk", "birth_date").first())
    if person is None:
        raise Skip("no longer in the register")
    found = assess([person], rules=run.rules, as_of=today)
    if not found:
        raise Skip("new entries since the list was made")
    if found[0].linked:
        # The linked records' rows locked too (in id order, as every run
        # locks them), then all assessed in one call.
        people = list(Client.objects.select_for_update().filter(pk__in=[person[0], *found[0].linked])
                      .order_by("pk").values_list("pk", "birth_date"))
        found = assess(people, rules=run.rules, as_of=today)
        if len(found) != len(people):
            raise Skip("new entries since the list was made")
    item = next(a for a in found if a.client_id == person[0])
    if item.last_entry > candidate.last_entry:
        raise Skip("new entries since the list was made")
    if item.reasons:
        raise Skip("kept now: " + ", ".join(item.reasons))
    group = {item.client_id, *item.linked}
    rows = {candidate.client_id: candidate}
    if item.linked:
        rows.update((row.client_id, row) for row in CullingCandidate.objects.select_for_update().filter(
            run=run, client_id__in=item.linked, status=CandidateStatus.DUE, outcome=CandidateOutcome.PENDING))
        # Every record of the person assessed due and on this list, pending.
        if not set(rows) == {a.client_id for a in found} == group:
            raise Skip("a linked record of the same person is not due on this list")
        # A linked record's own row may be older than the person's entries
        # now (a link made since the list is such an entry).
        if item.last_entry > min(row.last_entry for row in rows.values()):
            raise Skip("new entries since the list was made")
    return {a.client_id: (a, rows[a.client_id]) for a in found}


def cull_person(ctx: AuditContext, run: CullingRun, candidate: CullingCandidate, *, today) -> str:
    """Cull one person in one transaction; returns the reference. A person
    with several client records linked as the same person is culled as one:
    all their records together, under one reference and one register row
    (the records' counts added up), each list row marked culled. Raises
    Skip when the person is no longer due (nothing deleted)."""
    with transaction.atomic():
        group = _group(run, candidate, today)
        ids = sorted(group)
        # No read row for this person after the deletion: a row written by
        # the recorder at the end of the unit of work would carry the name
        # the audit app is about to replace.
        reads.mark_logged(ids)
        files = []
        for source in deleted_in_order():
            rows = source.for_clients(ids)
            files.extend(_file_names(source.model, rows))
            rows.delete()
        reference = next_reference(today.year)
        for pk in ids:
            client_culled.send(sender=CullingRun, client_id=pk, reference=reference)
        counts: dict[str, int] = {}
        for item, _row in group.values():
            for kind, n in item.counts.items():
                counts[kind] = counts.get(kind, 0) + n
        CulledPerson.objects.create(reference=reference, culled_on=today, run=run,
                                    approved_by_id=run.approved_by_id, counts=counts)
        for item, row in group.values():
            # update(): the deletion has already set the row's client to NULL.
            CullingCandidate.objects.filter(pk=row.pk).update(
                outcome=CandidateOutcome.CULLED, reference=reference, counts=item.counts, client=None)
        note = reference if len(ids) == 1 else f"{reference} ({len(ids)} linked records)"
        CullingEvent.objects.create(run=run, kind=RunEventKind.CULLED, by=_user(ctx), note=note)
        for storage, name in files:
            transaction.on_commit(lambda storage=storage, name=name: _delete_stored(storage, name))
        return reference


def execute_run(ctx: AuditContext, run_id: int) -> CullingRun:
    """Execute approved run `run_id`. Must not run inside a transaction:
    each person commits on their own."""
    run = _start(ctx, run_id)
    try:
        culling_about_to_start.send(sender=CullingRun, run_id=run.pk)
    except Exception:
        logger.exception("culling run %s: a receiver of culling_about_to_start failed", run.pk)
        CullingRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, finished_at=timezone.now())
        CullingEvent.objects.create(run=run, kind=RunEventKind.FAILED, by=_user(ctx),
                                    note="preparation failed; nothing culled")
        raise
    today = timezone.localdate()
    skipped = failed = 0
    pending = run.candidates.filter(status=CandidateStatus.DUE, outcome=CandidateOutcome.PENDING).order_by("id")
    for pk in list(pending.values_list("pk", flat=True)):
        # Read each row when its turn comes: a record linked to an earlier
        # one as the same person was culled with it (not pending any more).
        candidate = pending.filter(pk=pk).first()
        if candidate is None:
            continue
        try:
            if candidate.client_id is None:
                raise Skip("no longer in the register")
            cull_person(ctx, run, candidate, today=today)
        except Skip as why:
            skipped += 1
            CullingCandidate.objects.filter(pk=candidate.pk).update(
                outcome=CandidateOutcome.SKIPPED, outcome_note=str(why))
            CullingEvent.objects.create(run=run, kind=RunEventKind.SKIPPED, by=_user(ctx),
                                        note=f"list row {candidate.pk}: {why}")
        except Exception as error:  # one person's failure must not stop the others
            failed += 1
            logger.exception("culling run %s: list row %s failed", run.pk, candidate.pk)
            CullingCandidate.objects.filter(pk=candidate.pk).update(
                outcome=CandidateOutcome.FAILED, outcome_note=type(error).__name__)
            CullingEvent.objects.create(run=run, kind=RunEventKind.FAILED, by=_user(ctx),
                                        note=f"list row {candidate.pk}: {type(error).__name__}")
    # List rows culled, a person's linked records each counted.
    culled = run.candidates.filter(outcome=CandidateOutcome.CULLED).count()
    with transaction.atomic():
        CullingRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, finished_at=timezone.now())
        CullingEvent.objects.create(run=run, kind=RunEventKind.FINISHED, by=_user(ctx),
                                    note=f"{culled} culled, {skipped} skipped, {failed} failed")
        if _user(ctx) is not None:
            log_access(ctx, AccessAction.DELETE, run, note=f"culling executed: {culled}")
    run.refresh_from_db()
    return run
