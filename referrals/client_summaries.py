"""The summary on a client's overview (templates/referrals/client_detail.html):
one box per area, each linking to the tab that holds the whole picture.

Like the tabs (client_tabs.py), each app declares its boxes on its
AppConfig as plain dicts, so that referrals renders what tenancies and
bolots know without naming them:

    client_summaries = [{"key": "visits", "label": _("Visits"), "tab": "visits",
                         "perm": "bolots.view_visit", "order": 80,
                         "lines": "bolots.client_summary.visits"}]

`lines` is the dotted path of `(user, client, now) -> list[SummaryLine]`:
a fixed number of queries however many records the client has (at most
MAX_LINES lines), every query through the owning model's
`visible_to(user)`. `tab` is the key of the client tab the box links to
(its url comes from client_tabs.tabs_for, so a tab the user may not open
gives no link). A box whose `perm` the user lacks is left out.

Whereabouts follow referrals.protection: a box about a protected client
shows no apartment or address to a user without the permission.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .client_tabs import tabs_for
from .models import DecisionStatus, IndividualPlan, Order, OrderState
from .services.decisions import waiting_for_execution

if TYPE_CHECKING:
    from datetime import datetime

    from accounts.models import User
    from referrals.models import Client

# Lines per box: the overview summarises, the tab lists.
MAX_LINES = 4


@dataclass(frozen=True)
class SummaryLine:
    text: str
    urgent: bool = False


@dataclass
class Summary:
    key: str
    label: str
    url: str | None
    lines: list[SummaryLine] = field(default_factory=list)


def registered_summaries() -> list[dict]:
    entries = [entry for config in apps.get_app_configs() for entry in getattr(config, "client_summaries", ())]
    return sorted(entries, key=lambda entry: entry.get("order", 100))


def summaries_for(user: User, client: Client, now: datetime | None = None) -> list[Summary]:
    now = now or timezone.now()
    tab_urls = {tab["key"]: tab["url"] for tab in tabs_for(user, client, current="overview")}
    out = []
    for entry in registered_summaries():
        perm = entry.get("perm")
        if perm and not user.has_perm(perm):
            continue
        lines = list(import_string(entry["lines"])(user, client, now))[:MAX_LINES]
        out.append(Summary(key=entry["key"], label=entry["label"], url=tab_urls.get(entry.get("tab")), lines=lines))
    return out


# --- referrals' own boxes ------------------------------------------------------------


def decisions(user: User, client: Client, now: datetime) -> list[SummaryLine]:
    """Open decisions: granted, not closed, waiting for execution (with the
    IVO day) or executed and running. One query."""
    today = timezone.localdate(now)
    rows = (
        waiting_for_execution(user, today).filter(client=client)
        .order_by("report_after", "pk")[:MAX_LINES]
    )
    lines = []
    for decision in rows:
        if decision.status == DecisionStatus.INTERRUPTED:
            state = _("interrupted")
        else:
            state = _("not executed")
        lines.append(SummaryLine(
            _("%(kind)s (%(day)s), %(state)s: reportable to IVO after %(due)s") % {
                "kind": decision.get_kind_display(), "day": f"{decision.decided_on:%Y-%m-%d}",
                "state": state, "due": f"{decision.report_after:%Y-%m-%d}",
            },
            urgent=decision.report_after < today + timedelta(days=30),
        ))
    if len(lines) < MAX_LINES:
        from .models import Decision

        running = (
            Decision.objects.visible_to(user).filter(client=client).with_status(today)
            .filter(status=DecisionStatus.EXECUTED)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
            .order_by("-decided_on", "-pk")[: MAX_LINES - len(lines)]
        )
        for decision in running:
            lines.append(SummaryLine(_("%(kind)s (%(day)s), executed %(executed)s") % {
                "kind": decision.get_kind_display(), "day": f"{decision.decided_on:%Y-%m-%d}",
                "executed": f"{decision.executed_on:%Y-%m-%d}",
            }))
    return lines


def orders(user: User, client: Client, now: datetime) -> list[SummaryLine]:
    """Open orders with their state and, while it runs, the 48-hour clock.
    One query."""
    from .services.orders import with_details_for
    from .todo import clock_text

    # Only orders whose details the user may see: a bolots sees the unit's
    # queue without names, so a queued order must not be tied to this
    # person on their file (docs/access.md).
    rows = (
        with_details_for(user, Order.objects.visible_to(user))
        .filter(client=client, state__in=OrderState.open_states())
        .select_related("active_pilot")
        .order_by("-sent_at", "-pk")[:MAX_LINES]
    )
    lines = []
    for order in rows:
        clock, urgent = clock_text(order, now)
        text = f"{order.get_kind_display()} #{order.pk}: {order.get_state_display()}"
        if order.active_pilot_id:
            text += " (" + _("active bolots %(name)s") % {"name": order.active_pilot} + ")"
        if clock:
            text += f". {clock}"
        lines.append(SummaryLine(text, urgent=urgent or order.state == OrderState.RETURNED))
    return lines


def plan(user: User, client: Client, now: datetime) -> list[SummaryLine]:
    """The individual plan's next review. One query."""
    today = timezone.localdate(now)
    found = IndividualPlan.objects.visible_to(user).filter(client=client).only("next_review_on").first()
    if found is None:
        return [SummaryLine(_("No individual plan"))]
    if found.next_review_on < today:
        return [SummaryLine(_("Review overdue since %(day)s") % {"day": f"{found.next_review_on:%Y-%m-%d}"},
                            urgent=True)]
    return [SummaryLine(_("Next review %(day)s") % {"day": f"{found.next_review_on:%Y-%m-%d}"})]
