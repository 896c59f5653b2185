"""Saving the enforcement authority's figures (KPI 2): one transaction that
also writes the access log and, for a correction, the field history."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from audit.models import AccessAction
from audit.services import diff_fields, log_access, record_changes, snapshot
from audit.versioning import ConcurrentEditError, claim_version

from ..models import EnforcementFigures

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from audit.context import AuditContext

TRACKED_FIELDS = ["eviction_applications", "executed_evictions", "children_affected"]


def figures_of(municipality: str) -> QuerySet[EnforcementFigures]:
    """The municipality's figures, newest year first."""
    return EnforcementFigures.objects.filter(municipality=municipality).select_related("entered_by")


@transaction.atomic
def save_figures(
    ctx: AuditContext, figures: EnforcementFigures, *, expected_version: int | None = None,
) -> EnforcementFigures:
    """Create or correct `figures` (a form's unsaved instance).

    A correction claims `expected_version` first (audit.versioning) and
    raises ConcurrentEditError when another manager saved in between. A new
    year that another manager entered at the same moment (the unique
    constraint) raises ConcurrentEditError too: nothing is overwritten.
    """
    figures.entered_by = ctx.user
    if figures.pk is None:
        try:
            with transaction.atomic():
                figures.save()
        except IntegrityError:
            if EnforcementFigures.objects.filter(municipality=figures.municipality, year=figures.year).exists():
                raise ConcurrentEditError from None
            raise
        log_access(ctx, AccessAction.CREATE, figures, note=str(figures.year))
        return figures
    claim_version(figures, expected_version if expected_version is not None else figures.version)
    # Read after the claim: on PostgreSQL the row is now locked by us.
    stored = EnforcementFigures.objects.get(pk=figures.pk)
    figures.municipality, figures.year = stored.municipality, stored.year
    figures.save()
    changes = diff_fields(snapshot(stored, TRACKED_FIELDS), snapshot(figures, TRACKED_FIELDS), TRACKED_FIELDS)
    record_changes(ctx, figures, changes)
    log_access(ctx, AccessAction.UPDATE, figures, note=", ".join(change.field for change in changes))
    return figures
