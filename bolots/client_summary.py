"""The last and next visit and the open signals on the client's overview
(referrals.client_summaries). Two queries for the visits (the last visit;
the orders under way with the frequency engine's facts, planned in
Python like Min dag), one for the signals, however many there are."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from referrals.client_summaries import MAX_LINES, SummaryLine
from referrals.models import Order, OrderState

from . import frequency
from .models import Visit
from .services.signals import all_signals
from .services.worklist import facts_of, with_schedule_facts

if TYPE_CHECKING:
    from datetime import datetime

    from accounts.models import User
    from referrals.models import Client


def visits(user: User, client: Client, now: datetime) -> list[SummaryLine]:
    today = timezone.localdate(now)
    lines = []
    last = Visit.objects.visible_to(user).filter(client=client).order_by("-visited_at", "-pk").first()
    if last is None:
        lines.append(SummaryLine(_("No visit yet")))
    else:
        lines.append(SummaryLine(_("Last visit %(when)s: %(kind)s, %(outcome)s") % {
            "when": f"{timezone.localtime(last.visited_at):%Y-%m-%d}",
            "kind": last.get_kind_display(), "outcome": last.get_outcome_display().lower(),
        }))
    orders = with_schedule_facts(
        Order.objects.visible_to(user).filter(client=client, state__in=OrderState.active_states()), today
    )
    first_visit, next_due = None, None
    for order in orders:
        plan = frequency.schedule(facts_of(order), today, now)
        if plan.first_visit is not None:
            if first_visit is None or plan.first_visit.due_at < first_visit.due_at:
                first_visit = plan.first_visit
        elif plan.next_due is not None and (next_due is None or plan.next_due.due_on < next_due.due_on):
            next_due = plan.next_due
    if first_visit is not None:
        lines.append(SummaryLine(
            _("First visit due by %(when)s") % {"when": f"{timezone.localtime(first_visit.due_at):%Y-%m-%d %H:%M}"},
            urgent=True,
        ))
    if next_due is not None:
        overdue = next_due.due_on < today
        text = _("Next visit overdue since %(day)s: %(kind)s") if overdue else _("Next visit due %(day)s: %(kind)s")
        lines.append(SummaryLine(text % {"day": f"{next_due.due_on:%Y-%m-%d}", "kind": next_due.label},
                                 urgent=overdue))
    elif first_visit is None:
        lines.append(SummaryLine(_("No visit planned: no order under way")))
    return lines


def open_signals(user: User, client: Client, now: datetime) -> list[SummaryLine]:
    signals = (
        all_signals().visible_to(user).unacknowledged().filter(client=client)
        .order_by("-created_at", "-pk")[:MAX_LINES]
    )
    lines = [
        SummaryLine(f"{signal.get_kind_display()}, {timezone.localtime(signal.created_at):%Y-%m-%d}", urgent=True)
        for signal in signals
    ]
    return lines or [SummaryLine(_("No open signals"))]
