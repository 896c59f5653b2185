"""New signals on the case officer's "Att göra" start page (accounts.todo):
the unacknowledged signals sent to the user, newest first, each linking to
the visit it came from, or to the signal list for a signal the rent
ledger raised without a visit (the signal list, where it is acknowledged, is the
section's "show all"). One query however many signals there are."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone

from accounts.todo import LIMIT, TodoItem

from .services.signals import all_signals

if TYPE_CHECKING:
    from datetime import datetime

    from accounts.models import User


def new_signals(user: User, now: datetime) -> list[TodoItem]:
    signals = (
        all_signals()
        .visible_to(user)
        .unacknowledged()
        .filter(recipient=user)
        .select_related("client")
        .order_by("-created_at", "-id")
    )
    list_url = reverse("bolots:signal_list")
    return [
        TodoItem(
            title=signal.client.full_name,
            # A ledger signal has no visit: the signal list, where it is acknowledged.
            url=reverse("bolots:visit_detail", args=[signal.visit_id]) if signal.visit_id else list_url,
            detail=f"{signal.get_kind_display()}, {timezone.localtime(signal.created_at):%Y-%m-%d %H:%M}",
            urgent=True,
        )
        for signal in signals[: LIMIT + 1]
    ]
