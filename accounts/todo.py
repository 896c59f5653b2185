"""The "Att göra" start page: what the user must act on, gathered from the
apps that own it.

accounts sits below every app with case data, so it cannot read orders,
decisions or signals itself. Each app declares its sections on its AppConfig
as plain dicts, the way the menu does (accounts.navigation):

    todo_sections = [{"key": "returned_orders", "title": _("Orders returned with a question"),
                      "perm": "referrals.change_order", "order": 10,
                      "items": "referrals.todo.returned_orders",
                      "more_url_name": "referrals:order_list"}]

`items` is the dotted path of a function `(user, now) -> list[TodoItem]`
that returns at most `LIMIT + 1` items (one more than shown tells the page
that there are more, without a COUNT query), each through the owning app's
access rule (`visible_to`), with a fixed number of queries however many
items there are. Client rows read by a provider are logged by the read
recorder (audit.reads) at the end of the request, in one insert.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.urls import reverse
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from datetime import datetime

    from accounts.models import User

# Items shown per section; the rest are one click away on the section's list.
LIMIT = 8


@dataclass(frozen=True)
class TodoItem:
    """One thing to act on: `title` names it (a client or an order number),
    `url` is the page where it is done, `detail` says what and by when;
    `urgent` marks a deadline that has passed or is hours away."""

    title: str
    url: str
    detail: str = ""
    urgent: bool = False


@dataclass
class TodoSection:
    key: str
    title: str
    items: list[TodoItem]
    more_url: str | None
    has_more: bool


def registered_sections() -> list[dict]:
    entries = [entry for config in apps.get_app_configs() for entry in getattr(config, "todo_sections", ())]
    return sorted(entries, key=lambda entry: entry.get("order", 100))


def sections_for(user: User, now: datetime) -> list[TodoSection]:
    """The sections `user` may see, each with its first LIMIT items."""
    if not user.is_authenticated:
        return []
    sections = []
    for entry in registered_sections():
        perm = entry.get("perm")
        if perm and not user.has_perm(perm):
            continue
        items = list(import_string(entry["items"])(user, now))
        more_url_name = entry.get("more_url_name")
        sections.append(
            TodoSection(
                key=entry["key"],
                title=entry["title"],
                items=items[:LIMIT],
                more_url=reverse(more_url_name) if more_url_name else None,
                has_more=len(items) > LIMIT,
            )
        )
    return sections
