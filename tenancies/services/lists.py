"""The unit's lists of areas and first-hand landlords (models.lists):
adding, renaming, deactivating and deleting an entry, and finding the entry
a typed name means (the register import).

An entry in use is never deleted (PROTECT on the apartments' foreign keys
backs this); it is deactivated instead, which keeps it on its apartments
and out of new choices."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from audit.context import AuditContext

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.rules import RuleError

from ..models import Area, Landlord, name_key, normalise_name
from ..models.lists import ListEntry

KINDS = {"omraden": Area, "hyresvardar": Landlord}


class ListError(RuleError):
    """A rule refuses the change; nothing is written."""


def _duplicate_message(entry: ListEntry) -> str:
    return _("%(name)s is already in the list.") % {"name": entry.name}


def _check_name(entry: ListEntry) -> None:
    entry.name = normalise_name(entry.name)
    if not entry.name:
        raise ListError(_("Give the name."), code="empty", field="name")
    same = type(entry).objects.filter(unit_id=entry.unit_id, name__iexact=entry.name).exclude(pk=entry.pk).first()
    if same is not None:
        raise ListError(_duplicate_message(same), code="duplicate", field="name")


@transaction.atomic
def save_entry(ctx: AuditContext, entry: ListEntry) -> ListEntry:
    """Add or rename an entry of `ctx.user`'s unit's list. Names are kept
    with single spaces and compared ignoring case: "centrum" cannot be added
    beside "Centrum" (the split this list replaces)."""
    if entry.unit_id is None:
        entry.unit_id = ctx.user.unit_id
    _check_name(entry)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        # Two people adding the same name at once: the unique constraint.
        raise ListError(_duplicate_message(entry), code="duplicate", field="name") from None
    return entry


@transaction.atomic
def delete_entry(ctx: AuditContext, entry: ListEntry) -> None:
    """Delete an entry no apartment has; one in use is deactivated instead."""
    locked = type(entry).objects.select_for_update().get(pk=entry.pk)
    if locked.apartments.exists():
        raise ListError(
            _("%(name)s is used by apartments and cannot be deleted. Deactivate it instead.") % {"name": locked.name},
            code="in_use",
        )
    locked.delete()


def entries_by_key(model: type[ListEntry], unit_id: int) -> dict[str, ListEntry]:
    """The unit's entries of `model` by name_key, for matching typed names."""
    return {name_key(entry.name): entry for entry in model.objects.filter(unit_id=unit_id)}
