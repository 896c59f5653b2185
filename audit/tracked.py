"""The one path for editing a tracked record: claim the version the user
opened (audit.versioning), read the state the save replaces, save, keep the
field history of what changed, and write the access-log row.

Every service that edits a record whose history is kept goes through
save_tracked(), so the order of these steps (which the audit trail and the
optimistic lock rely on) lives in one place. The caller runs it inside its
own transaction.atomic(), with its own rules checked through `check`.
"""

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from django.db import models

from .context import AuditContext
from .models import AccessAction
from .services import Change, diff_fields, log_access, record_changes, snapshot
from .versioning import claim_version

# expected_version's default: the record carries no version (or this save
# takes no optimistic lock), so nothing is claimed. Distinct from None,
# which claim_version treats as "unknown", a conflict.
UNVERSIONED: Any = object()

Display = Callable[[models.Model, Sequence[str], Sequence[str]], dict]
Protected = Sequence[str] | Callable[[models.Model, models.Model], Sequence[str]]


class Saved(NamedTuple):
    record: models.Model
    changes: list[Change]


def save_tracked(
    ctx: AuditContext,
    record: models.Model,
    fields: Sequence[str],
    *,
    expected_version: int | None = UNVERSIONED,
    stored: models.Model | models.QuerySet | None = None,
    before: dict | None = None,
    check: Callable[[models.Model], None] | None = None,
    save: Callable[[], None] | None = None,
    update_fields: Sequence[str] | None = None,
    reread: models.QuerySet | None = None,
    display: Display = snapshot,
    protected: Protected = (),
    action: str = AccessAction.UPDATE,
    note: str | None = None,
    log: bool = True,
) -> Saved:
    """Save the edited `record` and keep the history of its `fields`.

    - `expected_version`: the version the user's form was opened with;
      claimed first (ConcurrentEditError when someone saved in between).
    - `stored`: the state being replaced, an instance or a queryset to read
      it from after the claim (on PostgreSQL the claim locks the row, so
      what is read then is what the save replaces). Default: the record's
      row as it is now (none for a record not yet inserted).
    - `before`: instead of `stored`, a snapshot the caller took before it
      set the new values on the record itself.
    - `check(stored)`: the service's rules, run before the save; raising
      leaves nothing written (the caller's transaction rolls back).
    - `save()`: how to write (m2m, constraint races); default
      `record.save(update_fields=…)` with the version added when claimed.
    - `reread`: a queryset to read the saved record back from (relations
      the snapshot shows); it is then the returned record.
    - `display(obj, fields, protected)`: the snapshot used for the diff;
      `protected` may be a function of (stored, record).
    - `note`: the access-log note; default the names of the changed fields.
    """
    versioned = expected_version is not UNVERSIONED
    if versioned:
        claim_version(record, expected_version)
    if isinstance(stored, models.QuerySet):
        stored = stored.get(pk=record.pk)
    elif stored is None and before is None and record.pk is not None:
        stored = type(record)._base_manager.get(pk=record.pk)
    if check is not None:
        check(stored)
    hidden = protected(stored, record) if callable(protected) else protected
    if before is None and stored is not None:
        before = display(stored, fields, hidden)
    if save is not None:
        save()
    elif update_fields is not None:
        record.save(update_fields=[*update_fields, *(["version"] if versioned else [])])
    else:
        record.save()
    if reread is not None:
        record = reread.get(pk=record.pk)
    changes = [] if before is None else diff_fields(before, display(record, fields, hidden), fields)
    if changes:
        record_changes(ctx, record, changes)
    if log:
        log_access(ctx, action, record, note=", ".join(change.field for change in changes) if note is None else note)
    return Saved(record, changes)


def write_fields(ctx: AuditContext, record: models.Model, *, note: str | None = None, log: bool = True, **values: Any) -> Saved:
    """Set `values` on `record` (a row the caller has locked, or one nobody
    else edits) and save only them through save_tracked(). The access-log
    note names every field written, changed or not."""
    fields = list(values)
    before = snapshot(record, fields)
    for name, value in values.items():
        setattr(record, name, value)
    return save_tracked(ctx, record, fields, before=before, update_fields=fields,
                        note=", ".join(fields) if note is None else note, log=log)
