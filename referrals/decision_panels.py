"""Panels that higher apps add to the decision page
(templates/referrals/decisions/decision_detail.html), the way
referrals.order_panels adds them to the order page.

Each app declares its panels on its AppConfig as plain dicts:

    decision_panels = [{"slot": "details", "template": "tenancies/decisions/_waiting_panel.html",
                        "context": "tenancies.decision_panel.panel_context", "order": 10}]

`slot` is the place on the page ("details": after the decision's own
sections, the IVO information, interruptions and offers log, before the
forms that register a step). The template is rendered like an include,
with the page's context, plus what the optional `context` provider (a
dotted path to a function `(request, decision) -> dict`) returns. A panel
without `perm` is rendered for everyone who reaches its slot.

The page reaches the panels only after `accounts.access.fetch_visible` has
fetched the decision and logged the view of its client, so a provider is
given a decision the user may see. A provider shows that client's data
under that one log row: it must not load the client again (the read
recorder would add nothing, but a second client would be a read of its
own). referrals renders what is registered, so it names nothing of the
apps above it.
"""

from typing import TYPE_CHECKING

from django.apps import apps
from django.http import HttpRequest
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from accounts.models import User
    from referrals.models import Decision


def panels_in(slot: str, user: "User | None") -> list[dict]:
    """The registered panels of `slot` the user may see, in their order."""
    panels = [
        panel
        for config in apps.get_app_configs()
        for panel in getattr(config, "decision_panels", ())
        if panel["slot"] == slot and (not panel.get("perm") or (user is not None and user.has_perm(panel["perm"])))
    ]
    return sorted(panels, key=lambda panel: panel.get("order", 100))


def extra_context(panel: dict, request: "HttpRequest | None", decision: "Decision") -> dict:
    """What the panel's context provider adds to the page's context."""
    provider = panel.get("context")
    return import_string(provider)(request, decision) if provider else {}
