"""The manager's settings page: which checklist items the unit's visits
ask on each kind of order (services.checklist_rules)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import permission_required
from audit.context import AuditContext
from referrals.models import OrderKind

from ..models import VisitChecklist
from ..models.visits import CHECKLIST_ITEMS
from ..services import checklist_rules as services


def _name(kind, item):
    return f"{kind}__{item}"


@permission_required("bolots.change_checklistrule")
def checklist_rules(request):
    """A table of items × kinds of order with a box each. Only the boxes the
    user changed from what the page showed (hidden `shown__…` values) are
    saved, so two managers changing different boxes at once both keep
    their change."""
    unit = request.user.unit
    if unit is None:
        raise PermissionDenied
    if request.method == "POST":
        changes = {}
        for kind in OrderKind.values:
            for item in CHECKLIST_ITEMS:
                name = _name(kind, item)
                shown = request.POST.get("shown__" + name)
                if shown not in ("0", "1"):
                    continue
                asked = request.POST.get(name) == "1"
                if asked != (shown == "1"):
                    changes[(kind, item)] = asked
        changed = services.save_rules(AuditContext.from_request(request), unit, changes)
        if changed:
            messages.success(request, _("The checklist's questions were saved."))
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("bolots:checklist_rules")
    table = services.rules_table(unit)
    kinds = [(kind, label) for kind, label in OrderKind.choices]
    rows = [
        {
            "item": item,
            "label": VisitChecklist._meta.get_field(item).verbose_name,
            "cells": [
                {"name": _name(kind, item), "asked": table[kind][item], "kind_label": label,
                 "default": services.asked_by_default(kind, item)}
                for kind, label in kinds
            ],
        }
        for item in CHECKLIST_ITEMS
    ]
    return render(request, "bolots/checklist_rules/checklist_rules.html", {"kinds": kinds, "rows": rows})
