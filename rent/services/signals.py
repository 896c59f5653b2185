"""Signals the ledger raises (an unpaid notice, a missed instalment, a
running three-week deadline): to the client's responsible case officer and
the active bolots of each of the client's orders under way, in the app and
by e-mail, exactly like the checklist's "rent not paid" signal. One signal
per cause and recipient (Signal.source_key, constraint
bolots_signal_one_per_cause): raising it again the next day makes nothing."""

from __future__ import annotations

from dataclasses import replace

from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.notifications import notify
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from bolots.models import Signal
from bolots.services.signals import signal_list_url
from referrals.models import Order, OrderState
from tenancies.models import Tenancy


def recipients_for(tenancy: Tenancy) -> list[User]:
    """The responsible case officer (if the account is open) and the active
    bolots of every order of the tenant that is under way, without repeats."""
    client = tenancy.client
    people = [client.responsible_officer] if client.responsible_officer_id else []
    pilots = (
        User.objects.filter(pk__in=Order.objects.filter(client_id=client.pk, state__in=OrderState.active_states())
                            .values("active_pilot"))
        .order_by("pk")
    )
    people.extend(pilots)
    seen, found = set(), []
    for user in people:
        if user is not None and user.is_active and user.pk not in seen:
            seen.add(user.pk)
            found.append(user)
    return found


def raise_ledger_signal(
    ctx: AuditContext, *, kind: str, tenancy: Tenancy, source_key: str, text: str, message: str,
) -> list[Signal]:
    """Create the signal for each recipient who has none for `source_key`
    yet and tell them (`message`: the notification's and e-mail's text, no
    personal data: it names the kind and a number). Returns the new ones.
    From a task (ctx.user None) the access-log row of each new signal is
    written in its recipient's name, its path naming the task: the log
    needs a user, and the signal is theirs."""
    made = []
    for user in recipients_for(tenancy):
        try:
            with transaction.atomic():
                signal, created = Signal.objects.get_or_create(
                    source_key=source_key, recipient=user,
                    defaults={"kind": kind, "client_id": tenancy.client_id, "visit": None,
                              "text": text[: Signal._meta.get_field("text").max_length]},
                )
        except IntegrityError:  # raised at the same moment by another worker
            continue
        if created:
            log_access(ctx if ctx.user is not None else replace(ctx, user=user), AccessAction.CREATE, signal)
            notify(user, message, signal_list_url())
            made.append(signal)
    return made
