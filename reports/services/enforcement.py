"""Saving the enforcement authority's figures (KPI 2): one transaction that
also writes the access log and, for a correction, the field history."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from audit.models import AccessAction
from audit.services import log_access
from audit.tracked import save_tracked
from audit.versioning import ConcurrentEditError

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
    def keep_year(stored: EnforcementFigures) -> None:
        # The year and municipality are not edited: a correction keeps them.
        figures.municipality, figures.year = stored.municipality, stored.year

    return save_tracked(
        ctx, figures, TRACKED_FIELDS, check=keep_year,
        expected_version=expected_version if expected_version is not None else figures.version,
    ).record
