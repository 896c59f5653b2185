"""Signals for notices left unpaid (issue 14, "Arrears caught early").

Every morning (rent.tasks.overdue) each notice, of any kind, that is still
open after its due date plus the unit's grace (RentSettings.grace_days,
5 days when the unit has no settings) raises a "rent not paid" signal to
the client's responsible case officer and the active bolots of each order
under way (rent.services.signals.raise_ledger_signal): in the app and by
e-mail, exactly like the checklist's. One signal per notice and recipient
(the cause "rent.notice:<pk>"), not one per day.

Cost: the open overdue notices, their recipients and the signals already
raised are read in a fixed number of queries however many notices there
are; only a notice with a recipient not yet told goes through the
per-signal service (create, log, notify)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Min
from django.utils import formats, translation
from django.utils.translation import gettext as _

from audit.context import AuditContext
from bolots.models import Signal, SignalKind
from core.formatting import kr
from referrals.models import Order, OrderState
from rent.models import RentNotice, RentSettings
from rent.services.signals import raise_ledger_signal

DEFAULT_GRACE_DAYS = RentSettings._meta.get_field("grace_days").default
SOURCE_PREFIX = "rent.notice:"


def source_key(notice_id: int) -> str:
    return f"{SOURCE_PREFIX}{notice_id}"


def grace_by_unit() -> dict[int, int]:
    return dict(RentSettings.objects.values_list("unit_id", "grace_days"))


def overdue_notices(today: date):
    """The notices open today whose due date plus grace has passed: the
    candidates, read with a cut-off on the smallest grace of any unit, then
    narrowed per unit in Python (grace_by_unit)."""
    smallest = RentSettings.objects.aggregate(least=Min("grace_days"))["least"]
    smallest = DEFAULT_GRACE_DAYS if smallest is None else min(smallest, DEFAULT_GRACE_DAYS)
    return (
        RentNotice.objects.filter(due_date__lt=today - timedelta(days=smallest))
        .with_settled(today)
        .filter(outstanding__gt=0)
        .select_related("tenancy__client__responsible_officer", "tenancy__apartment")
        .order_by("due_date", "id")
    )


def is_overdue(notice: RentNotice, today: date, grace: dict[int, int]) -> bool:
    days = grace.get(notice.tenancy.apartment.unit_id, DEFAULT_GRACE_DAYS)
    return notice.due_date + timedelta(days=days) < today


def _recipient_ids(notices: list[RentNotice]) -> dict[int, set[int]]:
    """Per client: the ids of who must be told (the same people as
    rent.services.signals.recipients_for, read for all clients at once)."""
    client_ids = {notice.tenancy.client_id for notice in notices}
    found: dict[int, set[int]] = defaultdict(set)
    for notice in notices:
        officer = notice.tenancy.client.responsible_officer
        if officer is not None and officer.is_active:
            found[notice.tenancy.client_id].add(officer.pk)
    pilots = Order.objects.filter(
        client_id__in=client_ids, state__in=OrderState.active_states(), active_pilot__is_active=True
    ).values_list("client_id", "active_pilot_id")
    for client_id, pilot_id in pilots:
        found[client_id].add(pilot_id)
    return found


def _already_told(notices: list[RentNotice]) -> dict[str, set[int]]:
    keys = [source_key(notice.pk) for notice in notices]
    told: dict[str, set[int]] = defaultdict(set)
    for key, recipient_id in Signal.objects.filter(source_key__in=keys).values_list("source_key", "recipient_id"):
        told[key].add(recipient_id)
    return told


def signal_text(notice: RentNotice) -> tuple[str, str]:
    """The signal's text (amount and due date, shown to who may see the
    client) and the notification's message (no personal data: the notice's
    OCR reference only)."""
    text = _("Rent unpaid: %(amount)s, due %(date)s") % {
        "amount": kr(notice.outstanding), "date": formats.date_format(notice.due_date, "j b Y"),
    }
    message = _("Signal: the rent is unpaid (notice %(ocr)s)") % {"ocr": notice.ocr or notice.pk}
    return text, message


def raise_overdue_signals(today: date, ctx: AuditContext | None = None, batch: int = 2000) -> int:
    """Raise the missing signals of every overdue notice; returns how many
    signals were made (0 when every recipient has already been told)."""
    ctx = ctx or AuditContext.system(None, "rent.overdue")
    grace = grace_by_unit()
    made = 0
    with translation.override("sv"):
        candidates = [notice for notice in overdue_notices(today) if is_overdue(notice, today, grace)]
        for start in range(0, len(candidates), batch):
            notices = candidates[start:start + batch]
            recipients = _recipient_ids(notices)
            told = _already_told(notices)
            for notice in notices:
                if not recipients[notice.tenancy.client_id] - told[source_key(notice.pk)]:
                    continue
                text, message = signal_text(notice)
                made += len(raise_ledger_signal(
                    ctx, kind=SignalKind.RENT_UNPAID, tenancy=notice.tenancy, source_key=source_key(notice.pk),
                    text=text, message=message,
                ))
    return made
