"""Writing the access log and the change history.

Views never call these directly: the access helpers in accounts.access and the
service functions of each app do, so that every read and write of personal
data passes one place that logs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext

from . import reads
from .models import AccessAction, AccessLogEntry, AccountEvent, FieldChange

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable

    from django.contrib.auth.base_user import AbstractBaseUser
    from django.db import models
    from django.db.models import QuerySet

    from audit.context import AuditContext


def object_type_of(obj: models.Model) -> str:
    return obj._meta.label_lower


def client_of(obj: models.Model) -> models.Model | None:
    """The client a record belongs to, for the log (None when there is none).

    Records opt in by defining `audit_client` (the client itself returns self).
    """
    return getattr(obj, "audit_client", None)


def log_access(
    ctx: AuditContext,
    action: str,
    obj: models.Model | None = None,
    *,
    client: models.Model | None = None,
    object_type: str | None = None,
    note: str = "",
) -> AccessLogEntry:
    """Write one access-log row for `action` on `obj` (or a list, when obj is None).

    A read (VIEW) during a request or a recorded task is handed to the read
    recorder (audit.reads), which writes it with every other client the
    request read in one insert at the end; other actions are written at
    once, in the transaction of the write they record."""
    if client is None and obj is not None:
        client = client_of(obj)
    # A record about a person who is not (yet) a client, such as an outreach
    # order, still names the person so that the log can be searched for them.
    label = client.audit_label if client is not None else getattr(obj, "audit_label", "") or ""
    row = AccessLogEntry(
        user=ctx.user,
        action=action,
        client_id=client.pk if client is not None else None,
        client_label=label[:200],
        client_number=(getattr(client, "personal_number", "") or "") if client is not None else "",
        object_type=object_type or (object_type_of(obj) if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        path=ctx.path,
        ip_address=ctx.ip_address,
        note=note[:300],
    )
    if action == AccessAction.VIEW and reads.defer([row]):
        return row
    if client is not None:
        # This row covers the client for the whole request: the read
        # recorder writes no second one.
        reads.mark_logged([client.pk])
    row.save()
    return row


def log_list_access(
    ctx: AuditContext, objects: Iterable[models.Model], *, object_type: str, note: str = "",
) -> list[AccessLogEntry]:
    """Log a page of a list: one row per client whose record is shown, so
    that a log search by client finds the list views too, written in one
    insert whatever the page's length (with the request's other reads, by
    the read recorder, when there is one). A page without client records
    writes one row naming the list. `objects` must have their clients loaded
    (select_related) or this costs a query per row."""
    rows = {}
    for obj in objects:
        client = client_of(obj)
        if client is None or client.pk in rows:
            continue
        rows[client.pk] = AccessLogEntry(
            user=ctx.user,
            action=AccessAction.VIEW,
            client_id=client.pk,
            client_label=client.audit_label[:200],
            client_number=getattr(client, "personal_number", "") or "",
            object_type=object_type,
            object_id="",
            path=ctx.path,
            ip_address=ctx.ip_address,
            note=note[:300],
        )
    if not rows:
        return [log_access(ctx, AccessAction.VIEW, object_type=object_type, note=note)]
    if reads.defer(list(rows.values())):
        return list(rows.values())
    return AccessLogEntry.objects.bulk_create(list(rows.values()))


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: str
    new: str
    is_protected: bool = False


def diff_fields(before: dict[str, tuple], after: dict[str, tuple], fields: Iterable[str]) -> list[Change]:
    """Changes between two snapshots {field: (label, display value, protected)}."""
    changes = []
    for name in fields:
        label, old, protected = before[name]
        _, new, _ = after[name]
        if old != new:
            changes.append(Change(name, str(label), old, new, protected))
    return changes


def record_changes(ctx: AuditContext, obj: models.Model, changes: Iterable[Change]) -> list[FieldChange]:
    """Store the field-level history of one save; returns the rows written."""
    client = client_of(obj)
    rows = [
        FieldChange(
            user=ctx.user,
            object_type=object_type_of(obj),
            object_id=str(obj.pk),
            client_id=client.pk if client is not None else None,
            field=change.field,
            field_label=change.label[:200],
            old_value=change.old,
            new_value=change.new,
            is_protected=change.is_protected,
        )
        for change in changes
    ]
    return FieldChange.objects.bulk_create(rows)


def history_of(obj: models.Model) -> QuerySet[FieldChange]:
    return FieldChange.objects.filter(
        object_type=object_type_of(obj), object_id=str(obj.pk)
    ).select_related("user")


def display_value(obj: models.Model, field_name: str) -> str:
    """A field's value as a reader would see it, for the change history."""
    field = obj._meta.get_field(field_name)
    if field.many_to_many:
        if obj.pk is None:
            return ""
        return ", ".join(sorted(str(item) for item in getattr(obj, field_name).all()))
    if field.is_relation:
        related = getattr(obj, field_name)
        return "" if related is None else str(related)
    if field.choices:
        return str(getattr(obj, f"get_{field_name}_display")())
    value = getattr(obj, field_name)
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str], protected: Collection[str] = ()) -> dict[str, tuple]:
    """{field: (label, display value, is protected)} for diff_fields()."""
    return {
        name: (
            obj._meta.get_field(name).verbose_name,
            display_value(obj, name),
            name in protected,
        )
        for name in fields
    }


def log_account_event(
    ctx: AuditContext, subject: AbstractBaseUser, kind: str, *, before: str = "", after: str = "", note: str = "",
) -> AccountEvent:
    """Write one row of the account log: `ctx.user` (None when nobody is
    logged in) did `kind` to the account `subject`."""
    actor = ctx.user if ctx.user is not None and getattr(ctx.user, "is_authenticated", False) else None
    return AccountEvent.objects.create(
        actor=actor,
        subject=subject,
        unit_id_snapshot=subject.unit_id,
        kind=kind,
        before=before,
        after=after,
        note=note[:300],
        path=ctx.path,
        ip_address=ctx.ip_address,
    )
