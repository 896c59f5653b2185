"""Panels that higher apps add to the order page
(templates/referrals/orders/order_detail.html).

Each app declares its panels on its AppConfig as plain dicts, the way the
main menu does (accounts.navigation):

    order_panels = [{"slot": "details", "template": "bolots/orders/_frequency_panel.html",
                     "perm": "bolots.view_frequencychange", "order": 10}]

`slot` is the place on the page ("ended": inside the note an assigned
bolots sees on an ended order; "details": after the assignment, for those
who see the order's details; "address": the address rows of a registered
client's details, replacing the page's own "Address" row when a panel
renders anything). The template is rendered like an include,
with the page's context, plus what the optional `context` provider (a
dotted path to a function `(request, order) -> dict`) returns. A panel
without `perm` is rendered for everyone who reaches its slot. referrals
renders what is registered, so it names nothing of the apps above it.
"""

from typing import TYPE_CHECKING

from django.apps import apps
from django.http import HttpRequest
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from accounts.models import User
    from referrals.models import Order


def panels_in(slot: str, user: "User | None") -> list[dict]:
    """The registered panels of `slot` the user may see, in their order."""
    panels = [
        panel
        for config in apps.get_app_configs()
        for panel in getattr(config, "order_panels", ())
        if panel["slot"] == slot and (not panel.get("perm") or (user is not None and user.has_perm(panel["perm"])))
    ]
    return sorted(panels, key=lambda panel: panel.get("order", 100))


def extra_context(panel: dict, request: "HttpRequest | None", order: "Order") -> dict:
    """What the panel's context provider adds to the page's context."""
    provider = panel.get("context")
    return import_string(provider)(request, order) if provider else {}
