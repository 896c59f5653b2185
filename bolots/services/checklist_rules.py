"""Which items the monthly checklist asks on a kind of order, per unit
(docs/housing-chain.md, "The checklist per kind of order").

Without a stored rule every item of CHECKLIST_ITEMS is asked, except the
treatment question on Housing First support: the programme makes no demands
of sobriety or treatment (seed 002), so its visits do not check them. A
manager changes this for the unit on the settings page; a row is stored
only where the unit's choice differs from the default, so a changed
default reaches every unit that made no choice.

An item that is not asked is stored as "not applicable" on the checklist
(forms.visits.ChecklistForm): it never fails and never signals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from accounts.models import Unit
    from audit.context import AuditContext

from django.db import transaction

from audit.models import AccessAction
from audit.services import log_access
from referrals.models import OrderKind

from ..models import ChecklistRule
from ..models.visits import CHECKLIST_ITEMS

# Not asked unless the unit says otherwise.
DEFAULT_NOT_ASKED = {OrderKind.HOUSING_FIRST: frozenset({"treatment_followed"})}


def asked_by_default(order_kind: str, item: str) -> bool:
    return item not in DEFAULT_NOT_ASKED.get(order_kind, frozenset())


def asked_items(unit: Unit | int | None, order_kind: str) -> tuple[str, ...]:
    """The items the checklist asks on an order of `order_kind` in `unit`,
    in the checklist's order. One query."""
    unit_id = getattr(unit, "pk", unit)
    stored = dict(
        ChecklistRule.objects.filter(unit_id=unit_id, order_kind=order_kind).values_list("item", "asked")
    ) if unit_id else {}
    return tuple(item for item in CHECKLIST_ITEMS if stored.get(item, asked_by_default(order_kind, item)))


def rules_table(unit: Unit) -> dict[str, dict[str, bool]]:
    """{order kind: {item: asked}} for every kind and item. One query."""
    stored = {
        (kind, item): asked
        for kind, item, asked in ChecklistRule.objects.filter(unit=unit).values_list("order_kind", "item", "asked")
    }
    return {
        kind: {item: stored.get((kind, item), asked_by_default(kind, item)) for item in CHECKLIST_ITEMS}
        for kind in OrderKind.values
    }


@transaction.atomic
def save_rules(ctx: AuditContext, unit: Unit, asked: Mapping[tuple[str, str], bool]) -> int:
    """Store the unit's choice for every (order kind, item) in `asked`: a
    row where it differs from the default, none where it agrees. Returns
    the number of choices that changed; writes one access-log row when any
    did."""
    current = rules_table(unit)
    changed = 0
    for (kind, item), value in asked.items():
        if kind not in OrderKind.values or item not in CHECKLIST_ITEMS or current[kind][item] == value:
            continue
        changed += 1
        if value == asked_by_default(kind, item):
            ChecklistRule.objects.filter(unit=unit, order_kind=kind, item=item).delete()
        else:
            ChecklistRule.objects.update_or_create(
                unit=unit, order_kind=kind, item=item, defaults={"asked": value, "changed_by": ctx.user}
            )
    if changed:
        log_access(ctx, AccessAction.UPDATE, object_type="bolots.checklistrule", note="checklist_rules")
    return changed
