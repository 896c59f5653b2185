"""The culling rules: one row, edited with history (save_tracked)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from audit.tracked import save_tracked

from ..models import CullingRules

if TYPE_CHECKING:
    from audit.context import AuditContext

TRACKED_FIELDS = ["years", "research_days", "exempt_kinds"]


def current_rules() -> CullingRules:
    """The rules in force; the law's defaults until someone changes them."""
    rules = CullingRules.objects.filter(pk=1).first()
    if rules is None:
        rules, _created = CullingRules.objects.get_or_create(pk=1)
    return rules


@transaction.atomic
def save_rules(ctx: AuditContext, rules: CullingRules, *, expected_version: int | None) -> CullingRules:
    """Save the edited rules (a form's instance); ConcurrentEditError when
    someone saved in between."""
    return save_tracked(ctx, rules, TRACKED_FIELDS, expected_version=expected_version).record
