"""A unit's review settings (ReviewSettings): read with defaults, saved
through the project's one tracked-save path.

Kept apart from logreview.services (the review workflow) so that the draw
and the settings page share one reading of "the unit's settings".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from audit.models import AccessAction
from audit.services import log_access
from audit.tracked import save_tracked
from audit.versioning import ConcurrentEditError

from .models import ReviewSettings

if TYPE_CHECKING:
    from accounts.models import Unit
    from audit.context import AuditContext

FIELDS = ["rules", "sample_size", "workday_starts", "workday_ends", "many_clients_factor", "second_reviewer"]


def settings_for(unit: Unit) -> ReviewSettings:
    """The unit's review settings, or the defaults (unsaved) if it has none."""
    return ReviewSettings.objects.filter(unit=unit).first() or ReviewSettings(unit=unit)


def save_settings(ctx: AuditContext, review_settings: ReviewSettings, *, expected_version: int) -> ReviewSettings:
    """Save the form's `review_settings` of the user's unit.

    The first save creates the unit's row (another manager creating it at
    the same moment hits the one-to-one constraint: ConcurrentEditError,
    nothing overwritten); later saves claim `expected_version`, keep the
    field history and log the change (save_tracked).
    """
    with transaction.atomic():
        if review_settings.pk is None:
            try:
                with transaction.atomic():
                    review_settings.save()
            except IntegrityError:
                raise ConcurrentEditError from None
            log_access(ctx, AccessAction.CREATE, review_settings)
            return review_settings
        return save_tracked(
            ctx, review_settings, FIELDS, expected_version=expected_version, update_fields=FIELDS,
        ).record
