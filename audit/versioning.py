"""Optimistic locking, so that two people editing the same record cannot
silently overwrite each other ("nothing entered is lost").

A versioned model has an integer `version`. The edit form carries the
version it was opened with; saving claims the row with a conditional UPDATE
on that version. If someone saved in between, the claim matches no row and
ConcurrentEditError is raised; the view shows the user's own input again next
to the newer saved values.
"""

from __future__ import annotations

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


class ConcurrentEditError(Exception):
    pass


class VersionedModel(models.Model):
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


def claim_version(instance: models.Model, expected_version: int) -> None:
    """Bump the stored version if it still is `expected_version`.

    Must run inside the transaction that then saves `instance`: on
    PostgreSQL the UPDATE also locks the row until commit, so a concurrent
    claim waits and then finds the version already moved on.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("claim_version() must run inside transaction.atomic().")
    if expected_version is None:
        # Unknown is not "the stored one": see core.forms.MISSING_VERSION.
        raise ConcurrentEditError
    claimed = (
        type(instance)
        ._base_manager.filter(pk=instance.pk, version=expected_version)
        .update(version=expected_version + 1)
    )
    if not claimed:
        raise ConcurrentEditError
    instance.version = expected_version + 1

