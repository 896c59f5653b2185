"""Records of higher apps that follow an order's client (docs/housing-chain.md
"One person, one record").

An outreach order about an unregistered person may later be linked to the
client the person turned out to be (services.orders.link_order_to_client,
services.person_matching.link_same_person), and the link may be undone
(person_matching.unlink). Records of higher apps that store the order's
client themselves (bolots' visits) must follow, in the same transaction;
referrals cannot name them (the layers), so each app declares on its
AppConfig:

    order_client_followers = [{
        "follow": "bolots.person_links.follow_order_client",
        "blockers": "bolots.person_links.unlink_blockers",
    }]

- `follow(ctx, order, previous_client_id)`: the order's client has just
  changed (order.client_id is the new one, possibly None); bring the app's
  records of the order along, through logged writes.
- `blockers(order, client_id, since)`: Swedish sentences naming what of the
  app depends on the order being the client's since `since` (the link's
  time); a non-empty list refuses undoing the link.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from datetime import datetime

    from audit.context import AuditContext
    from referrals.models import Order


def _entries() -> list[dict]:
    return [entry for config in apps.get_app_configs() for entry in getattr(config, "order_client_followers", ())]


def follow(ctx: AuditContext, order: Order, previous_client_id: int | None) -> None:
    for entry in _entries():
        if entry.get("follow"):
            import_string(entry["follow"])(ctx, order, previous_client_id)


def blockers(order: Order, client_id: int, since: datetime) -> list[str]:
    found: list[str] = []
    for entry in _entries():
        if entry.get("blockers"):
            found.extend(import_string(entry["blockers"])(order, client_id, since))
    return found
